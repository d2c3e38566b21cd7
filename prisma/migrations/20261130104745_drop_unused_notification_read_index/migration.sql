-- No query reads this index: inbox pages use ("userId", seq) and, for unread ones, the partial
-- index "Notification_unread_inbox"; retention uses ("readAt", "createdAt"). Every insert and
-- every read mark paid for it: ~15 % of inserting an alert's 1,000 notification rows.
DROP INDEX "Notification_userId_readAt_seq_idx";
