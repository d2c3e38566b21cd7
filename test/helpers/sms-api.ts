import { randomBytes } from "node:crypto";
import { startHttpFake, type FakeReply, type HttpFake, type RecordedRequest } from "./http-fake.js";

export const SMS_ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
export const SMS_AUTH_TOKEN = "test-twilio-auth-token";
export const SMS_FROM = "+15005550006";

/** A message as Twilio's Messages API received it (form fields decoded). */
export interface ReceivedSms {
  to: string;
  from: string | null;
  body: string;
  /** The Basic credentials sent, decoded ("SID:TOKEN"). */
  credentials: string;
  contentType: string;
}

export interface SmsApi extends HttpFake {
  /** Every POST to the Messages resource, in order. */
  messages(): ReceivedSms[];
  /** The stand-in's own answer (201 with a Message resource, or 401/404), to restore after setDefault. */
  currentDefault(): (request: RecordedRequest) => FakeReply;
  /** Env for the server under test. */
  env: Record<string, string>;
}

/** Twilio's error body (https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions). */
export const twilioError = (status: number, code: number, message: string): FakeReply => ({
  status,
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

/**
 * A local stand-in of Twilio's Programmable Messaging API: POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, HTTP Basic auth with
 * the account SID and auth token; answers 201 with the Message resource, 401 (20003)
 * on bad credentials, or whatever a test queued.
 */
export async function startSmsApi(): Promise<SmsApi> {
  const accept = (request: RecordedRequest): FakeReply => {
    const expected = `Basic ${Buffer.from(`${SMS_ACCOUNT_SID}:${SMS_AUTH_TOKEN}`).toString("base64")}`;
    if (request.headers.authorization !== expected) return twilioError(401, 20003, "Authenticate");
    if (request.path !== `/2010-04-01/Accounts/${SMS_ACCOUNT_SID}/Messages.json`) return twilioError(404, 20404, "The requested resource was not found");
    const form = new URLSearchParams(String(request.body));
    return {
      status: 201,
      body: { sid: `SM${randomBytes(16).toString("hex")}`, account_sid: SMS_ACCOUNT_SID, to: form.get("To"), from: form.get("From"), body: form.get("Body"), status: "queued", num_segments: "1", api_version: "2010-04-01" },
    };
  };
  const fake = await startHttpFake(accept);
  const messages = (): ReceivedSms[] =>
    fake.requests.map((request) => {
      const form = new URLSearchParams(String(request.body));
      const auth = String(request.headers.authorization ?? "").replace(/^Basic /, "");
      return {
        to: form.get("To") ?? "",
        from: form.get("From"),
        body: form.get("Body") ?? "",
        credentials: Buffer.from(auth, "base64").toString("utf8"),
        contentType: String(request.headers["content-type"] ?? ""),
      };
    });
  return {
    ...fake,
    messages,
    currentDefault: () => accept,
    env: { SMS_API_URL: fake.url, SMS_ACCOUNT_SID, SMS_AUTH_TOKEN, SMS_FROM },
  };
}
