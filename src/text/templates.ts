import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";

import type { Locale } from "./locale.js";

export type { Locale };

const TEMPLATES_DIR = fileURLToPath(new URL("../../templates/", import.meta.url));

/**
 * HTML templates escape every `{{value}}`; plain-text ones (text part, WhatsApp,
 * Slack) must not, or "&" would arrive as "&amp;". Either way user text is data
 * handed to a compiled template, never template source, so it cannot run helpers.
 */
export type Escaping = "html" | "none";

// A private environment: helpers registered elsewhere cannot leak into ours.
const handlebars = Handlebars.create();
handlebars.registerHelper("gt", (a: unknown, b: unknown) => typeof a === "number" && typeof b === "number" && a > b);
handlebars.registerHelper("capitalize", (s: unknown) => (typeof s === "string" ? s.charAt(0).toUpperCase() + s.slice(1) : s));
const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** Compiles `templates/<path>` once per process and renders it with `view`. */
export function renderTemplate(path: string, view: object, escaping: Escaping): string {
  const key = `${escaping}:${path}`;
  let template = compiled.get(key);
  if (!template) {
    template = handlebars.compile(readFileSync(TEMPLATES_DIR + path, "utf8"), { noEscape: escaping === "none", strict: false });
    compiled.set(key, template);
  }
  return template(view);
}

/** Renders a template source already split from a file (e.g. an email's subject line). */
export function renderSource(key: string, source: string, view: object, escaping: Escaping): string {
  const cacheKey = `${escaping}:${key}`;
  let template = compiled.get(cacheKey);
  if (!template) {
    template = handlebars.compile(source, { noEscape: escaping === "none", strict: false });
    compiled.set(cacheKey, template);
  }
  return template(view);
}

const sources = new Map<string, string>();

/** The raw text of a template file, read once. */
export function templateSource(path: string): string {
  let source = sources.get(path);
  if (source === undefined) {
    source = readFileSync(TEMPLATES_DIR + path, "utf8");
    sources.set(path, source);
  }
  return source;
}

/** `<dir>/<name>.<locale>.<ext>` when it exists, else the `fallback` name in that locale. */
export function localizedPath(dir: string, name: string, fallback: string, locale: Locale, ext = "hbs"): string {
  const path = `${dir}/${name}.${locale}.${ext}`;
  let exists = existing.get(path);
  if (exists === undefined) existing.set(path, (exists = existsSync(TEMPLATES_DIR + path)));
  return exists ? path : `${dir}/${fallback}.${locale}.${ext}`;
}

const existing = new Map<string, boolean>();

/**
 * An in-app title and body: templates/in-app/<name>.<locale>.hbs holds the title on its
 * first line and the body below a blank line (as email templates do). Plain text.
 */
export function renderInApp(name: string, locale: Locale, view: object): { title: string; body: string } {
  const path = `in-app/${name}.${locale}.hbs`;
  const [title = "", ...rest] = templateSource(path).split("\n");
  // The file's own line breaks frame the body; what the view puts in it is kept as is.
  const body = rest.join("\n").replace(/^\n/, "").replace(/\n$/, "");
  return { title: renderSource(`${path}#title`, title, view, "none"), body: renderSource(`${path}#body`, body, view, "none") };
}
