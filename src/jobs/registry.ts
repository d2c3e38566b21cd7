import { alertJobs } from "../alerts/jobs.js";
import { deadDeliveryJobs, deliveryJobs } from "../delivery/jobs.js";
import { notificationJobs } from "../notifications/jobs.js";
import { numberVerificationJob } from "../preferences/verify-number.js";
import { privacyJobs } from "../privacy/jobs.js";
import { metaWebhookJobs } from "../webhooks/meta/jobs.js";
import type { JobDefinition } from "./define.js";

/** Every job Aviso runs, one list per domain. */
export const jobs: readonly JobDefinition[] = [
  ...metaWebhookJobs,
  ...notificationJobs,
  ...Object.values(deliveryJobs),
  ...Object.values(deadDeliveryJobs),
  ...alertJobs,
  ...privacyJobs,
  numberVerificationJob,
];
