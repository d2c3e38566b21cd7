import { lexicographicSortSchema, printSchema } from "graphql";
import { builder } from "./builder.js";
import "./enums.js";
import "./node.js";
import "../organizations/schema.js";
import "../conversations/types.js";
import "../notifications/types.js";
import "../delivery/types.js";
import "../alerts/types.js";
import "../webhooks/meta/types.js";
import "../notifications/schema.js";
import "../conversations/schema.js";
import "../conversations/outbound/schema.js";
import "../webhooks/meta/schema.js";
import "../alerts/schema.js";
import "../delivery/schema.js";
import "../preferences/schema.js";
import "../queues/schema.js";
import "../conversations/inbox-fields.js";
import "../contacts/schema.js";
import "../teammates/schema.js";
import "../presence/schema.js";
import "../push/schema.js";
import "../digests/schema.js";
import "../organizations/tenants-schema.js";
import "../organizations/users-schema.js";
import "../organizations/api-keys-schema.js";
import "../notifications/trigger-schema.js";
import "../audit/schema.js";
import "../privacy/schema.js";

/** The whole API: each domain's schema.ts adds its types and fields to the builder. */
export const schema = builder.toSchema({ sortSchema: true });

/** schema.graphql as committed: printed, lexicographically sorted. */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
