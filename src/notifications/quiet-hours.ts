/**
 * Quiet hours: a daily window of local wall-clock time ("22:00"–"07:00" in
 * America/Sao_Paulo) during which external channels wait. Pure functions over Intl,
 * so DST and midnight crossing are handled by the time zone database, not by us.
 */
export interface QuietHoursWindow {
  /** "HH:MM", 24h, local to `timeZone`. */
  start: string;
  end: string;
  /** IANA name, e.g. "America/Sao_Paulo". */
  timeZone: string;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "07:30" → 450; undefined when the text is not a 24h "HH:MM" time. */
export function minutesOfDay(time: string): number | undefined {
  const match = HH_MM.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * When `now` falls inside the window, the instant the window ends (the next local
 * `end` wall time); otherwise null. A window whose start is after its end crosses
 * midnight. A start equal to its end is an empty window.
 */
export function deferToQuietHoursEnd(now: Date, window: QuietHoursWindow): Date | null {
  const start = minutesOfDay(window.start);
  const end = minutesOfDay(window.end);
  if (start === undefined || end === undefined || start === end || !isTimeZone(window.timeZone)) return null;
  const local = wallClock(now, window.timeZone);
  const current = local.hour * 60 + local.minute;
  const inside = start < end ? current >= start && current < end : current >= start || current < end;
  if (!inside) return null;
  // Inside a midnight-crossing window before midnight, the window ends tomorrow.
  const endsTomorrow = start > end && current >= start;
  const day = new Date(Date.UTC(local.year, local.month - 1, local.day + (endsTomorrow ? 1 : 0)));
  return zonedTimeToInstant(
    { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour: Math.floor(end / 60), minute: end % 60 },
    window.timeZone,
  );
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function wallClock(instant: Date, timeZone: string): WallClock {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute) };
}

/** Minutes the zone is ahead of UTC at that instant (São Paulo: -180). */
function offsetMinutes(instant: Date, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  return Math.round((asUtc - Math.floor(instant.getTime() / 60_000) * 60_000) / 60_000);
}

/**
 * The instant a local wall time happens, as Temporal's "compatible" rule: an
 * ambiguous time (autumn fall-back) is its first occurrence; a time skipped by a
 * spring-forward moves ahead by the gap (02:30 → 03:30).
 */
export function zonedTimeToInstant(wall: WallClock, timeZone: string): Date {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const day = 24 * 3600_000;
  // The offsets in force a day before and a day after cover any single transition.
  const candidates = [...new Set([offsetMinutes(new Date(asUtc - day), timeZone), offsetMinutes(new Date(asUtc + day), timeZone)])]
    .map((offset) => asUtc - offset * 60_000)
    .sort((a, b) => a - b);
  const exact = candidates.find((instant) => {
    const w = wallClock(new Date(instant), timeZone);
    return w.year === wall.year && w.month === wall.month && w.day === wall.day && w.hour === wall.hour && w.minute === wall.minute;
  });
  return new Date(exact ?? candidates[candidates.length - 1]!);
}
