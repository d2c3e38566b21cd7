import type { IncomingMessage, ServerResponse } from "node:http";
import type { Runtime } from "../runtime.js";
import { metaWebhookRoute } from "../webhooks/meta/route.js";
import { mediaRoute } from "../conversations/media/routes.js";

/** A plain HTTP route beside GraphQL (webhooks, health, metrics). */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, runtime: Runtime) => Promise<void>;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(payload) });
  res.end(payload);
}

export function sendText(res: ServerResponse, status: number, body: string, contentType = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** Routes that API instances serve besides /graphql, by path. Domains add theirs here. */
export const apiRoutes: Record<string, RouteHandler> = {
  "/webhooks/meta": metaWebhookRoute,
  "/media": mediaRoute,
};

/** The route for a path: exact, or the one of its first segment (`/media/:messageId` → `/media`). */
export function routeFor(path: string): RouteHandler | undefined {
  return apiRoutes[path] ?? apiRoutes[`/${path.split("/")[1] ?? ""}`];
}
