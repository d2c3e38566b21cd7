import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connect, subscribe, type SocketClient } from "../helpers/ws.js";
import { ACKNOWLEDGE_ALERT, auditActions, createAlertAs, databaseId, RESOLVE_ALERT, type AlertView } from "./helpers.js";

// Long default delays: nothing escalates or goes stale by itself while these run.
let server: TestServer;
let tokens: Record<"demoAdmin" | "demoAgent" | "demoViewer" | "acmeAdmin", string>;
const sockets: SocketClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
  tokens = {
    demoAdmin: await server.token("admin@demo.test"),
    demoAgent: await server.token("agent@demo.test"),
    demoViewer: await server.token("viewer@demo.test"),
    acmeAdmin: await server.token("admin@acme.test"),
  };
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.dispose()));
  await server?.stop();
});

const ALERT_CHANGED = `subscription { alertChanged { id status title escalationLevel } }`;
type Changed = { alertChanged: { id: string; status: string; title: string } };

async function subscribeAs(token: string) {
  const socket = connect(server.wsUrl, `Bearer ${token}`);
  sockets.push(socket);
  await socket.connected;
  return subscribe<Changed>(socket, ALERT_CHANGED);
}

type Events = ReturnType<typeof subscribe<Changed>>;

/**
 * A subscription goes live a moment after the client sends it, with no signal: create
 * warm-up alerts until one is heard. Later warm-up echoes are skipped by `nextChange`.
 */
async function untilLive(events: Events, token: string) {
  for (let attempt = 0; attempt < 50; attempt++) {
    await createAlertAs(server, token, { title: "warm-up", severity: "LOW", dedupeKey: "warm-up" });
    try {
      return await events.next(200);
    } catch {
      // not live yet
    }
  }
  throw new Error("subscription never went live");
}

async function nextChange(events: Events) {
  for (;;) {
    const event = await events.next();
    if (event.data?.alertChanged.title !== "warm-up") return event.data?.alertChanged;
  }
}

