import { z } from "zod";
import type { Config } from "../../config/index.js";
import { writeOutboxMessage } from "../../delivery/outbox.js";
import { keyringFor } from "../../secrets/encryption.js";

/**
 * The few Graph API calls agents' messages need (WhatsApp Cloud API), with Meta's
 * documented shapes. Knows nothing of Aviso's rows: callers pass the number's id and
 * token. Every non-2xx answer becomes a GraphApiError carrying Meta's error code.
 */

/** The sender: a connected business number and its token (never logged). */
export interface GraphSender {
  phoneNumberId: string;
  accessToken: string;
}

export class GraphApiError extends Error {
  constructor(
    /** HTTP status; 0 when Meta could not be reached. */
    readonly status: number,
    /** Meta's `error.code` (131026, 130429, 190…) when it sent one. */
    readonly code: number | undefined,
    message: string,
    /** Meta's `error.error_data.details`, its most readable explanation. */
    readonly details?: string,
  ) {
    super(message);
  }
}

const errorBody = z.object({
  error: z
    .object({
      message: z.string().optional(),
      code: z.number().optional(),
      error_data: z.object({ details: z.string().optional() }).passthrough().optional(),
    })
    .passthrough(),
});

const sentBody = z.object({ messages: z.array(z.object({ id: z.string().min(1) })).min(1) });
const uploadedBody = z.object({ id: z.string().min(1) });
const mediaInfoBody = z.object({
  url: z.string().url(),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  file_size: z.union([z.string(), z.number()]).optional(),
  id: z.string().optional(),
});
const templatesPage = z.object({
  data: z.array(
    z
      .object({
        id: z.string().optional(),
        name: z.string(),
        language: z.string(),
        status: z.string(),
        category: z.string().optional(),
        components: z.array(z.object({ type: z.string(), text: z.string().optional() }).passthrough()).optional(),
      })
      .passthrough(),
  ),
  paging: z.object({ next: z.string().optional() }).passthrough().optional(),
});

export type GraphTemplate = z.output<typeof templatesPage>["data"][number];
export type MediaInfo = z.output<typeof mediaInfoBody>;

export function graphUrl(config: Pick<Config, "WHATSAPP_API_URL" | "WHATSAPP_API_VERSION">, path: string): string {
  return `${config.WHATSAPP_API_URL.replace(/\/+$/, "")}/${config.WHATSAPP_API_VERSION}/${path.replace(/^\/+/, "")}`;
}

type GraphConfig = Pick<
  Config,
  | "WHATSAPP_API_URL"
  | "WHATSAPP_API_VERSION"
  | "WHATSAPP_SEND_TIMEOUT_SECONDS"
  | "WHATSAPP_TO_OUTBOX"
  | "AVISO_ENCRYPTION_KEY"
  | "AVISO_ENCRYPTION_KEYS_PREVIOUS"
  | "NODE_ENV"
  | "AVISO_HOME"
>;

async function call(config: GraphConfig, url: string, token: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      // Tokens are stored encrypted (src/secrets/): decrypted only here, for the call.
      headers: { authorization: `Bearer ${keyringFor(config).decrypt(token)}`, ...(init.headers as Record<string, string> | undefined) },
      signal: AbortSignal.timeout(config.WHATSAPP_SEND_TIMEOUT_SECONDS * 1000),
    });
  } catch (error) {
    throw new GraphApiError(0, undefined, `Graph API unreachable: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const payload: unknown = await response.json().catch(() => null);
    const parsed = errorBody.safeParse(payload);
    if (!parsed.success) throw new GraphApiError(response.status, undefined, `HTTP ${response.status}`);
    const { code, message, error_data } = parsed.data.error;
    throw new GraphApiError(response.status, code, message ?? `HTTP ${response.status}`, error_data?.details);
  }
  return response;
}

async function json<T>(response: Response, schema: z.ZodType<T>, what: string): Promise<T> {
  const parsed = schema.safeParse(await response.json().catch(() => null));
  // A 200 without what Meta documents: treated like a 5xx (transient), never as success.
  if (!parsed.success) throw new GraphApiError(502, undefined, `Graph API answered ${what} without the expected body`);
  return parsed.data;
}

/** `POST /{phone_number_id}/messages`: Meta's wamid of the accepted message. */
export async function postMessage(config: GraphConfig, sender: GraphSender, body: object): Promise<string> {
  // The calm demo: outside production without WHATSAPP_API_URL the request lands in the outbox (without the token).
  if (config.WHATSAPP_TO_OUTBOX) return writeOutboxMessage(config.AVISO_HOME, "whatsapp", { from: sender.phoneNumberId, ...body });
  const response = await call(config, graphUrl(config, `${sender.phoneNumberId}/messages`), sender.accessToken, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await json(response, sentBody, "a message")).messages[0]!.id;
}

/** `POST /{phone_number_id}/messages` with `status: "read"`: the customer sees blue ticks. */
export async function markMessageRead(config: GraphConfig, sender: GraphSender, wamid: string): Promise<void> {
  if (config.WHATSAPP_TO_OUTBOX) {
    await writeOutboxMessage(config.AVISO_HOME, "whatsapp", { from: sender.phoneNumberId, messaging_product: "whatsapp", status: "read", message_id: wamid });
    return;
  }
  await call(config, graphUrl(config, `${sender.phoneNumberId}/messages`), sender.accessToken, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messaging_product: "whatsapp", status: "read", message_id: wamid }),
  });
}

/** `POST /{phone_number_id}/media` (multipart: messaging_product, type, file): Meta's media id. */
export async function uploadMedia(
  config: GraphConfig,
  sender: GraphSender,
  file: { bytes: Uint8Array<ArrayBuffer>; mimeType: string; fileName: string },
): Promise<string> {
  const form = new FormData();
  form.set("messaging_product", "whatsapp");
  form.set("type", file.mimeType);
  form.set("file", new Blob([file.bytes], { type: file.mimeType }), file.fileName);
  const response = await call(config, graphUrl(config, `${sender.phoneNumberId}/media`), sender.accessToken, { method: "POST", body: form });
  return (await json(response, uploadedBody, "an upload")).id;
}

/** `GET /{media_id}`: a short-lived download URL and the file's metadata. */
export async function mediaInfo(config: GraphConfig, sender: GraphSender, mediaId: string): Promise<MediaInfo> {
  const url = `${graphUrl(config, encodeURIComponent(mediaId))}?phone_number_id=${encodeURIComponent(sender.phoneNumberId)}`;
  return json(await call(config, url, sender.accessToken), mediaInfoBody, "a media id");
}

/** The file behind a media URL, fetched with the number's token; the caller streams and caps it. */
export function downloadMedia(config: GraphConfig, sender: GraphSender, url: string): Promise<Response> {
  return call(config, url, sender.accessToken);
}

/** Every page of `GET /{waba_id}/message_templates` (bounded: 50 pages of 100). */
export async function listTemplates(config: GraphConfig, token: string, businessAccountId: string): Promise<GraphTemplate[]> {
  const templates: GraphTemplate[] = [];
  let url: string | undefined =
    `${graphUrl(config, `${encodeURIComponent(businessAccountId)}/message_templates`)}?fields=id,name,language,status,category,components&limit=100`;
  for (let page = 0; url && page < 50; page++) {
    const body: z.output<typeof templatesPage> = await json(await call(config, url, token), templatesPage, "templates");
    templates.push(...body.data);
    url = body.paging?.next;
  }
  return templates;
}
