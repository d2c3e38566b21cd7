import { describe, expect, it } from "vitest";
import type { DeliveryContext } from "../../src/delivery/channel.js";
import { renderEmail } from "../../src/delivery/email-render.js";
import { truncate } from "../../src/text/preview.js";
import type { Locale } from "../../src/text/templates.js";
import { slackMessage } from "../../src/delivery/slack-message.js";
import { notificationView } from "../../src/delivery/view.js";
import { whatsappText } from "../../src/delivery/whatsapp.js";
import type { NotificationType } from "../../src/db/client.js";

const TYPES: NotificationType[] = ["NEW_MESSAGE", "CONVERSATION_ASSIGNED", "SLA_WARNING", "CAMPAIGN_FAILED", "ALERT_CREATED", "ALERT_ESCALATED", "ALERT_RESOLVED", "ALERT_STALE"];
const HOSTILE = "<script>alert(1)</script> {{constructor}} & \"quotes\"";

/** The rows a delivery job reads, as plain values: rendering needs no database. */
function contextFor(type: NotificationType, locale: Locale): DeliveryContext {
  const isAlert = type.startsWith("ALERT");
  const isConversation = ["NEW_MESSAGE", "CONVERSATION_ASSIGNED", "SLA_WARNING"].includes(type);
  const now = new Date();
  return {
    locale,
    delivery: { id: "01900000-0000-7000-8000-000000000001" },
    notification: { id: "n1", type, title: HOSTILE, body: HOSTILE, count: 2, data: {} },
    user: { name: "Bruno", email: "b@demo.test", locale },
    organization: { name: "Demo", locale, whatsappTemplateName: "t", whatsappTemplateLanguage: "pt_BR" },
    conversation: isConversation ? { id: "01900000-0000-7000-8000-000000000002", number: 42, contact: { name: HOSTILE, phone: null } } : null,
    alert: isAlert ? { id: "01900000-0000-7000-8000-000000000003", title: HOSTILE, description: HOSTILE, severity: "HIGH", category: "ops", escalationLevel: 1, resolution: HOSTILE, createdAt: now } : null,
    message: isConversation ? { type: "TEXT", text: HOSTILE } : null,
  } as unknown as DeliveryContext;
}

describe("templates", () => {
  for (const locale of ["pt-BR", "en"] as const) {
    for (const type of TYPES) {
      it(`renders ${type} email in ${locale} with escaped user text and a button`, () => {
        const view = notificationView(contextFor(type, locale), { PUBLIC_URL: "https://app.test/" });
        const email = renderEmail(view, locale);
        expect(email.subject.length).toBeGreaterThan(5);
        expect(email.subject).not.toMatch(/[\r\n]/);
        for (const part of [email.subject, email.html, email.text]) expect(part).not.toMatch(/\{\{(?!constructor)/);
        expect(email.html).not.toContain("<script>");
        expect(email.html).toContain("&lt;script&gt;");
        expect(email.html).toContain(`href="${view.actionUrl.replace(/=/g, "&#x3D;")}"`);
        expect(email.html).toContain(`lang="${locale}"`);
        expect(email.text).toContain(view.actionUrl);
        expect(view.actionUrl.startsWith(`https://app.test/${type.startsWith("ALERT") ? "alerts" : type === "CAMPAIGN_FAILED" ? "notifications" : "conversations"}`)).toBe(true);
        // User text is data: printed literally in the text part, never evaluated.
        if (type !== "ALERT_STALE") expect(email.text).toContain("{{constructor}}");
      });
    }
  }

  it("says it in each language", () => {
    const pt = renderEmail(notificationView(contextFor("ALERT_RESOLVED", "pt-BR"), {}), "pt-BR");
    const en = renderEmail(notificationView(contextFor("ALERT_RESOLVED", "en"), {}), "en");
    expect(pt.subject.startsWith("Alerta resolvido:")).toBe(true);
    expect(en.subject.startsWith("Alert resolved:")).toBe(true);
    expect(pt.html).toContain("Ver alerta");
    expect(en.html).toContain("View alert");
    expect(pt.html).toContain("http://localhost:4000/alerts/");
  });

  it("renders WhatsApp text on one line and Slack blocks in both languages", () => {
    for (const locale of ["pt-BR", "en"] as const) {
      const context = contextFor("NEW_MESSAGE", locale);
      const view = notificationView(context, {});
      const text = whatsappText(view, context);
      expect(text).not.toContain("\n");
      expect(text.startsWith(locale === "en" ? "[Demo] New message from" : "[Demo] Nova mensagem de")).toBe(true);
      const slack = slackMessage(notificationView(contextFor("ALERT_CREATED", locale), {}), locale);
      expect(slack.attachments?.[0]).toMatchObject({ color: "#ff9800" });
      // Mentions in user text are neutralised.
      expect(JSON.stringify(slack.text)).not.toContain("<script>");
    }
  });

  it("cuts previews at 140 characters without splitting an emoji", () => {
    const cut = truncate(`${"a".repeat(138)}😀😀😀`);
    expect(Array.from(cut)).toHaveLength(140);
    expect(cut.endsWith("😀…")).toBe(true);
    expect(truncate("linha 1\r\nlinha 2\n\nlinha 3")).toBe("linha 1 linha 2 linha 3");
  });
});
