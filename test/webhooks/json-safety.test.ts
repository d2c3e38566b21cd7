import { describe, expect, it } from "vitest";
import { isStorableText, jsonSafetyProblem, MAX_JSON_DEPTH } from "../../src/webhooks/meta/json-safety.js";
import { webhookEnvelopeSchema } from "../../src/webhooks/meta/payload.js";
import { metaFixture } from "../helpers/meta.js";

const nested = (levels: number): unknown => JSON.parse(`${"[".repeat(levels)}${"]".repeat(levels)}`);

describe("what PostgreSQL can store from a webhook body", () => {
  it("accepts ordinary text, emoji and paired surrogates", () => {
    expect(isStorableText("Olá! 👍🏽 ação")).toBe(true);
    expect(jsonSafetyProblem(metaFixture("message-text"))).toBeNull();
  });

  it("names NUL and unpaired surrogates in values and in keys", () => {
    for (const text of ["a\u0000b", "\uD800", "x\uDFFF", "\uDBFF\uDBFF", "👍".slice(0, 1)]) {
      expect(isStorableText(text), JSON.stringify(text)).toBe(false);
      expect(jsonSafetyProblem({ a: [{ b: text }] })).toMatch(/string/);
      expect(jsonSafetyProblem({ [text]: 1 })).toMatch(/key/);
    }
  });

  it("allows MAX_JSON_DEPTH levels of nesting, refuses one more, and walks 100 000 levels without overflowing", () => {
    expect(jsonSafetyProblem(nested(MAX_JSON_DEPTH))).toBeNull();
    expect(jsonSafetyProblem(nested(MAX_JSON_DEPTH + 1))).toMatch(/deeper/);
    expect(jsonSafetyProblem(nested(100_000))).toMatch(/deeper/);
  });

  it("makes the webhook envelope refuse such bodies, so the route answers 400", () => {
    const body = metaFixture<{ entry: Array<{ changes: Array<{ value: { messages: Array<{ text: { body: string } }> } }> }> }>("message-text");
    expect(webhookEnvelopeSchema.safeParse(body).success).toBe(true);
    body.entry[0]!.changes[0]!.value.messages[0]!.text.body = "oi\u0000";
    expect(webhookEnvelopeSchema.safeParse(body).success).toBe(false);
    expect(webhookEnvelopeSchema.safeParse({ ...metaFixture<Record<string, unknown>>("message-text"), extra: nested(65) }).success).toBe(false);
  });
});
