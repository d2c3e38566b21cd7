import {
  AcknowledgeAlertDocument,
  AlertByIdDocument,
  CreateAlertDocument,
  EscalateAlertDocument,
  ResolveAlertDocument,
  type AlertFieldsFragment,
  type CreateAlertInput,
} from "../generated/operations.js";
import type { TestServer } from "../helpers/server.js";

/** The alert as the API shows it (every field), typed by codegen from test/operations/alerts.graphql. */
export type AlertView = AlertFieldsFragment;

export {
  AcknowledgeAlertDocument as ACKNOWLEDGE_ALERT,
  AlertByIdDocument as ALERT,
  CreateAlertDocument as CREATE_ALERT,
  EscalateAlertDocument as ESCALATE_ALERT,
  ResolveAlertDocument as RESOLVE_ALERT,
};

/** Creates an alert over HTTP as `token`'s user and returns it (failing loudly on errors). */
export async function createAlertAs(server: TestServer, token: string, input: Record<string, unknown>): Promise<AlertView> {
  // Callers pass plain objects (severity as a string); the server validates them.
  const result = await server.gql(CreateAlertDocument, { input: input as CreateAlertInput }, token);
  if (result.errors) throw new Error(`createAlert failed: ${JSON.stringify(result.errors)}`);
  return result.data!.createAlert;
}

/** The database id behind a relay global id ("Alert:<uuid>", base64). */
export function databaseId(globalId: string): string {
  return Buffer.from(globalId, "base64").toString("utf8").split(":").slice(1).join(":");
}

/** Audit actions recorded for one alert, oldest first. */
export async function auditActions(server: TestServer, alertId: string): Promise<string[]> {
  const rows = await server.app.runtime.prisma.auditLog.findMany({
    where: { entityType: "Alert", entityId: alertId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return rows.map((row) => row.action);
}
