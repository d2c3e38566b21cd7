import { isTimeZone, minutesOfDay, wallClock, zonedTimeToInstant } from "../notifications/quiet-hours.js";

/** When a channel's held notifications go out: at the end of each local hour, or daily at a local time. */
export type DigestSchedule = { frequency: "HOURLY"; timeZone: string } | { frequency: "DAILY"; dailyAt: string; timeZone: string };

/** Where a DAILY digest without a time goes out: the end of the working day. */
export const DEFAULT_DAILY_AT = "18:00";

/**
 * The end of the digest window `now` falls in — the instant the digest is sent. Always
 * after `now`. HOURLY: the next local top of the hour (zones a half hour off UTC get
 * their own :00). DAILY: the next local `dailyAt`, today if still ahead, else tomorrow;
 * DST is the time zone database's business (quietHours.zonedTimeToInstant).
 * `now` is the caller's clock, so tests decide what time it is.
 */
export function digestWindowEnd(now: Date, schedule: DigestSchedule): Date {
  const timeZone = isTimeZone(schedule.timeZone) ? schedule.timeZone : "UTC";
  const local = wallClock(now, timeZone);
  if (schedule.frequency === "HOURLY") {
    const next = zonedTimeToInstant({ ...local, hour: local.hour, minute: 0 }, timeZone);
    return advanceUntilAfter(now, next, 3600_000, (n) => zonedTimeToInstant({ ...wallClock(n, timeZone), minute: 0 }, timeZone));
  }
  const at = minutesOfDay(schedule.dailyAt) ?? minutesOfDay(DEFAULT_DAILY_AT)!;
  const wall = { year: local.year, month: local.month, day: local.day, hour: Math.floor(at / 60), minute: at % 60 };
  const today = zonedTimeToInstant(wall, timeZone);
  if (today.getTime() > now.getTime()) return today;
  const tomorrow = new Date(Date.UTC(local.year, local.month - 1, local.day + 1));
  return zonedTimeToInstant({ ...wall, year: tomorrow.getUTCFullYear(), month: tomorrow.getUTCMonth() + 1, day: tomorrow.getUTCDate() }, timeZone);
}

/** The first local top of the hour after `now`, stepping an hour at a time from `start`. */
function advanceUntilAfter(now: Date, start: Date, step: number, align: (instant: Date) => Date): Date {
  let candidate = start;
  while (candidate.getTime() <= now.getTime()) candidate = align(new Date(candidate.getTime() + step));
  return candidate;
}
