import type { TestServer } from "../helpers/server.js";

export const ALERT_FIELDS = `id title description severity category status occurrences escalationLevel createdAt acknowledgedAt escalatedAt resolvedAt resolution lastActivityAt staleNotifiedAt dedupeKey`;

export interface AlertView {
  id: string;
  title: string;
  description: string | null;
  severity: string;
  category: string | null;
  status: string;
  occurrences: number;
  escalationLevel: number;
  createdAt: string;
  acknowledgedAt: string | null;
  escalatedAt: string | null;
  resolvedAt: string | null;
  resolution: string | null;
  lastActivityAt: string;
  staleNotifiedAt: string | null;
  dedupeKey: string | null;
}

export const CREATE_ALERT = `mutation($input: CreateAlertInput!) { createAlert(input: $input) { ${ALERT_FIELDS} } }`;
export const ACKNOWLEDGE_ALERT = `mutation($id: ID!) { acknowledgeAlert(id: $id) { ${ALERT_FIELDS} } }`;
export const ESCALATE_ALERT = `mutation($id: ID!, $reason: String) { escalateAlert(id: $id, reason: $reason) { ${ALERT_FIELDS} } }`;
export const RESOLVE_ALERT = `mutation($id: ID!, $resolution: String) { resolveAlert(id: $id, resolution: $resolution) { ${ALERT_FIELDS} } }`;
export const ALERT = `query($id: ID!) { alert(id: $id) { ${ALERT_FIELDS} } }`;

/** Creates an alert over HTTP as `token`'s user and returns it (failing loudly on errors). */
export async function createAlertAs(server: TestServer, token: string, input: Record<string, unknown>): Promise<AlertView> {
  const result = await server.gql<{ createAlert: AlertView }>(CREATE_ALERT, { input }, token);
  if (result.errors) throw new Error(`createAlert failed: ${JSON.stringify(result.errors)}`);
  return result.data!.createAlert;
}

/** The database id behind a relay global id ("Alert:<uuid>", base64). */
export function databaseId(globalId: string): string {
  return Buffer.from(globalId, "base64").toString("utf8").split(":").slice(1).join(":");
}

/** Audit actions recorded for one alert, oldest first. */
export async function auditActions(server: TestServer, alertId: string): Promise<string[]> {
  const rows = await server.app.runtime.prisma.auditLog.findMany({ where: { entityType: "Alert", entityId: alertId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return rows.map((row) => row.action);
}
