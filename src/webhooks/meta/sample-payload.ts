import { randomBytes } from "node:crypto";

/**
 * Realistic WhatsApp Cloud API webhooks, shaped like Meta's documented examples, for
 * `npm run simulate` and the tests. Not used by the server itself.
 */

export const SAMPLE_TYPES = [
  "text",
  "image",
  "video",
  "audio",
  "document",
  "sticker",
  "location",
  "contacts",
  "interactive",
  "button",
  "reaction",
  "unsupported",
] as const;
export type SampleType = (typeof SAMPLE_TYPES)[number];

export interface SampleMessageOptions {
  type?: SampleType;
  /** Body, caption, file name, place name… whatever the type shows as text. */
  text?: string;
  /** The customer's phone digits (wa_id). */
  from?: string;
  id?: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
}

/** A fresh wamid, unique enough for tests and demos. */
export function sampleWamid(): string {
  return `wamid.${Buffer.from(`sim-${randomBytes(12).toString("hex")}`).toString("base64")}`;
}

/** One `messages[]` object of the given type. */
export function sampleMessage(options: SampleMessageOptions = {}): Record<string, unknown> {
  const type = options.type ?? "text";
  const text = options.text;
  const media = (mime: string, extra: Record<string, unknown> = {}) => ({
    mime_type: mime,
    sha256: randomBytes(16).toString("base64"),
    id: String(Date.now()),
    ...extra,
  });
  const body: Record<SampleType, Record<string, unknown>> = {
    text: { text: { body: text ?? "Olá!" } },
    image: { image: media("image/jpeg", text ? { caption: text } : {}) },
    video: { video: media("video/mp4", text ? { caption: text } : {}) },
    audio: { audio: media("audio/ogg; codecs=opus", { voice: true }) },
    document: { document: media("application/pdf", { filename: text ?? "documento.pdf" }) },
    sticker: { sticker: media("image/webp", { animated: false }) },
    location: { location: { latitude: -23.5613, longitude: -46.6565, name: text ?? "MASP", address: "Av. Paulista, 1578 - São Paulo" } },
    contacts: { contacts: [{ name: { formatted_name: text ?? "João Pereira", first_name: "João" }, phones: [{ phone: "+55 11 97777-0001", type: "CELL" }] }] },
    interactive: {
      interactive: { type: "button_reply", button_reply: { id: "yes", title: text ?? "Sim" } },
      context: { from: "551140000001", id: sampleWamid() },
    },
    button: { button: { payload: "PAYLOAD", text: text ?? "Quero saber mais" }, context: { from: "551140000001", id: sampleWamid() } },
    reaction: { reaction: { message_id: sampleWamid(), emoji: text ?? "👍" } },
    unsupported: {
      errors: [
        { code: 131051, title: "Message type unknown", message: "Message type unknown", error_data: { details: "Message type is currently not supported." } },
      ],
    },
  };
  return {
    from: options.from ?? "5511999990000",
    id: options.id ?? sampleWamid(),
    timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
    type,
    ...body[type],
  };
}

export interface SampleChangeOptions {
  phoneNumberId?: string;
  displayPhoneNumber?: string;
  messages?: Array<Record<string, unknown>>;
  statuses?: Array<Record<string, unknown>>;
  /** Profile name per wa_id for the `contacts[]` Meta sends beside messages. */
  names?: Record<string, string>;
}

/** One `changes[]` item (field "messages") for a business number. */
export function sampleChange(options: SampleChangeOptions): Record<string, unknown> {
  const messages = options.messages ?? [];
  const senders = [...new Set(messages.map((m) => m.from).filter((f): f is string => typeof f === "string"))];
  return {
    field: "messages",
    value: {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: options.displayPhoneNumber ?? "551140000001", phone_number_id: options.phoneNumberId ?? "100000000000001" },
      ...(senders.length ? { contacts: senders.map((wa_id) => ({ profile: { name: options.names?.[wa_id] ?? "Cliente" }, wa_id })) } : {}),
      ...(messages.length ? { messages } : {}),
      ...(options.statuses?.length ? { statuses: options.statuses } : {}),
    },
  };
}

/** The whole POST body Meta would send, holding these changes. */
export function sampleWebhook(changes: Array<Record<string, unknown>>): Record<string, unknown> {
  return { object: "whatsapp_business_account", entry: [{ id: "102290129340398", changes }] };
}

/** A status report (sent, delivered, read, failed) for a message the business sent. */
export function sampleStatus(
  wamid: string,
  status: "sent" | "delivered" | "read" | "failed",
  options: { recipient?: string; errors?: unknown[]; timestamp?: number } = {},
) {
  return {
    id: wamid,
    status,
    timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
    recipient_id: options.recipient ?? "5511988880001",
    ...(options.errors ? { errors: options.errors } : {}),
  };
}
