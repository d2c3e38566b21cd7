-- CreateTable
CREATE TABLE "NotificationCounter" (
    "userId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "unread" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "NotificationCounter_pkey" PRIMARY KEY ("userId")
);

-- AddForeignKey
ALTER TABLE "NotificationCounter" ADD CONSTRAINT "NotificationCounter_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationCounter" ADD CONSTRAINT "NotificationCounter_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The counter is kept by statement-level triggers on Notification: every write path
-- (the engine's unnest inserts, coalescing updates, read / read all / archive, privacy
-- erasure, retention deletes, cascades from a deleted user or organization) goes
-- through them. Each statement's rows are summed per user first; users whose change is
-- 0 (a coalescing update, deleting read rows) are left alone and take no lock.

-- Applies per-user changes in userId order, so concurrent transactions lock counter
-- rows in one order and never deadlock on them (two webhooks notifying the same 100
-- agents queue on the first row instead). Increments create the row when missing;
-- decrements only touch existing rows, since a user being deleted has none to recreate.
CREATE OR REPLACE FUNCTION aviso_apply_unread_deltas(users uuid[], deltas integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "NotificationCounter" AS c ("userId", "organizationId", "unread")
  SELECT d.u, usr."organizationId", d.n
  FROM unnest(users, deltas) AS d(u, n) JOIN "User" usr ON usr."id" = d.u
  WHERE d.n > 0
  ORDER BY d.u
  ON CONFLICT ("userId") DO UPDATE SET "unread" = c."unread" + EXCLUDED."unread";
  IF EXISTS (SELECT 1 FROM unnest(deltas) AS n WHERE n < 0) THEN
    -- LockRows sits above the sort: rows are locked in userId order before the update.
    PERFORM 1 FROM "NotificationCounter" c
      WHERE c."userId" IN (SELECT d.u FROM unnest(users, deltas) AS d(u, n) WHERE d.n < 0)
      ORDER BY c."userId" FOR UPDATE;
    UPDATE "NotificationCounter" c SET "unread" = c."unread" + d.n
      FROM unnest(users, deltas) AS d(u, n)
      WHERE d.n < 0 AND c."userId" = d.u;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION aviso_notifications_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  users uuid[];
  deltas integer[];
BEGIN
  SELECT array_agg(s.u ORDER BY s.u), array_agg(s.n ORDER BY s.u) INTO users, deltas
  FROM (SELECT "userId" AS u, count(*)::integer AS n FROM added WHERE "readAt" IS NULL AND "archivedAt" IS NULL GROUP BY "userId") s;
  IF users IS NOT NULL THEN PERFORM aviso_apply_unread_deltas(users, deltas); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION aviso_notifications_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  users uuid[];
  deltas integer[];
BEGIN
  SELECT array_agg(s.u ORDER BY s.u), array_agg(s.n ORDER BY s.u) INTO users, deltas
  FROM (
    SELECT x.u, sum(x.n)::integer AS n FROM (
      SELECT "userId" AS u, 1 AS n FROM new_rows WHERE "readAt" IS NULL AND "archivedAt" IS NULL
      UNION ALL
      SELECT "userId", -1 FROM old_rows WHERE "readAt" IS NULL AND "archivedAt" IS NULL
    ) x GROUP BY x.u HAVING sum(x.n) <> 0
  ) s;
  IF users IS NOT NULL THEN PERFORM aviso_apply_unread_deltas(users, deltas); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION aviso_notifications_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  users uuid[];
  deltas integer[];
BEGIN
  SELECT array_agg(s.u ORDER BY s.u), array_agg(s.n ORDER BY s.u) INTO users, deltas
  FROM (SELECT "userId" AS u, -count(*)::integer AS n FROM gone WHERE "readAt" IS NULL AND "archivedAt" IS NULL GROUP BY "userId") s;
  IF users IS NOT NULL THEN PERFORM aviso_apply_unread_deltas(users, deltas); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION aviso_notifications_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "NotificationCounter" SET "unread" = 0 WHERE "unread" <> 0;
  RETURN NULL;
END $$;

-- Triggers before the backfill: CREATE TRIGGER locks writers of Notification out until the
-- migration commits (src/db/migrate.ts runs each in one transaction), so no row is
-- counted twice or missed.
CREATE TRIGGER "Notification_unread_inserted" AFTER INSERT ON "Notification"
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION aviso_notifications_inserted();
CREATE TRIGGER "Notification_unread_updated" AFTER UPDATE ON "Notification"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aviso_notifications_updated();
CREATE TRIGGER "Notification_unread_deleted" AFTER DELETE ON "Notification"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION aviso_notifications_deleted();
CREATE TRIGGER "Notification_unread_truncated" AFTER TRUNCATE ON "Notification"
  FOR EACH STATEMENT EXECUTE FUNCTION aviso_notifications_truncated();

-- Backfill: what the count query used to answer, once.
INSERT INTO "NotificationCounter" ("userId", "organizationId", "unread")
SELECT n."userId", u."organizationId", count(*)::integer
FROM "Notification" n JOIN "User" u ON u."id" = n."userId"
WHERE n."readAt" IS NULL AND n."archivedAt" IS NULL
GROUP BY n."userId", u."organizationId";
