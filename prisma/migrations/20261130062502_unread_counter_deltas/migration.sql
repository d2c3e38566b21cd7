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
-- delta two folds both saw is deleted, and added, by one of them only. A fold waits for
-- nobody: it first takes a key-share lock on each user and their organization, skipping
-- any being deleted right now (their deltas stay for the next fold), so neither a user's
-- nor an organization's deletion can deadlock with it. Deltas of users deleted since are
-- dropped. Returns how many deltas it took. Its commit does not wait for the WAL flush:
-- a fold lost in a crash is lost whole (the deltas are still there, and the next fold
-- moves them), so nothing waits on a disk for it.
CREATE OR REPLACE FUNCTION aviso_fold_unread_deltas(batch integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  folded integer;
  dropped integer;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  WITH oldest AS (
    SELECT id, "userId" FROM "NotificationCounterDelta" ORDER BY id LIMIT batch
  ), live AS (
    SELECT u.id, u."organizationId" FROM "User" u JOIN "Organization" o ON o.id = u."organizationId"
    WHERE u.id IN (SELECT "userId" FROM oldest)
    ORDER BY u.id
    FOR KEY SHARE OF u, o SKIP LOCKED
  ), moved AS (
    DELETE FROM "NotificationCounterDelta" d
    WHERE d.id IN (SELECT o.id FROM oldest o JOIN live l ON l.id = o."userId")
    RETURNING d."userId", d.delta
  ), summed AS (
    SELECT m."userId", l."organizationId", sum(m.delta)::integer AS n, count(*)::integer AS rows
    FROM moved m JOIN live l ON l.id = m."userId" GROUP BY m."userId", l."organizationId"
  ), applied AS (
    INSERT INTO "NotificationCounter" AS c ("userId", "organizationId", "unread")
    SELECT s."userId", s."organizationId", s.n FROM summed s
    WHERE s.n <> 0
    ORDER BY s."userId"
    ON CONFLICT ("userId") DO UPDATE SET "unread" = c."unread" + EXCLUDED."unread"
  )
  SELECT COALESCE(sum(rows), 0)::integer INTO folded FROM summed;
  -- Deltas of users that no longer exist (deleted and committed): nothing to fold them into.
  DELETE FROM "NotificationCounterDelta" d
  WHERE d.id IN (SELECT id FROM "NotificationCounterDelta" ORDER BY id LIMIT batch)
    AND NOT EXISTS (SELECT 1 FROM "User" u WHERE u.id = d."userId");
  GET DIAGNOSTICS dropped = ROW_COUNT;
  RETURN folded + dropped;
END $$;

-- What the counters held is still what they hold: no delta exists yet.
