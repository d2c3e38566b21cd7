import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertStalenessJob, escalateAlertJob } from "../../src/alerts/jobs.js";
import type { JobDefinition } from "../../src/jobs/define.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { eventually } from "../helpers/eventually.js";
import { ACKNOWLEDGE_ALERT, auditActions, createAlertAs, databaseId } from "./helpers.js";

// Short delays through the environment: CRITICAL escalates after 1 s per level, HIGH
// after 2 s, LOW never; anything idle for 2 s goes stale.
let server: TestServer;
let admin: string;
let agent: string;

beforeAll(async () => {
  server = await startTestServer({ env: { ALERT_ESCALATION_SECONDS: "CRITICAL=1,HIGH=2,MEDIUM=3", ALERT_STALE_SECONDS: "2" } });
  admin = await server.token("admin@demo.test");
  agent = await server.token("agent@demo.test");
});
afterAll(() => server?.stop());

const readAlert = (id: string) => server.app.runtime.prisma.alert.findUniqueOrThrow({ where: { id } });
type AlertRow = Awaited<ReturnType<typeof readAlert>>;

/** The alert once `done` holds for it. */
function alertWhen(id: string, done: (alert: AlertRow) => boolean, what: string) {
  return eventually(
    async () => {
      const alert = await readAlert(id);
      return done(alert) ? alert : undefined;
    },
    { what: `alert ${id}: ${what}`, timeoutMs: 15_000 },
  );
}

/** The alert's jobs of one kind, once none is waiting or running any more. */
async function settledJobs(job: JobDefinition, alertId: string) {
  const terminal = new Set(["completed", "cancelled", "failed"]);
  return eventually(
    async () => {
      const jobs = await server.app.runtime.jobs.boss.findJobs<{ alertId: string; level?: number }>(job.name, { data: { alertId } });
      return jobs.length > 0 && jobs.every((j) => terminal.has(j.state)) ? jobs : undefined;
    },
    { what: `alert ${alertId}'s ${job.name} jobs to settle`, timeoutMs: 15_000 },
  );
}

describe("automatic escalation", () => {
  it("escalates an unacknowledged alert to level 1, then level 2, once each, each after its delay", async () => {
    const created = await createAlertAs(server, admin, { title: "Payments webhook down", severity: "CRITICAL" });
    const id = databaseId(created.id);

    const levelOne = await alertWhen(id, (a) => a.escalationLevel >= 1, "escalation level 1");
    expect(levelOne).toMatchObject({ status: "ESCALATED" });
    const levelTwo = await alertWhen(id, (a) => a.escalationLevel >= 2, "escalation level 2");
    expect(levelTwo.status).toBe("ESCALATED");
    // Never before its delay: one second from creation for level 1, one more for level 2.
    expect(levelOne.escalatedAt!.getTime() - levelOne.createdAt.getTime()).toBeGreaterThanOrEqual(1000);
    expect(levelTwo.escalatedAt!.getTime() - levelOne.escalatedAt!.getTime()).toBeGreaterThanOrEqual(1000);

    // Both level jobs ran and nothing else is queued: it stays at level 2.
    const jobs = await settledJobs(escalateAlertJob, id);
    expect(jobs.map((j) => [j.data.level, j.state]).sort()).toEqual([
      [1, "completed"],
      [2, "completed"],
    ]);
    expect((await readAlert(id)).escalationLevel).toBe(2);
    const escalations = await server.app.runtime.prisma.auditLog.findMany({
      where: { entityId: id, action: "alert.escalated" },
      orderBy: { createdAt: "asc" },
    });
    expect(escalations.map((e) => e.data)).toEqual([
      { level: 1, automatic: true },
      { level: 2, automatic: true },
    ]);
    expect(escalations.every((e) => e.actorId === null)).toBe(true);
  });

  it("never escalates an acknowledged alert", async () => {
    const created = await createAlertAs(server, admin, { title: "Inbox sync lagging", severity: "HIGH" });
    const id = databaseId(created.id);
    const acknowledged = await server.gql(ACKNOWLEDGE_ALERT, { id: created.id }, agent);
    expect(acknowledged.errors).toBeUndefined();

    // The level-1 job was cancelled on acknowledgement (or ran and found nothing to do).
    const jobs = await settledJobs(escalateAlertJob, id);
    expect(jobs).toHaveLength(1);
    expect(["cancelled", "completed"]).toContain(jobs[0]!.state);
    expect(await readAlert(id)).toMatchObject({ status: "ACKNOWLEDGED", escalationLevel: 0, escalatedAt: null });
    expect(await auditActions(server, id)).not.toContain("alert.escalated");
  });

  it("continues from a manual escalation instead of repeating its level", async () => {
    const created = await createAlertAs(server, admin, { title: "Template rejected", severity: "HIGH" });
    const id = databaseId(created.id);
    const manual = await server.gql(`mutation($id: ID!) { escalateAlert(id: $id, reason: "urgent") { escalationLevel } }`, { id: created.id }, agent);
    expect(manual.data).toEqual({ escalateAlert: { escalationLevel: 1 } });

    await alertWhen(id, (a) => a.escalationLevel >= 2, "escalation level 2");
    const jobs = await settledJobs(escalateAlertJob, id);
    expect(jobs.map((j) => j.data.level).sort()).toEqual([1, 2]);
    const escalations = await server.app.runtime.prisma.auditLog.findMany({
      where: { entityId: id, action: "alert.escalated" },
      orderBy: { createdAt: "asc" },
    });
    expect(escalations.map((e) => e.data)).toEqual([
      { level: 1, automatic: false, reason: "urgent" },
      { level: 2, automatic: true },
    ]);
  });

  it("never escalates a LOW alert", async () => {
    const created = await createAlertAs(server, admin, { title: "Old templates unused", severity: "LOW" });
    const id = databaseId(created.id);
    expect(await server.app.runtime.jobs.boss.findJobs(escalateAlertJob.name, { data: { alertId: id } })).toEqual([]);
  });
});

