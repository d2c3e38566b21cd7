import { z } from "zod";
import { defineJob } from "../jobs/define.js";
import { applyRetention } from "./retention.js";

// Cron ticks carry no payload (pg-boss sends null).
const tick = z.object({}).passthrough().nullish();

export const privacyJobs = [
  defineJob({ name: "data-retention", schema: tick, cron: "41 3 * * *", handler: async (_data, runtime) => void (await applyRetention(runtime)) }),
];
