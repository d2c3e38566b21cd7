import { z } from "zod";
import type { Config } from "../config/index.js";
import { PermanentDeliveryError, TransientDeliveryError } from "./channel.js";

/** One SMS out; what any SMS provider must offer the SMS channel. */
export interface SmsProvider {
  /** Resolves with the provider's message id; throws a Transient/PermanentDeliveryError. */
  send(message: { to: string; body: string }): Promise<{ id: string }>;
}

/**
 * Twilio error codes worth a retry: 20429 too many requests, 20500 internal error,
 * 20503 service unavailable, 30001 queue overflow. Everything else Twilio answers with
 * a 4xx — 21211 invalid "To", 21408 region not enabled, 21610 recipient unsubscribed
 * (STOP), 21614 not a mobile number, 20003 authentication — fails the same again.
 */
const TRANSIENT_CODES = new Set([20429, 20500, 20503, 30001]);
/** When Twilio says 429 without Retry-After. */
const DEFAULT_RETRY_AFTER_SECONDS = 10;

const created = z.object({ sid: z.string() });
const failure = z.object({ code: z.number().nullish(), message: z.string().nullish(), status: z.number().nullish() });

/** Twilio's Programmable Messaging API, spoken as documented (2010-04-01 Messages resource). */
export function twilioProvider(config: Pick<Config, "SMS_API_URL" | "SMS_ACCOUNT_SID" | "SMS_AUTH_TOKEN" | "SMS_FROM">): SmsProvider {
  const sid = config.SMS_ACCOUNT_SID!;
  const url = `${config.SMS_API_URL.replace(/\/+$/, "")}/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${sid}:${config.SMS_AUTH_TOKEN}`).toString("base64")}`;
  const from = config.SMS_FROM!;
  return {
    async send({ to, body }) {
      const form = new URLSearchParams({ To: to, Body: body });
      // A Messaging Service SID lets Twilio pick the sender from its pool.
      if (from.startsWith("MG")) form.set("MessagingServiceSid", from);
      else form.set("From", from);
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { authorization, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
          body: form.toString(),
          signal: AbortSignal.timeout(15_000),
        });
      } catch (error) {
        throw new TransientDeliveryError(`SMS API unreachable: ${(error as Error).message}`.slice(0, 300));
      }
      const payload: unknown = await response.json().catch(() => null);
      if (response.ok) {
        const sent = created.safeParse(payload);
        if (!sent.success) throw new TransientDeliveryError(`SMS API ${response.status} without a message sid`);
        return { id: sent.data.sid };
      }
      const error = failure.safeParse(payload);
      const code = error.success ? (error.data.code ?? undefined) : undefined;
      const reason = `Twilio ${code ?? `HTTP ${response.status}`}: ${(error.success ? (error.data.message ?? "") : "").slice(0, 250)}`.trim();
      if (response.status === 429 || code === 20429) {
        const retryAfter = Number(response.headers.get("retry-after"));
        throw new TransientDeliveryError(reason, Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : DEFAULT_RETRY_AFTER_SECONDS);
      }
      if (response.status >= 500 || (code !== undefined && TRANSIENT_CODES.has(code))) throw new TransientDeliveryError(reason);
      throw new PermanentDeliveryError(reason);
    },
  };
}
