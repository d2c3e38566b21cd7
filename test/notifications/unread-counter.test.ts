import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, poolOf, type PrismaClient } from "../../src/db/client.js";
import { scopedTo } from "../../src/db/tenant.js";
import { isRaceLost } from "../../src/db/transaction-retry.js";
import { inUnitOfWork } from "../../src/db/unit-of-work.js";
import { insertNotifications } from "../../src/notifications/bulk-insert.js";
import { archiveNotification, markAllNotificationsRead, markNotificationRead } from "../../src/notifications/inbox.js";
import { DomainError } from "../../src/errors.js";
import { deleteExpiredNotifications } from "../../src/notifications/jobs.js";
import { compactUnreadDeltas, foldUnreadDeltas } from "../../src/notifications/unread-compaction.js";
import { unreadCounts } from "../../src/notifications/unread-counts.js";
import { eraseContact } from "../../src/privacy/erase-contact.js";
import type { ServiceContext } from "../../src/service-context.js";
import { createTestDatabase } from "../helpers/db.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { openConversation, receiveMessage } from "./fixtures.js";

// NotificationCounter is kept by triggers (migrations notification_counters,
// unread_counter_deltas): whatever writes Notification, concurrently or not, the counter
// plus the user's deltas must equal a COUNT(*) of the user's unread, unarchived rows, before
// and after the deltas are folded in.

let server: TestServer;
const prisma = () => server.app.runtime.prisma;

beforeAll(async () => {
  server = await startTestServer({ env: { NOTIFY_NEW_MESSAGE_ENABLED: "true" } });
});
afterAll(() => server?.stop());

interface Mismatch {
  userId: string;
  counter: number;
  actual: number;
}

/** Every user whose counter differs from a count of their rows (none, when the triggers are right). */
async function mismatches(db: PrismaClient): Promise<Mismatch[]> {
  return db.$queryRaw<Mismatch[]>`
    SELECT * FROM (
      SELECT u.id::text AS "userId",
             (COALESCE(c.unread, 0) + COALESCE((SELECT sum(d.delta) FROM "NotificationCounterDelta" d WHERE d."userId" = u.id), 0))::int AS counter,
             (SELECT count(*)::int FROM "Notification" n WHERE n."userId" = u.id AND n."readAt" IS NULL AND n."archivedAt" IS NULL) AS actual
      FROM "User" u LEFT JOIN "NotificationCounter" c ON c."userId" = u.id
    ) x WHERE counter <> actual`;
}

async function organizationWithAgents(slug: string, agents: number) {
  const organization = await prisma().organization.create({ data: { slug, name: slug } });
  await prisma().queue.create({ data: { organizationId: organization.id, name: "Empty queue" } });
  await prisma().user.createMany({
    data: Array.from({ length: agents }, (_, i) => ({
      organizationId: organization.id,
      email: `agent${i}@${slug}.test`,
      name: `Agent ${i}`,
      role: "AGENT" as const,
    })),
  });
  const users = await prisma().user.findMany({ where: { organizationId: organization.id }, select: { id: true } });
  return { id: organization.id, userIds: users.map((u) => u.id) };
}

function contextOf(organizationId: string, userId: string): ServiceContext {
  return { db: scopedTo(prisma(), organizationId), runtime: server.app.runtime, actor: { userId, organizationId, role: "AGENT" } };
}

/**
 * Runs tasks with at most `width` in flight; rejects with the first failure. Writers of
 * many rows (retention, cascades, erasure, coalescing) lock them in different orders, so
 * PostgreSQL may refuse one of two as a deadlock: that task is run again, as its caller
 * would (a job is retried, a webhook and an erasure retry themselves) — and what the
 * refused attempt wrote must not count.
 */
async function concurrently(tasks: Array<() => Promise<unknown>>, width: number): Promise<void> {
  let next = 0;
  const untilNotRefused = async (task: () => Promise<unknown>) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await task();
      } catch (error) {
        if (attempt >= 5 || !isRaceLost(error)) throw error;
      }
    }
  };
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) await untilNotRefused(tasks[next++]!);
    }),
  );
}

