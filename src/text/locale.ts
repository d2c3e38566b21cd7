import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The locales notifications are written in; anything else falls back to pt-BR. */
export type Locale = "pt-BR" | "en";

export function localeOf(userLocale: string | null | undefined, organizationLocale: string | null | undefined): Locale {
  const chosen = userLocale ?? organizationLocale ?? "pt-BR";
  return chosen.toLowerCase().startsWith("en") ? "en" : "pt-BR";
}

/** The words of one locale (templates/locales/<locale>.json): severity names, media markers, duration units, Slack labels. */
export interface LocaleStrings {
  severity: Record<string, string>;
  severityLevel: Record<string, string>;
  media: Record<string, string>;
  duration: Record<"lessThanAMinute" | "days" | "daysHours" | "hours" | "hoursMinutes" | "minutes", string>;
  slack: { headlines: Record<string, string> } & Record<string, string | Record<string, string>>;
  /** Agents' messages: Meta's errors in words (by code), the expired-token alert. */
  outbound: { tokenExpiredAlert: { title: string; description: string }; errors: Record<string, string> };
}

const LOCALES_DIR = fileURLToPath(new URL("../../templates/locales/", import.meta.url));
const strings = new Map<Locale, LocaleStrings>();

/** Read once per process. */
export function localeStrings(locale: Locale): LocaleStrings {
  let found = strings.get(locale);
  if (!found) strings.set(locale, (found = JSON.parse(readFileSync(`${LOCALES_DIR}${locale}.json`, "utf8")) as LocaleStrings));
  return found;
}

/** Fills a short pattern of the locale file: "{{hours}} h {{minutes}} min". */
function fill(pattern: string, values: Record<string, number>): string {
  return pattern.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ""));
}

/** "2 h 5 min" / "3 d 4 h": how long something lasted, coarse enough to read at a glance. */
export function formatDuration(milliseconds: number, locale: Locale = "pt-BR"): string {
  const units = localeStrings(locale).duration;
  const minutes = Math.max(0, Math.floor(milliseconds / 60_000));
  if (minutes < 1) return units.lessThanAMinute;
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return fill(hours > 0 ? units.daysHours : units.days, { days, hours });
  if (hours > 0) return fill(rest > 0 ? units.hoursMinutes : units.hours, { hours, minutes: rest });
  return fill(units.minutes, { minutes: rest });
}