describe("staleness", () => {
  it("raises ALERT_STALE once for an alert with no activity", async () => {
    const created = await createAlertAs(server, admin, { title: "Quiet alert", severity: "LOW" });
    const id = databaseId(created.id);
    const stale = await alertWhen(id, (a) => a.staleNotifiedAt !== null, "ALERT_STALE raised");
    expect(stale.staleNotifiedAt!.getTime() - stale.lastActivityAt.getTime()).toBeGreaterThanOrEqual(2000);

    // The check ran and nothing else is queued for it: raised exactly once.
    await settledJobs(alertStalenessJob, id);
    expect((await auditActions(server, id)).filter((a) => a === "alert.stale")).toHaveLength(1);
    expect((await readAlert(id)).staleNotifiedAt).toEqual(stale.staleNotifiedAt);
  });

  it("counts idleness from the last activity, not from creation", async () => {
    const created = await createAlertAs(server, admin, { title: "Busy alert", severity: "LOW" });
    const id = databaseId(created.id);
    // Spacing, not waiting for an outcome: the acknowledgement lands a second after creation.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await server.gql(ACKNOWLEDGE_ALERT, { id: created.id }, agent);

    const stale = await alertWhen(id, (a) => a.staleNotifiedAt !== null, "ALERT_STALE raised");
    expect(stale.lastActivityAt.getTime()).toBe(stale.acknowledgedAt!.getTime());
    expect(stale.staleNotifiedAt!.getTime() - stale.acknowledgedAt!.getTime()).toBeGreaterThanOrEqual(2000);
    const jobs = await settledJobs(alertStalenessJob, id);
    expect(jobs.length).toBe(2); // the first check found recent activity and scheduled a second
    expect((await auditActions(server, id)).filter((a) => a === "alert.stale")).toHaveLength(1);
  });

  it("never raises a resolved alert as stale", async () => {
    const created = await createAlertAs(server, admin, { title: "Fixed fast", severity: "LOW" });
    const id = databaseId(created.id);
    const resolved = await server.gql(`mutation($id: ID!) { resolveAlert(id: $id) { status } }`, { id: created.id }, agent);
    expect(resolved.data).toEqual({ resolveAlert: { status: "RESOLVED" } });
    await settledJobs(alertStalenessJob, id);
    expect((await readAlert(id)).staleNotifiedAt).toBeNull();
    expect(await auditActions(server, id)).toEqual(["alert.created", "alert.resolved"]);
  });
});