/** A notification picked a moment ago may be gone by the time it is marked (retention, deletes): that race is not the point. */
const unlessGone = (error: unknown) => {
  if (!(error instanceof DomainError && error.code === "NOT_FOUND")) throw error;
};

const pick = <T>(items: T[], i: number) => items[(i * 7919) % items.length]!;

describe("the unread counter", () => {
  it("equals a count of unread, unarchived rows after concurrent inserts, coalescing, reads, archives, erasure, retention and cascades", async () => {
    const org = await organizationWithAgents("counter", 8);
    const doomed = await organizationWithAgents("counter-doomed", 3);
    const conversations = await Promise.all(Array.from({ length: 4 }, () => openConversation(prisma(), { org: "counter", assignee: null })));
    const doomedConversation = await openConversation(prisma(), { org: "counter-doomed", assignee: null });
    // Some of everything to start from: unread rows for every agent of both organizations.
    for (const conversation of conversations) await receiveMessage(server, conversation);
    await receiveMessage(server, doomedConversation);
    await receiveMessage(server, doomedConversation);
    // Their rows are deleted while the others work: inactive first, so the engine does
    // not fold a new message into a row being deleted (nothing else deletes unread rows).
    await prisma().user.updateMany({ where: { id: { in: [org.userIds[6]!, org.userIds[7]!] } }, data: { active: false } });
    const talking = conversations.slice(0, 3);
    const active = org.userIds.slice(0, 6);

    const someNotification = async (i: number) => {
      const rows = await prisma().notification.findMany({ where: { userId: { in: active } }, select: { id: true, userId: true }, take: 50 });
      return pick(rows, i);
    };
    const tasks: Array<() => Promise<unknown>> = [];
    for (let i = 0; i < 24; i++) {
      // Engine inserts (unnest) and, within the coalescing window, updates of the same rows.
      tasks.push(() => receiveMessage(server, pick(talking, i)));
      if (i % 2 === 0)
        tasks.push(async () => {
          const n = await someNotification(i);
          return markNotificationRead(contextOf(org.id, n.userId), n.id).catch(unlessGone);
        });
      if (i % 3 === 0)
        tasks.push(async () => {
          const n = await someNotification(i + 1);
          return archiveNotification(contextOf(org.id, n.userId), n.id).catch(unlessGone);
        });
      if (i % 5 === 0) tasks.push(() => markAllNotificationsRead(contextOf(org.id, pick(active, i))));
    }
    // Privacy erasure rewrites rows of a conversation (no change to the count).
    tasks.push(async () => {
      const conversation = await prisma().conversation.findUniqueOrThrow({ where: { id: conversations[0]!.id } });
      return eraseContact(contextOf(org.id, org.userIds[0]!), conversation.contactId);
    });
    // Retention deletes read rows; a rolled-back insert leaves nothing behind.
    tasks.push(() => deleteExpiredNotifications(server.app.runtime, new Date(Date.now() + 400 * 24 * 3600_000)));
    tasks.push(() =>
      inUnitOfWork(prisma(), server.app.runtime.log, async ({ tx }) => {
        await insertNotifications(
          tx,
          { organizationId: org.id, type: "CAMPAIGN_FAILED", conversationId: null, alertId: null, data: {}, at: new Date() },
          org.userIds.map((userId) => ({ userId, title: "rolled back", body: "" })),
        );
        throw new Error("roll back");
      }).catch(() => undefined),
    );
    // Deleting unread rows: one by one, by a deleted user, by a deleted organization.
    tasks.push(async () => prisma().notification.deleteMany({ where: { userId: org.userIds[6]!, readAt: null } }));
    tasks.push(() => prisma().user.delete({ where: { id: org.userIds[7]! } }));
    tasks.push(() => prisma().organization.delete({ where: { id: doomed.id } }));
    // A conversation deleted under its notifications (their conversationId set to null).
    tasks.push(() => prisma().conversation.delete({ where: { id: conversations[3]!.id } }));

    // Folds run meanwhile too, as every worker's do.
    for (let i = 0; i < 4; i++) tasks.push(() => foldUnreadDeltas(prisma()));
    await concurrently(tasks, 6);

    expect(await mismatches(prisma())).toEqual([]);
    await foldUnreadDeltas(prisma());
    expect(await prisma().notificationCounterDelta.count()).toBe(0);
    expect(await mismatches(prisma())).toEqual([]);
    const counters = await prisma().notificationCounter.findMany({ where: { userId: { in: [...org.userIds, ...doomed.userIds] } } });
    // Deleted users' counters went with them; the run left some unread counts to compare.
    expect(counters.map((c) => c.userId)).not.toContain(org.userIds[7]);
    expect(counters.filter((c) => doomed.userIds.includes(c.userId))).toEqual([]);
    expect(counters.some((c) => c.unread > 0)).toBe(true);
    expect(counters.every((c) => c.organizationId === org.id)).toBe(true);
  });

  it("serves unreadNotificationCount from it", async () => {
    const token = await server.token("agent2@demo.test");
    const before = (await server.gql<{ unreadNotificationCount: number }>("{ unreadNotificationCount }", {}, token)).data!.unreadNotificationCount;
    const conversation = await openConversation(prisma(), { org: "demo", assignee: "agent2@demo.test" });
    await receiveMessage(server, conversation);
    const after = await server.gql<{ unreadNotificationCount: number }>("{ unreadNotificationCount }", {}, token);
    expect(after.data!.unreadNotificationCount).toBe(before + 1);
    await server.gql("mutation { markAllNotificationsRead }", {}, token);
    expect((await server.gql<{ unreadNotificationCount: number }>("{ unreadNotificationCount }", {}, token)).data!.unreadNotificationCount).toBe(0);
  });

  it("lets a webhook notifying the same users commit while another one's transaction is still open", async () => {
    const org = await organizationWithAgents("counter-unblocked", 20);
    const db = createPrisma(server.database.url, 4);
    const notifyAll = (tx: Parameters<Parameters<typeof db.$transaction>[0]>[0], title: string) =>
      insertNotifications(
        tx,
        { organizationId: org.id, type: "CAMPAIGN_FAILED", conversationId: null, alertId: null, data: {}, at: new Date() },
        org.userIds.map((userId) => ({ userId, title, body: "" })),
      );
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let firstInserted!: () => void;
      const inserted = new Promise<void>((resolve) => (firstInserted = resolve));
      const events: string[] = [];
      // The first transaction has written its notifications (and their counts) and stays open…
      const first = db.$transaction(
        async (tx) => {
          await notifyAll(tx, "first");
          firstInserted();
          await held;
        },
        { timeout: 60_000 },
      );
      await inserted;
      // …while the second, to the same users, commits: no counter row is locked in between.
      await db.$transaction((tx) => notifyAll(tx, "second"));
      events.push("second committed");
      release();
      await first;
      events.push("first committed");
      expect(events).toEqual(["second committed", "first committed"]);
      const counts = await unreadCounts(db, org.userIds);
      expect([...counts.values()]).toEqual(org.userIds.map(() => 2));
      expect(await mismatches(db)).toEqual([]);
    } finally {
      await db.$disconnect();
    }
  });

  it("never deadlocks when transactions notify the same users in opposite orders while others read theirs", async () => {
    const org = await organizationWithAgents("counter-contended", 100);
    const db = createPrisma(server.database.url, 12);
    try {
      const insert = (order: string[], round: number) =>
        db.$transaction(async (tx) => {
          await insertNotifications(
            tx,
            { organizationId: org.id, type: "CAMPAIGN_FAILED", conversationId: null, alertId: null, data: {}, at: new Date() },
            order.map((userId) => ({ userId, title: `round ${round}`, body: "" })),
          );
          // Hold the counter rows a moment, as a webhook's remaining writes would.
          await tx.$executeRaw`SELECT pg_sleep(0.01)`;
        });
      const reversed = [...org.userIds].reverse();
      const tasks: Array<() => Promise<unknown>> = [];
      for (let round = 0; round < 12; round++) {
        tasks.push(() => insert(round % 2 ? org.userIds : reversed, round));
        // A multi-user decrement, as cascades and retention do.
        tasks.push(() =>
          db.notification.updateMany({ where: { userId: { in: round % 2 ? reversed : org.userIds }, readAt: null }, data: { readAt: new Date() } }),
        );
        // Folds lock counter rows (in userId order) while writers append.
        tasks.push(() => foldUnreadDeltas(db));
      }
      await concurrently(tasks, 8);
      expect(await mismatches(db)).toEqual([]);
      await foldUnreadDeltas(db);
      expect(await mismatches(db)).toEqual([]);
    } finally {
      await db.$disconnect();
    }
  });
});

