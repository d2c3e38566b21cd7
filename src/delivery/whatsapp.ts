import { keyringFor } from "../secrets/encryption.js";
import { z } from "zod";
import type { PrismaClient } from "../db/client.js";
import { maskPhone } from "../observability/log.js";
import type { Runtime } from "../runtime.js";
import type { Channel, DeliveryContext, SentMessage } from "./channel.js";
import { PermanentDeliveryError, TransientDeliveryError } from "./channel.js";
import { truncate } from "../text/preview.js";
import { localizedPath, renderTemplate } from "../text/templates.js";
import { notificationView, type NotificationView } from "./view.js";

/** Meta lets a business send free text for 24 hours after the person last wrote to it. */
const SERVICE_WINDOW_MS = 24 * 3600 * 1000;

/**
 * Cloud API error codes that mean "later": throughput (130429), pair rate (131056),
 * "something went wrong" / unavailable (131000, 131016, 133004), Graph API transient
 * (1, 2) and call-rate limits (4, 80007). 131047 (outside the window) switches to the
 * approved template; every other 4xx — 131026 undeliverable, 100 bad parameter,
 * 190 expired token — is permanent.
 */
const TRANSIENT_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131056, 133004]);
const RE_ENGAGEMENT_REQUIRED = 131047;

const sentResponse = z.object({ messages: z.array(z.object({ id: z.string() })).min(1) });
const errorResponse = z.object({ error: z.object({ message: z.string().optional(), code: z.number().optional() }) });

class MetaApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** WhatsApp to the agent's own phone, sent from the organization's connected number. */
export const whatsappChannel: Channel = {
  name: "WHATSAPP",

  async skipReason(context, runtime) {
    if (!context.user.whatsappNotificationNumber) return "no WhatsApp number";
    return (await senderOf(runtime.prisma, context.organization)) ? null : "no connected WhatsApp number";
  },

  async send(context, runtime) {
    const sender = (await senderOf(runtime.prisma, context.organization))!;
    const to = context.user.whatsappNotificationNumber!.replace(/\D/g, "");
    const view = notificationView(context, runtime.config);
    const post = (message: object) => postMessage(runtime, sender, { messaging_product: "whatsapp", recipient_type: "individual", to, ...message });
    const lastInbound = context.user.whatsappLastInboundAt?.getTime() ?? 0;
    try {
      if (Date.now() - lastInbound < SERVICE_WINDOW_MS) {
        try {
          return await post({ type: "text", text: { preview_url: false, body: whatsappText(view, context) } });
        } catch (error) {
          if (!(error instanceof MetaApiError && error.code === RE_ENGAGEMENT_REQUIRED)) throw error;
          runtime.log.info({ deliveryId: context.delivery.id, to: maskPhone(to) }, "outside the 24-hour window: sending the approved template");
        }
      }
      return await post(templateMessage(view, context));
    } catch (error) {
      throw classifyMetaError(error);
    }
  },
};

/** The text a notification sends inside the 24-hour window (templates/whatsapp/). */
export function whatsappText(view: NotificationView, context: Pick<DeliveryContext, "locale">): string {
  const path = localizedPath("whatsapp", view.template, "notification", context.locale);
  // WhatsApp caps a text body at 4096 characters; ours are far shorter, this is a guard.
  return truncate(renderTemplate(path, view, "none"), 4096);
}

/**
 * The organization's approved template, for numbers outside the window. Its body
 * takes four parameters: organization, who/what, the reference, the preview.
 */
export function templateMessage(view: NotificationView, context: Pick<DeliveryContext, "organization">): object {
  const { conversation, alert } = view;
  const values = conversation
    ? [view.organizationName, conversation.contactName, `#${conversation.number}`, conversation.preview]
    : [view.organizationName, view.title, alert ? alert.severity : "-", view.body || "-"];
  return {
    type: "template",
    template: {
      name: context.organization.whatsappTemplateName,
      language: { code: context.organization.whatsappTemplateLanguage },
      // Template parameters may not hold line breaks; truncate() flattens them.
      components: [{ type: "body", parameters: values.map((value) => ({ type: "text", text: truncate(value, 1000) })) }],
    },
  };
}

/** The number the organization chose to send notifications (`notificationSenderNumberId`), else its first connected one. */
async function senderOf(prisma: PrismaClient, organization: { id: string; notificationSenderNumberId: string | null }) {
  const chosen = organization.notificationSenderNumberId
    ? await prisma.whatsAppNumber.findFirst({ where: { id: organization.notificationSenderNumberId, organizationId: organization.id } })
    : null;
  return chosen ?? prisma.whatsAppNumber.findFirst({ where: { organizationId: organization.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

async function postMessage(runtime: Runtime, sender: { phoneNumberId: string; accessToken: string }, body: object): Promise<SentMessage> {
  const { WHATSAPP_API_URL, WHATSAPP_API_VERSION } = runtime.config;
  const url = `${WHATSAPP_API_URL.replace(/\/+$/, "")}/${WHATSAPP_API_VERSION}/${sender.phoneNumberId}/messages`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${keyringFor(runtime.config).decrypt(sender.accessToken)}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new TransientDeliveryError(`Graph API unreachable: ${(error as Error).message}`);
  }
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = errorResponse.safeParse(payload);
    const code = error.success ? error.data.error.code : undefined;
    throw new MetaApiError(response.status, code, error.success ? (error.data.error.message ?? "") : `HTTP ${response.status}`);
  }
  const sent = sentResponse.safeParse(payload);
  if (!sent.success) throw new TransientDeliveryError("Graph API answered without a message id");
  return { providerMessageId: sent.data.messages[0]!.id };
}

function classifyMetaError(error: unknown): Error {
  if (!(error instanceof MetaApiError)) return error as Error;
  const reason = `Meta ${error.code ?? `HTTP ${error.status}`}: ${error.message}`.slice(0, 300);
  const transient = error.status >= 500 || error.status === 429 || (error.code !== undefined && TRANSIENT_CODES.has(error.code));
  return transient ? new TransientDeliveryError(reason) : new PermanentDeliveryError(reason);
}

/**
 * A plain text from the organization's connected number to `toE164` (e.g. a
 * verification code). Throws a DeliveryError with Meta's reason when it is refused.
 */
export async function sendWhatsAppText(runtime: Runtime, organizationId: string, toE164: string, text: string): Promise<void> {
  const organization = await runtime.prisma.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { id: true, notificationSenderNumberId: true } });
  const sender = await senderOf(runtime.prisma, organization);
  if (!sender) throw new PermanentDeliveryError("no connected WhatsApp number");
  try {
    await postMessage(runtime, sender, { messaging_product: "whatsapp", recipient_type: "individual", to: toE164.replace(/\D/g, ""), type: "text", text: { preview_url: false, body: text } });
  } catch (error) {
    throw classifyMetaError(error);
  }
}
