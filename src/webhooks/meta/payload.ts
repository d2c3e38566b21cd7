import { z } from "zod";
import { jsonSafetyProblem } from "./json-safety.js";

/**
 * The WhatsApp Business Account webhook as Meta documents it (Cloud API, `messages`
 * field). Only what Aviso reads is typed; everything else passes through untouched,
 * because Meta adds fields without notice and the raw payload is stored anyway.
 */

const unixSeconds = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number);

/** An error Meta attaches to a message, a status or the whole change. */
export const metaErrorSchema = z
  .object({
    code: z.number().int(),
    title: z.string().optional(),
    message: z.string().optional(),
    error_data: z.object({ details: z.string().optional() }).passthrough().optional(),
    href: z.string().optional(),
  })
  .passthrough();

const media = z
  .object({
    id: z.string().optional(),
    mime_type: z.string().optional(),
    sha256: z.string().optional(),
    caption: z.string().optional(),
    filename: z.string().optional(),
    voice: z.boolean().optional(),
    animated: z.boolean().optional(),
  })
  .passthrough();

const sharedContact = z
  .object({
    name: z.object({ formatted_name: z.string().optional(), first_name: z.string().optional(), last_name: z.string().optional() }).passthrough().optional(),
    phones: z.array(z.object({ phone: z.string().optional(), wa_id: z.string().optional() }).passthrough()).optional(),
  })
  .passthrough();

export const inboundMessageSchema = z
  .object({
    id: z.string().min(1),
    /** The customer's phone digits; Meta may omit it for users who adopted a username. */
    from: z.string().optional(),
    /** The business-scoped user id (BSUID) of the sender, when Meta sends it. */
    from_user_id: z.string().optional(),
    timestamp: unixSeconds,
    type: z.string(),
    text: z.object({ body: z.string().optional() }).passthrough().optional(),
    image: media.optional(),
    video: media.optional(),
    audio: media.optional(),
    document: media.optional(),
    sticker: media.optional(),
    location: z
      .object({ latitude: z.number().optional(), longitude: z.number().optional(), name: z.string().optional(), address: z.string().optional() })
      .passthrough()
      .optional(),
    contacts: z.array(sharedContact).optional(),
    interactive: z
      .object({
        type: z.string().optional(),
        button_reply: z.object({ id: z.string().optional(), title: z.string().optional() }).passthrough().optional(),
        list_reply: z.object({ id: z.string().optional(), title: z.string().optional(), description: z.string().optional() }).passthrough().optional(),
      })
      .passthrough()
      .optional(),
    button: z.object({ payload: z.string().optional(), text: z.string().optional() }).passthrough().optional(),
    reaction: z.object({ message_id: z.string().optional(), emoji: z.string().optional() }).passthrough().optional(),
    order: z.object({ text: z.string().optional() }).passthrough().optional(),
    system: z.object({ body: z.string().optional() }).passthrough().optional(),
    errors: z.array(metaErrorSchema).optional(),
  })
  .passthrough();

export const statusSchema = z
  .object({
    /** The wamid of the message the business sent. */
    id: z.string().min(1),
    status: z.string(),
    timestamp: unixSeconds,
    recipient_id: z.string().optional(),
    errors: z.array(metaErrorSchema).optional(),
  })
  .passthrough();

export const contactSchema = z
  .object({
    wa_id: z.string().optional(),
    user_id: z.string().optional(),
    profile: z.object({ name: z.string().optional(), username: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();

export const messagesValueSchema = z
  .object({
    messaging_product: z.literal("whatsapp"),
    metadata: z.object({ phone_number_id: z.string().min(1), display_phone_number: z.string().optional() }).passthrough(),
    contacts: z.array(contactSchema).optional(),
    messages: z.array(inboundMessageSchema).optional(),
    statuses: z.array(statusSchema).optional(),
    errors: z.array(metaErrorSchema).optional(),
  })
  .passthrough();

const changeSchema = z
  .object({
    // Meta names the subscribed field; absent is read as "messages".
    field: z.string().default("messages"),
    value: z.unknown(),
  })
  .passthrough()
  .superRefine((change, ctx) => {
    if (change.field !== "messages") return;
    const value = messagesValueSchema.safeParse(change.value);
    if (!value.success) for (const issue of value.error.issues) ctx.addIssue({ ...issue, path: ["value", ...issue.path] });
  });

const envelopeShape = z
  .object({
    object: z.literal("whatsapp_business_account"),
    entry: z.array(z.object({ id: z.string().optional(), changes: z.array(changeSchema) }).passthrough()).min(1),
  })
  .passthrough();

/**
 * A body Aviso can store and process: checked for what PostgreSQL refuses (NUL, lone
 * surrogates) and for absurd nesting BEFORE its shape, so such a body is a 400 — not a
 * failed insert answered 5xx, which Meta would redeliver forever.
 */
export const webhookEnvelopeSchema = z
  .unknown()
  .superRefine((json, ctx) => {
    const problem = jsonSafetyProblem(json);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  })
  .pipe(envelopeShape);

export type MetaError = z.output<typeof metaErrorSchema>;
export type InboundMessage = z.output<typeof inboundMessageSchema>;
export type MessageStatusUpdate = z.output<typeof statusSchema>;
export type WebhookContact = z.output<typeof contactSchema>;
export type MessagesValue = z.output<typeof messagesValueSchema>;
export type WebhookEnvelope = z.output<typeof webhookEnvelopeSchema>;

/** The `messages` changes of a validated envelope, in order. Other fields are not Aviso's concern. */
export function messagesChanges(envelope: WebhookEnvelope): MessagesValue[] {
  return envelope.entry.flatMap((entry) =>
    entry.changes.filter((change) => change.field === "messages").map((change) => messagesValueSchema.parse(change.value)),
  );
}