describe("the alert lifecycle", () => {
  it("opens, acknowledges and resolves an alert, telling the organization's sockets and no one else's", async () => {
    const demoEvents = await subscribeAs(tokens.demoAdmin);
    const acmeEvents = await subscribeAs(tokens.acmeAdmin);
    await untilLive(demoEvents, tokens.demoAdmin);
    await untilLive(acmeEvents, tokens.acmeAdmin);

    const created = await createAlertAs(server, tokens.demoAdmin, {
      title: "  WhatsApp deliveries failing  ",
      description: "Graph API answers 500",
      severity: "CRITICAL",
      category: "whatsapp",
    });
    expect(created).toMatchObject({ title: "WhatsApp deliveries failing", severity: "CRITICAL", category: "whatsapp", status: "OPEN", occurrences: 1, escalationLevel: 0 });
    expect(await nextChange(demoEvents)).toMatchObject({ id: created.id, status: "OPEN" });

    const acknowledged = await server.gql<{ acknowledgeAlert: AlertView }>(ACKNOWLEDGE_ALERT, { id: created.id }, tokens.demoAgent);
    expect(acknowledged.errors).toBeUndefined();
    expect(acknowledged.data?.acknowledgeAlert.status).toBe("ACKNOWLEDGED");
    expect(acknowledged.data?.acknowledgeAlert.acknowledgedAt).not.toBeNull();
    expect(await nextChange(demoEvents)).toMatchObject({ id: created.id, status: "ACKNOWLEDGED" });

    const resolved = await server.gql<{ resolveAlert: AlertView }>(RESOLVE_ALERT, { id: created.id, resolution: "Token rotated" }, tokens.demoAgent);
    expect(resolved.errors).toBeUndefined();
    expect(resolved.data?.resolveAlert).toMatchObject({ status: "RESOLVED", resolution: "Token rotated" });
    expect(await nextChange(demoEvents)).toMatchObject({ id: created.id, status: "RESOLVED" });

    // Acme's socket heard none of it: the next thing it hears is acme's own alert.
    const acmeOwn = await createAlertAs(server, tokens.acmeAdmin, { title: "Acme only", severity: "LOW" });
    expect(await nextChange(acmeEvents)).toMatchObject({ id: acmeOwn.id, title: "Acme only" });
    expect(acmeEvents.pending().filter((e) => e.data?.alertChanged.title !== "warm-up")).toEqual([]);

    const row = await server.app.runtime.prisma.alert.findUniqueOrThrow({ where: { id: databaseId(created.id) } });
    const [admin, agent] = await Promise.all(["admin@demo.test", "agent@demo.test"].map((email) => server.app.runtime.prisma.user.findUniqueOrThrow({ where: { email } })));
    expect(row).toMatchObject({ createdById: admin!.id, acknowledgedById: agent!.id, resolvedById: agent!.id });
    expect(row.lastActivityAt.getTime()).toBe(row.resolvedAt!.getTime());
    expect(await auditActions(server, row.id)).toEqual(["alert.created", "alert.acknowledged", "alert.resolved"]);
  });

  it("escalates by hand one level at a time, up to level 2", async () => {
    const alert = await createAlertAs(server, tokens.demoAdmin, { title: "Queue backlog", severity: "HIGH" });
    const escalate = `mutation($id: ID!, $reason: String) { escalateAlert(id: $id, reason: $reason) { status escalationLevel escalatedAt } }`;
    const first = await server.gql<{ escalateAlert: { status: string; escalationLevel: number } }>(escalate, { id: alert.id, reason: "nobody answers" }, tokens.demoAgent);
    expect(first.data?.escalateAlert).toMatchObject({ status: "ESCALATED", escalationLevel: 1 });
    const second = await server.gql<{ escalateAlert: { escalationLevel: number } }>(escalate, { id: alert.id }, tokens.demoAdmin);
    expect(second.data?.escalateAlert.escalationLevel).toBe(2);
    const third = await server.gql(escalate, { id: alert.id }, tokens.demoAdmin);
    expect(third.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "id" });
    const audits = await server.app.runtime.prisma.auditLog.findMany({ where: { entityId: databaseId(alert.id), action: "alert.escalated" }, orderBy: { createdAt: "asc" } });
    expect(audits.map((a) => a.data)).toEqual([
      { level: 1, automatic: false, reason: "nobody answers" },
      { level: 2, automatic: false, reason: null },
    ]);
  });

  it("refuses transitions that make no sense with BAD_USER_INPUT", async () => {
    const alert = await createAlertAs(server, tokens.demoAdmin, { title: "Disk almost full", severity: "MEDIUM" });
    const ack = () => server.gql(ACKNOWLEDGE_ALERT, { id: alert.id }, tokens.demoAgent);
    const resolve = () => server.gql(RESOLVE_ALERT, { id: alert.id }, tokens.demoAgent);
    const escalate = () => server.gql(`mutation($id: ID!) { escalateAlert(id: $id) { id } }`, { id: alert.id }, tokens.demoAgent);

    expect((await ack()).errors).toBeUndefined();
    expect((await ack()).errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "id" });
    expect((await resolve()).errors).toBeUndefined();
    for (const attempt of [resolve, ack, escalate]) {
      expect((await attempt()).errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "id" });
    }
    expect(await auditActions(server, databaseId(alert.id))).toEqual(["alert.created", "alert.acknowledged", "alert.resolved"]);
  });

  it("refuses bad input with BAD_USER_INPUT naming the field", async () => {
    for (const title of ["", "   ", "x".repeat(201)]) {
      const result = await server.gql(`mutation($input: CreateAlertInput!) { createAlert(input: $input) { id } }`, { input: { title, severity: "LOW" } }, tokens.demoAdmin);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "title" });
    }
    const longDescription = await server.gql(`mutation($input: CreateAlertInput!) { createAlert(input: $input) { id } }`, { input: { title: "ok", description: "x".repeat(5001) } }, tokens.demoAdmin);
    expect(longDescription.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "description" });
    for (const id of ["not-a-global-id", Buffer.from("Alert:not-a-uuid").toString("base64"), Buffer.from("User:0190a8e0-0000-7000-8000-000000000000").toString("base64")]) {
      const result = await server.gql(`query($id: ID!) { alert(id: $id) { id } }`, { id }, tokens.demoAdmin);
      expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
    const missing = await server.gql(`query($id: ID!) { alert(id: $id) { id } }`, { id: Buffer.from("Alert:0190a8e0-0000-7000-8000-000000000000").toString("base64") }, tokens.demoAdmin);
    expect(missing.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(await server.app.runtime.prisma.alert.count({ where: { title: "ok" } })).toBe(0);
  });

  it("lets org admins create alerts, agents act on them and viewers only read them", async () => {
    const input = { title: "Role check", severity: "LOW" };
    for (const token of [tokens.demoAgent, tokens.demoViewer]) {
      const result = await server.gql(`mutation($input: CreateAlertInput!) { createAlert(input: $input) { id } }`, { input }, token);
      expect(result.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    const anonymous = await server.gql(`{ alerts { edges { node { id } } } }`);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const alert = await createAlertAs(server, tokens.demoAdmin, input);
    for (const mutation of [ACKNOWLEDGE_ALERT, RESOLVE_ALERT, `mutation($id: ID!) { escalateAlert(id: $id) { id } }`]) {
      const result = await server.gql(mutation, { id: alert.id }, tokens.demoViewer);
      expect(result.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    const read = await server.gql<{ alert: { title: string; status: string } }>(`query($id: ID!) { alert(id: $id) { title status } }`, { id: alert.id }, tokens.demoViewer);
    expect(read.data?.alert).toEqual({ title: "Role check", status: "OPEN" });
    expect(await server.app.runtime.prisma.alert.count({ where: { title: "Role check" } })).toBe(1);
  });

  it("keeps alerts inside their organization: another one cannot read, list, acknowledge, escalate or resolve them", async () => {
    const alert = await createAlertAs(server, tokens.demoAdmin, { title: "Demo secret outage", severity: "HIGH" });
    const asAcme = (query: string, variables: Record<string, unknown> = { id: alert.id }) => server.gql(query, variables, tokens.acmeAdmin);
    expect((await asAcme(`query($id: ID!) { alert(id: $id) { id } }`)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    for (const mutation of [ACKNOWLEDGE_ALERT, RESOLVE_ALERT, `mutation($id: ID!) { escalateAlert(id: $id) { id } }`]) {
      expect((await asAcme(mutation)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    }
    const node = await asAcme(`query($id: ID!) { node(id: $id) { id } }`);
    expect((node.data as { node: unknown } | undefined)?.node ?? null).toBeNull();
    const list = await asAcme(`{ alerts(first: 100) { edges { node { title } } } }`, {});
    const titles = (list.data as { alerts: { edges: Array<{ node: { title: string } }> } }).alerts.edges.map((e) => e.node.title);
    expect(titles).not.toContain("Demo secret outage");
    expect(titles.length).toBeGreaterThan(0);
    const untouched = await server.app.runtime.prisma.alert.findUniqueOrThrow({ where: { id: databaseId(alert.id) } });
    expect(untouched).toMatchObject({ status: "OPEN", escalationLevel: 0, acknowledgedAt: null });
    expect(await auditActions(server, untouched.id)).toEqual(["alert.created"]);
  });

  it("lists the organization's alerts newest first, filtered by status and severity, page by page", async () => {
    const made: AlertView[] = [];
    for (const severity of ["LOW", "CRITICAL", "LOW"]) made.push(await createAlertAs(server, tokens.demoAdmin, { title: `List ${severity}`, severity, category: "listing" }));
    const query = `query($status: AlertStatus, $severity: AlertSeverity, $first: Int, $after: String) {
      alerts(status: $status, severity: $severity, first: $first, after: $after) { edges { cursor node { id severity status createdAt } } pageInfo { hasNextPage endCursor } } }`;
    type Page = { alerts: { edges: Array<{ node: { id: string; severity: string; status: string; createdAt: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const all = await server.gql<Page>(query, { first: 100 }, tokens.demoViewer);
    const nodes = all.data!.alerts.edges.map((e) => e.node);
    const times = nodes.map((n) => n.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(nodes.slice(0, 3).map((n) => n.id)).toEqual(made.map((m) => m.id).reverse());

    const low = await server.gql<Page>(query, { severity: "LOW", status: "OPEN", first: 1 }, tokens.demoViewer);
    expect(low.data!.alerts.edges.map((e) => e.node.id)).toEqual([made[2]!.id]);
    expect(low.data!.alerts.pageInfo.hasNextPage).toBe(true);
    const next = await server.gql<Page>(query, { severity: "LOW", status: "OPEN", first: 1, after: low.data!.alerts.pageInfo.endCursor }, tokens.demoViewer);
    expect(next.data!.alerts.edges.map((e) => e.node.id)).toEqual([made[0]!.id]);
    const resolvedOnly = await server.gql<Page>(query, { status: "RESOLVED", first: 100 }, tokens.demoViewer);
    expect(resolvedOnly.data!.alerts.edges.every((e) => e.node.status === "RESOLVED")).toBe(true);
  });
});

describe("dedupe by key", () => {
  it("counts a repeat of an unresolved alert's key as an occurrence, and opens a new alert once it is resolved", async () => {
    const first = await createAlertAs(server, tokens.demoAdmin, { title: "Slack webhook 404", severity: "HIGH", dedupeKey: "slack-404" });
    const second = await createAlertAs(server, tokens.demoAdmin, { title: "Slack webhook 404 again", severity: "HIGH", dedupeKey: "slack-404" });
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({ occurrences: 2, title: "Slack webhook 404" });
    expect(new Date(second.lastActivityAt).getTime()).toBeGreaterThanOrEqual(new Date(first.lastActivityAt).getTime());
    expect(await server.app.runtime.prisma.alert.count({ where: { dedupeKey: "slack-404" } })).toBe(1);
    expect(await auditActions(server, databaseId(first.id))).toEqual(["alert.created", "alert.occurred"]);

    // Same key in another organization: its own alert.
    const acme = await createAlertAs(server, tokens.acmeAdmin, { title: "Slack webhook 404", severity: "HIGH", dedupeKey: "slack-404" });
    expect(acme.id).not.toBe(first.id);
    expect(acme.occurrences).toBe(1);

    await server.gql(RESOLVE_ALERT, { id: first.id }, tokens.demoAgent);
    const reopened = await createAlertAs(server, tokens.demoAdmin, { title: "Slack webhook 404", severity: "HIGH", dedupeKey: "slack-404" });
    expect(reopened.id).not.toBe(first.id);
    expect(reopened).toMatchObject({ status: "OPEN", occurrences: 1 });
  });

  it("opens one alert for concurrent creates with the same key", async () => {
    const attempts = 8;
    const results = await Promise.all(
      Array.from({ length: attempts }, (_, i) => createAlertAs(server, tokens.demoAdmin, { title: `Burst ${i}`, severity: "MEDIUM", dedupeKey: "burst" })),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const rows = await server.app.runtime.prisma.alert.findMany({ where: { dedupeKey: "burst" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.occurrences).toBe(attempts);
    // One ALERT_CREATED path ran; the rest were occurrences.
    const actions = await auditActions(server, rows[0]!.id);
    expect(actions.filter((a) => a === "alert.created")).toHaveLength(1);
    expect(actions.filter((a) => a === "alert.occurred")).toHaveLength(attempts - 1);
  });
});

describe("system alerts", () => {
  it("are raised by Aviso itself with no creator, and dedupe like any other", async () => {
    const { raiseSystemAlert } = await import("../../src/alerts/raise-system-alert.js");
    const { runtime } = server.app;
    const demo = await runtime.prisma.organization.findUniqueOrThrow({ where: { slug: "demo" } });
    const input = { organizationId: demo.id, title: "Deliveries dying on SLACK", severity: "HIGH" as const, dedupeKey: "delivery-dead:SLACK" };
    const first = await raiseSystemAlert(runtime, input);
    const again = await raiseSystemAlert(runtime, input);
    expect(first.deduplicated).toBe(false);
    expect(again).toMatchObject({ deduplicated: true, alert: { id: first.alert.id, occurrences: 2 } });
    expect(first.alert).toMatchObject({ createdById: null, category: "system", status: "OPEN" });
    const audit = await runtime.prisma.auditLog.findFirstOrThrow({ where: { entityId: first.alert.id, action: "alert.created" } });
    expect(audit.actorId).toBeNull();
  });
});

describe("alertSummary", () => {
  it("counts a period's alerts by severity and status and averages the time to acknowledge and resolve", async () => {
    const { prisma } = server.app.runtime;
    const [demo, acme] = await Promise.all(["demo", "acme"].map((slug) => prisma.organization.findUniqueOrThrow({ where: { slug } })));
    const at = (minutes: number) => new Date(Date.UTC(2020, 0, 10, 12, minutes));
    // Rows dated in 2020, so the period holds exactly these whatever else the tests opened.
    await prisma.alert.createMany({
      data: [
        { organizationId: demo!.id, title: "a", severity: "CRITICAL", status: "RESOLVED", createdAt: at(0), acknowledgedAt: at(1), resolvedAt: at(10) },
        { organizationId: demo!.id, title: "b", severity: "CRITICAL", status: "ACKNOWLEDGED", createdAt: at(0), acknowledgedAt: at(3) },
        { organizationId: demo!.id, title: "c", severity: "LOW", status: "RESOLVED", createdAt: at(0), resolvedAt: at(30) },
        { organizationId: demo!.id, title: "d", severity: "HIGH", status: "OPEN", createdAt: at(5) },
        // Outside the period (to is exclusive) and in another organization:
        { organizationId: demo!.id, title: "e", severity: "HIGH", status: "OPEN", createdAt: new Date(Date.UTC(2020, 1, 1)) },
        { organizationId: acme!.id, title: "f", severity: "HIGH", status: "OPEN", createdAt: at(0) },
      ],
    });
    const query = `query($from: DateTime, $to: DateTime) { alertSummary(from: $from, to: $to) {
      total bySeverity { severity count } byStatus { status count } meanSecondsToAcknowledge meanSecondsToResolve } }`;
    const period = { from: "2020-01-01T00:00:00.000Z", to: "2020-02-01T00:00:00.000Z" };
    const demoSummary = await server.gql<{ alertSummary: Record<string, unknown> }>(query, period, tokens.demoViewer);
    expect(demoSummary.errors).toBeUndefined();
    expect(demoSummary.data?.alertSummary).toEqual({
      total: 4,
      bySeverity: [
        { severity: "CRITICAL", count: 2 },
        { severity: "HIGH", count: 1 },
        { severity: "MEDIUM", count: 0 },
        { severity: "LOW", count: 1 },
      ],
      byStatus: [
        { status: "OPEN", count: 1 },
        { status: "ACKNOWLEDGED", count: 1 },
        { status: "ESCALATED", count: 0 },
        { status: "RESOLVED", count: 2 },
      ],
      meanSecondsToAcknowledge: 120, // (60 + 180) / 2
      meanSecondsToResolve: 1200, // (600 + 1800) / 2
    });
    const acmeSummary = await server.gql<{ alertSummary: { total: number; meanSecondsToAcknowledge: number | null } }>(query, period, tokens.acmeAdmin);
    expect(acmeSummary.data?.alertSummary).toMatchObject({ total: 1, meanSecondsToAcknowledge: null });
    const backwards = await server.gql(query, { from: period.to, to: period.from }, tokens.demoViewer);
    expect(backwards.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "to" });
  });
});

