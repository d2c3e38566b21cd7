import { localizedPath, renderSource, renderTemplate, templateSource, type Locale } from "../text/templates.js";
import type { NotificationView } from "./view.js";

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/**
 * Renders templates/email/<type>.<locale>.hbs inside the shared layout. A type's
 * file holds its subject on the first line and its body below a blank line; the
 * body is rendered twice — HTML-escaped for the HTML part, as is for the text part.
 */
export function renderEmail(view: NotificationView, locale: Locale): RenderedEmail {
  const path = localizedPath("email", view.template, "notification", locale);
  const [subjectLine = "", ...rest] = templateSource(path).split("\n");
  const body = rest.join("\n").trim();
  // One line, whatever a title holds: a header must not break.
  const subject = renderSource(`${path}#subject`, subjectLine, view, "none").replace(/\s+/g, " ").trim();
  const paragraphs = renderSource(`${path}#body`, body, view, "html")
    .trim()
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim().replace(/\n/g, "<br>"))
    .filter((paragraph) => paragraph.length > 0);
  const content = renderSource(`${path}#body`, body, view, "none").trim();
  return {
    subject,
    // Paragraphs were escaped when rendered; the layout inserts them as they are.
    html: renderTemplate(`email/layout.${locale}.html.hbs`, { ...view, subject, paragraphs }, "html"),
    text: renderTemplate(`email/layout.${locale}.text.hbs`, { ...view, subject, content }, "none"),
  };
}
