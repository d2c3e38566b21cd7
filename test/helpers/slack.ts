import { startHttpFake, type FakeReply, type HttpFake } from "./http-fake.js";

export const slackOk: FakeReply = { status: 200, body: "ok" };
export const slackRateLimited = (retryAfterSeconds: number): FakeReply => ({
  status: 429,
  body: "rate_limited",
  headers: { "retry-after": String(retryAfterSeconds) },
});
export const slackInvalidPayload: FakeReply = { status: 400, body: "invalid_payload" };
export const slackServerError: FakeReply = { status: 500, body: "rollup_error" };

/** A Slack incoming webhook on 127.0.0.1: records posts, answers "ok" unless told otherwise. */
export async function startSlackWebhook(): Promise<HttpFake & { webhookUrl: string }> {
  const fake = await startHttpFake(slackOk);
  return Object.assign(fake, { webhookUrl: `${fake.url}/services/T000/B000/XXXX` });
}
