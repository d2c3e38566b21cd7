import { describe, expect, it } from "vitest";
import { formatDuration, localeOf } from "../../src/text/locale.js";
import { messagePreview, PREVIEW_LENGTH } from "../../src/text/preview.js";
import { defaultEnabled } from "../../src/preferences/defaults.js";

describe("messagePreview", () => {
  it("flattens line breaks and extra spaces", () => {
    expect(messagePreview({ type: "TEXT", text: "Olá!\r\n\n  Tudo   bem?\tSim" }, "pt-BR")).toBe("Olá! Tudo bem? Sim");
  });

  it("cuts at 140 characters with an ellipsis", () => {
    const preview = messagePreview({ type: "TEXT", text: "a".repeat(500) }, "pt-BR");
    expect(preview).toHaveLength(PREVIEW_LENGTH);
    expect(preview.endsWith("…")).toBe(true);
  });

  it("shows media as a marker in the recipient's language, with its caption", () => {
    expect(messagePreview({ type: "IMAGE", text: null }, "pt-BR")).toBe("[Imagem]");
    expect(messagePreview({ type: "AUDIO", text: null }, "pt-BR")).toBe("[Áudio]");
    expect(messagePreview({ type: "IMAGE", text: "foto do produto" }, "en")).toBe("[Image] foto do produto");
    expect(messagePreview({ type: "DOCUMENT", text: "nota.pdf" }, "pt-BR")).toBe("[Documento] nota.pdf");
  });
});

describe("locale and durations", () => {
  it("prefers the user's locale, then the organization's, then pt-BR", () => {
    expect(localeOf("en", "pt-BR")).toBe("en");
    expect(localeOf(null, "en-US")).toBe("en");
    expect(localeOf(null, null)).toBe("pt-BR");
    expect(localeOf("es", null)).toBe("pt-BR");
  });

  it("formats durations coarsely", () => {
    expect(formatDuration(30_000)).toBe("< 1 min");
    expect(formatDuration(20 * 60_000)).toBe("20 min");
    expect(formatDuration(125 * 60_000)).toBe("2 h 5 min");
    expect(formatDuration((3 * 24 + 4) * 3600_000)).toBe("3 d 4 h");
  });
});

describe("defaultEnabled", () => {
  const flagsOn = { newMessageFlagsOn: true, orgHasSlack: true };
  const flagsOff = { newMessageFlagsOn: false, orgHasSlack: false };

  it("always enables in-app", () => {
    for (const role of ["AGENT", "ORG_ADMIN", "SUPER_ADMIN", "VIEWER"] as const) expect(defaultEnabled(role, "SLA_WARNING", "IN_APP", flagsOff)).toBe(true);
  });

  it("sends new messages outside the app only with the flags on, and never to Slack", () => {
    expect(defaultEnabled("AGENT", "NEW_MESSAGE", "WHATSAPP", flagsOn)).toBe(true);
    expect(defaultEnabled("AGENT", "NEW_MESSAGE", "EMAIL", flagsOn)).toBe(true);
    expect(defaultEnabled("AGENT", "NEW_MESSAGE", "SLACK", flagsOn)).toBe(false);
    expect(defaultEnabled("AGENT", "NEW_MESSAGE", "WHATSAPP", flagsOff)).toBe(false);
    expect(defaultEnabled("VIEWER", "NEW_MESSAGE", "EMAIL", flagsOn)).toBe(false);
  });

  it("gives Slack to org admins for alerts only", () => {
    expect(defaultEnabled("ORG_ADMIN", "ALERT_ESCALATED", "SLACK", flagsOn)).toBe(true);
    expect(defaultEnabled("ORG_ADMIN", "CAMPAIGN_FAILED", "SLACK", flagsOn)).toBe(false);
    expect(defaultEnabled("ORG_ADMIN", "ALERT_ESCALATED", "SLACK", flagsOff)).toBe(false);
    expect(defaultEnabled("ORG_ADMIN", "ALERT_CREATED", "WHATSAPP", flagsOn)).toBe(false);
    expect(defaultEnabled("SUPER_ADMIN", "ALERT_CREATED", "WHATSAPP", flagsOff)).toBe(true);
  });
});
