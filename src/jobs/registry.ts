import { alertJobs } from "../alerts/jobs.js";
import { deliveryJobs } from "../delivery/jobs.js";
import { metaWebhookJobs } from "../webhooks/meta/jobs.js";
import type { JobDefinition } from "./define.js";

/** Every job Aviso runs, one list per domain. */
export const jobs: readonly JobDefinition[] = [...Object.values(deliveryJobs), ...metaWebhookJobs, ...alertJobs];
