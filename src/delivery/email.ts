import type { Channel } from "./channel.js";
import { PermanentDeliveryError, TransientDeliveryError } from "./channel.js";
import { renderEmail } from "./email-render.js";
import { emailTransport, writeToOutbox } from "./email-transport.js";
import { notificationView } from "./view.js";

/** What nodemailer attaches to SMTP failures. */
interface SmtpError {
  message: string;
  code?: string;
  responseCode?: number;
  response?: string;
  rejectedErrors?: SmtpError[];
}

/** Email through SMTP (nodemailer), or to `.aviso/outbox/` in development. */
export const emailChannel: Channel = {
  name: "EMAIL",

  skipReason: (_context, runtime) => (runtime.config.EMAIL_ENABLED ? null : "email disabled"),

  async send(context, runtime) {
    const { config } = runtime;
    const { subject, html, text } = renderEmail(notificationView(context, config), context.locale);
    const { transporter, outbox } = emailTransport(runtime);
    const domain = config.SMTP_FROM_EMAIL.split("@")[1] ?? "aviso.local";
    let info: { messageId: string; rejected?: unknown[]; rejectedErrors?: SmtpError[]; message?: unknown };
    try {
      info = await transporter.sendMail({
        from: { name: config.SMTP_FROM_NAME, address: config.SMTP_FROM_EMAIL },
        to: { name: context.user.name, address: context.user.email },
        subject,
        text,
        html,
        // Stable per delivery: a resend after a crash carries the same id, so clients can dedupe.
        messageId: `<${context.delivery.id}@${domain}>`,
        headers: { "X-Aviso-Delivery": context.delivery.id },
      });
    } catch (error) {
      throw classifySmtpError(error as SmtpError);
    }
    // One recipient per delivery: if the server turned it down, that is the outcome.
    const refusal = info.rejectedErrors?.[0];
    if (refusal || (info.rejected?.length ?? 0) > 0) throw classifySmtpError(refusal ?? { message: "recipient rejected" });
    if (outbox && Buffer.isBuffer(info.message)) {
      const path = await writeToOutbox(outbox, context.delivery.id, info.message);
      runtime.log.info({ deliveryId: context.delivery.id, path }, "email written to the outbox (no SMTP_HOST)");
    }
    return { providerMessageId: info.messageId };
  },
};

/** 5xx is the server's final word on this recipient; 4xx and lost connections may pass later. */
export function classifySmtpError(error: SmtpError): Error {
  const judged = error.rejectedErrors?.find((e) => typeof e.responseCode === "number") ?? error;
  const code = judged.responseCode;
  const reply = (judged.response ?? judged.message).slice(0, 300);
  if (typeof code === "number" && code >= 500) return new PermanentDeliveryError(`SMTP ${code}: ${reply}`);
  if (typeof code === "number" && code >= 400) return new TransientDeliveryError(`SMTP ${code}: ${reply}`);
  return new TransientDeliveryError(`SMTP ${error.code ?? "error"}: ${error.message.slice(0, 300)}`);
}
