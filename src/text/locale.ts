/** The locales notifications are written in; anything else falls back to pt-BR. */
export type Locale = "pt-BR" | "en";

export function localeOf(userLocale: string | null | undefined, organizationLocale: string | null | undefined): Locale {
  const chosen = userLocale ?? organizationLocale ?? "pt-BR";
  return chosen.toLowerCase().startsWith("en") ? "en" : "pt-BR";
}

/** "2 h 5 min" / "3 d 4 h": how long something lasted, coarse enough to read at a glance. */
export function formatDuration(milliseconds: number): string {
  const minutes = Math.max(0, Math.floor(milliseconds / 60_000));
  if (minutes < 1) return "< 1 min";
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  return `${rest} min`;
}