// Its own database, without a worker's folding loop beside it: the test decides what the
// delta table's statistics say before the backlog comes.
describe("folding unread deltas", () => {
  it("folds a backlog that arrives after a vacuum found the table almost empty, and vacuums the folded deltas away", { timeout: 60_000 }, async () => {
    const database = await createTestDatabase();
    const db = createPrisma(database.url, 2);
    try {
      const pool = poolOf(db);
      const organization = await db.organization.create({ data: { slug: "fold-backlog", name: "Fold backlog" } });
      await db.user.createMany({
        data: Array.from({ length: 100 }, (_, i) => ({
          organizationId: organization.id,
          email: `agent${i}@fold.test`,
          name: `Agent ${i}`,
          role: "AGENT" as const,
        })),
      });
      const userIds = (await db.user.findMany({ where: { organizationId: organization.id }, select: { id: true } })).map((u) => u.id);
      // 10,000 deltas in one commit: 100 statements, each notifying the 100 agents.
      const backlog = (label: string) =>
        inUnitOfWork(db, server.app.runtime.log, async ({ tx }) => {
          for (let i = 0; i < 100; i++)
            await insertNotifications(
              tx,
              { organizationId: organization.id, type: "CAMPAIGN_FAILED", conversationId: null, alertId: null, data: {}, at: new Date() },
              userIds.map((userId) => ({ userId, title: `${label} ${i}`, body: "" })),
            );
        });
      const deltaTable = async () =>
        (
          await pool.query<{ tuples: number; pages: number; vacuums: number }>(
            `SELECT c.reltuples::float8 AS tuples, c.relpages::float8 AS pages, (s.vacuum_count + s.autovacuum_count)::float8 AS vacuums
             FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relname = 'NotificationCounterDelta'`,
          )
        ).rows[0]!;

      // A first backlog, then one more delta; folding all but that one and vacuuming leaves
      // what a vacuum right after a busy fold records: many pages, next to no rows.
      await backlog("first");
      await insertNotifications(
        db,
        { organizationId: organization.id, type: "CAMPAIGN_FAILED", conversationId: null, alertId: null, data: {}, at: new Date() },
        [{ userId: userIds[0]!, title: "last", body: "" }],
      );
      await pool.query("SELECT aviso_fold_unread_deltas(10000)");
      await pool.query('VACUUM "NotificationCounterDelta"');
      const stale = await deltaTable();
      expect(stale.tuples).toBeLessThanOrEqual(1);
      expect(stale.pages).toBeGreaterThan(10);

      // The next backlog is folded in one go (planned with nested loops on those
      // statistics, this fold ran for minutes)…
      await backlog("second");
      const vacuumsBefore = (await deltaTable()).vacuums;
      expect(await compactUnreadDeltas(db)).toBe(10_001);
      expect(await mismatches(db)).toEqual([]);
      expect([...(await unreadCounts(db, userIds)).values()]).toEqual(userIds.map((id) => (id === userIds[0] ? 201 : 200)));
      // …and the folded deltas are vacuumed away: badges do not walk them until autovacuum comes.
      // Counted in the table itself (pgstattuple): n_dead_tup is reported by each backend when
      // it flushes its statistics, which for the fold's connection may come after the vacuum.
      expect((await deltaTable()).vacuums).toBeGreaterThan(vacuumsBefore);
      await pool.query("CREATE EXTENSION IF NOT EXISTS pgstattuple");
      const { rows } = await pool.query<{ dead: number }>(`SELECT dead_tuple_count::float8 AS dead FROM pgstattuple('"NotificationCounterDelta"')`);
      expect(rows[0]!.dead).toBe(0);
    } finally {
      await db.$disconnect();
      await database.drop();
    }
  });
});
