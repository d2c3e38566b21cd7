-- CreateTable
CREATE TABLE "NotificationCounterDelta" (
    "id" BIGSERIAL NOT NULL,
    "userId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "delta" INTEGER NOT NULL,

    CONSTRAINT "NotificationCounterDelta_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "NotificationCounterDelta_userId_idx" ON "NotificationCounterDelta"("userId");

-- The unread triggers (migration notification_counters) now append each statement's
-- per-user changes here instead of updating NotificationCounter: an append takes no row
-- lock, so concurrent webhooks notifying the same agents no longer queue on their
-- counter rows until each other's commit. A user's count is their counter plus the sum
-- of their deltas, read in one statement (one snapshot), so it is exact at every commit.
-- Users without a User row (deleted in this same statement's cascade) are left out.
CREATE OR REPLACE FUNCTION aviso_apply_unread_deltas(users uuid[], deltas integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "NotificationCounterDelta" ("userId", "organizationId", "delta")
  SELECT d.u, usr."organizationId", d.n
  FROM unnest(users, deltas) AS d(u, n) JOIN "User" usr ON usr."id" = d.u
  WHERE d.n <> 0;
END $$;

CREATE OR REPLACE FUNCTION aviso_notifications_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "NotificationCounterDelta";
  UPDATE "NotificationCounter" SET "unread" = 0 WHERE "unread" <> 0;
  RETURN NULL;
END $$;

-- Folds the oldest `batch` deltas into the counters, in one statement: deleting them and
-- adding their sums (in userId order, so two folds never deadlock) commit together, and a
-- delta two folds both saw is deleted, and added, by one of them only. Deltas of users
-- deleted since are dropped with them. Returns how many deltas it folded. Its commit
-- does not wait for the WAL flush: a fold lost in a crash is lost whole (the deltas are
-- still there, and the next fold moves them), so nothing waits on a disk for it.
CREATE OR REPLACE FUNCTION aviso_fold_unread_deltas(batch integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  folded integer;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  WITH moved AS (
    DELETE FROM "NotificationCounterDelta"
    WHERE id IN (SELECT id FROM "NotificationCounterDelta" ORDER BY id LIMIT batch)
    RETURNING "userId", "organizationId", delta
  ), summed AS (
    SELECT "userId", min("organizationId"::text)::uuid AS "organizationId", sum(delta)::integer AS n, count(*)::integer AS rows
    FROM moved GROUP BY "userId"
  ), applied AS (
    INSERT INTO "NotificationCounter" AS c ("userId", "organizationId", "unread")
    SELECT s."userId", s."organizationId", s.n
    FROM summed s JOIN "User" u ON u."id" = s."userId"
    WHERE s.n <> 0
    ORDER BY s."userId"
    ON CONFLICT ("userId") DO UPDATE SET "unread" = c."unread" + EXCLUDED."unread"
  )
  SELECT COALESCE(sum(rows), 0)::integer INTO folded FROM summed;
  RETURN folded;
END $$;

-- What the counters held is still what they hold: no delta exists yet.
