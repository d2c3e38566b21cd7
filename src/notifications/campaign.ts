import type { Runtime } from "../runtime.js";
import { notify, type NotifyResult } from "./engine.js";

/**
 * Tells an organization's admins that a campaign failed. Campaigns live outside
 * Aviso; whatever runs them calls this (in-app and, by the admins' defaults, email).
 */
export function raiseCampaignFailed(runtime: Runtime, input: { organizationId: string; campaignName: string; reason: string }): Promise<NotifyResult> {
  return notify(runtime, { type: "CAMPAIGN_FAILED", ...input });
}
