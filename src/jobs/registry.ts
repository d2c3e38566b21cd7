import { alertJobs } from "../alerts/jobs.js";
import { deadDeliveryJobs, deliveryJobs } from "../delivery/jobs.js";
import { digestJobs } from "../digests/jobs.js";
import { notificationJobs } from "../notifications/jobs.js";
import { numberVerificationJob } from "../preferences/verify-number.js";
import { privacyJobs } from "../privacy/jobs.js";
import { metaWebhookJobs } from "../webhooks/meta/jobs.js";
import type { JobDefinition } from "./define.js";
import { deadSendMessageJob, sendMessageJob } from "../conversations/outbound/outbox-job.js";
import { readReceiptJob } from "../conversations/outbound/read-receipt.js";
import { templateJobs } from "../conversations/templates/sync.js";

/** Every job Aviso runs, one list per domain. */
export const jobs: readonly JobDefinition[] = [
  ...metaWebhookJobs,
  ...notificationJobs,
  ...Object.values(deliveryJobs),
  ...Object.values(deadDeliveryJobs),
  ...alertJobs,
  sendMessageJob,
  deadSendMessageJob,
  readReceiptJob,
  ...templateJobs,
  ...digestJobs,
  ...privacyJobs,
  numberVerificationJob,
];
