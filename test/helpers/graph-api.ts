import { randomBytes } from "node:crypto";
import { startHttpFake, type FakeReply, type HttpFake, type RecordedRequest } from "./http-fake.js";

/** Meta's answer to an accepted message. */
export function metaAccepted(request: RecordedRequest): FakeReply {
  const to = (request.body as { to?: string } | null)?.to ?? "";
  return {
    status: 200,
    body: { messaging_product: "whatsapp", contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.${randomBytes(12).toString("hex")}` }] },
  };
}

/** Meta's error payload, e.g. metaError(400, 131047, "Re-engagement message"). */
export function metaError(status: number, code: number, message: string): FakeReply {
  return {
    status,
    body: {
      error: {
        message: `(#${code}) ${message}`,
        type: "OAuthException",
        code,
        error_data: { messaging_product: "whatsapp", details: message },
        fbtrace_id: "Afake",
      },
    },
  };
}

/**
 * Meta's Graph API on 127.0.0.1: `POST /{version}/{phone_number_id}/messages`
 * records the request and answers what it was told (accepted by default).
 */
export function startGraphApi(): Promise<HttpFake> {
  return startHttpFake(metaAccepted);
}
