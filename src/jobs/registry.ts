import { deliveryJobs } from "../delivery/jobs.js";
import { notificationJobs } from "../notifications/jobs.js";
import type { JobDefinition } from "./define.js";

/** Every job Aviso runs, one list per domain. */
export const jobs: readonly JobDefinition[] = [...Object.values(deliveryJobs), ...notificationJobs];
