import { deadDeliveryJob } from "../alerts/deliveries-dying.js";
import { alertJobs } from "../alerts/jobs.js";
import { deadDeliveryJobs, deliveryJobs } from "../delivery/jobs.js";
import { notificationJobs } from "../notifications/jobs.js";
import { metaWebhookJobs } from "../webhooks/meta/jobs.js";
import type { JobDefinition } from "./define.js";

/** Every job Aviso runs, one list per domain. */
export const jobs: readonly JobDefinition[] = [
  ...metaWebhookJobs,
  ...notificationJobs,
  ...Object.values(deliveryJobs),
  ...Object.values(deadDeliveryJobs),
  ...alertJobs,
  deadDeliveryJob,
];
