import type { IncomingMessage, ServerResponse } from "node:http";
import type { Runtime } from "../runtime.js";
import { metaWebhookRoute } from "../webhooks/meta/route.js";
import { mediaRoute } from "../conversations/media/routes.js";

/** A plain HTTP route beside GraphQL (webhooks, health, metrics). */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, runtime: Runtime) => Promise<void>;

/** Routes that API instances serve besides /graphql, by path. Domains add theirs here. */
export const apiRoutes: Record<string, RouteHandler> = {
  "/webhooks/meta": metaWebhookRoute,
  "/media": mediaRoute,
};

/** The route for a path: exact, or the one of its first segment (`/media/:messageId` → `/media`). */
export function routeFor(path: string): RouteHandler | undefined {
  return apiRoutes[path] ?? apiRoutes[`/${path.split("/")[1] ?? ""}`];
}
