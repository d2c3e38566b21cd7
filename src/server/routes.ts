import type { IncomingMessage, ServerResponse } from "node:http";
import type { Runtime } from "../runtime.js";
import { metaWebhookRoute } from "../webhooks/meta/route.js";

/** A plain HTTP route beside GraphQL (webhooks, health, metrics). */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, runtime: Runtime) => Promise<void>;

/** Routes that API instances serve besides /graphql, by path. Domains add theirs here. */
export const apiRoutes: Record<string, RouteHandler> = {
  "/webhooks/meta": metaWebhookRoute,
};
