import { z } from "zod";
import type { Prisma } from "../../db/client.js";
import { defineJob } from "../../jobs/define.js";
import type { Runtime } from "../../runtime.js";
import type { ServiceContext } from "../../service-context.js";
import { parameterCountOf } from "../outbound/content.js";
import { listTemplates, type GraphTemplate } from "../outbound/graph-api.js";

/**
 * Copies an organization's WhatsApp templates from Meta (`GET /{waba_id}/message_templates`
 * of each connected number that names its WABA) into MessageTemplate: name, language,
 * category, status, body text and its parameter count. Templates Meta no longer lists are
 * removed, so an agent never picks one that was deleted. Returns how many are stored.
 */
export async function syncMessageTemplates(runtime: Runtime, organizationId: string): Promise<number> {
  const numbers = await runtime.prisma.whatsAppNumber.findMany({
    where: { organizationId, businessAccountId: { not: null } },
    select: { businessAccountId: true, accessToken: true },
  });
  const accounts = new Map(numbers.map((n) => [n.businessAccountId!, n.accessToken]));
  let stored = 0;
  for (const [businessAccountId, token] of accounts) {
    const templates = await listTemplates(runtime.config, token, businessAccountId);
    const now = new Date();
    await runtime.prisma.$transaction(async (tx) => {
      for (const template of templates) await upsertTemplate(tx, organizationId, businessAccountId, template, now);
      await tx.messageTemplate.deleteMany({ where: { organizationId, businessAccountId, syncedAt: { lt: now } } });
    });
    stored += templates.length;
  }
  runtime.log.info({ organizationId, templates: stored }, "message templates synced");
  return stored;
}

async function upsertTemplate(tx: Prisma.TransactionClient, organizationId: string, businessAccountId: string, template: GraphTemplate, now: Date) {
  const body = template.components?.find((c) => c.type.toUpperCase() === "BODY")?.text ?? null;
  const fields = {
    businessAccountId,
    externalId: template.id ?? null,
    category: template.category ?? "UNKNOWN",
    status: template.status.toUpperCase(),
    bodyText: body,
    parameterCount: parameterCountOf(body),
    components: (template.components ?? []) as Prisma.InputJsonValue,
    syncedAt: now,
  };
  await tx.messageTemplate.upsert({
    where: { organizationId_name_language: { organizationId, name: template.name, language: template.language } },
    create: { organizationId, name: template.name, language: template.language, ...fields },
    update: fields,
  });
}

/** `syncMessageTemplates` for the caller's organization (its admins). */
export function syncOwnMessageTemplates({ runtime, actor }: ServiceContext): Promise<number> {
  return syncMessageTemplates(runtime, actor.organizationId);
}

/** Every organization with a WABA id, once an hour; a failing one does not stop the others. */
export async function syncAllMessageTemplates(runtime: Runtime): Promise<void> {
  const organizations = await runtime.prisma.whatsAppNumber.findMany({ where: { businessAccountId: { not: null } }, distinct: ["organizationId"], select: { organizationId: true } });
  for (const { organizationId } of organizations) {
    await syncMessageTemplates(runtime, organizationId).catch((error: unknown) => runtime.log.warn({ organizationId, err: (error as Error).message }, "template sync failed"));
  }
}

export const templateJobs = [
  defineJob({
    name: "sync-message-templates",
    // Cron ticks carry no payload.
    schema: z.object({}).passthrough().nullish(),
    cron: "23 * * * *",
    handler: (_data, runtime) => syncAllMessageTemplates(runtime),
  }),
];
