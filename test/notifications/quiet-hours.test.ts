import { describe, expect, it } from "vitest";
import { deferToQuietHoursEnd, minutesOfDay, zonedTimeToInstant } from "../../src/notifications/quiet-hours.js";

const saoPaulo = { start: "22:00", end: "07:00", timeZone: "America/Sao_Paulo" };

describe("deferToQuietHoursEnd", () => {
  it("returns null outside the window", () => {
    // 15:00 in São Paulo (UTC-3).
    expect(deferToQuietHoursEnd(new Date("2026-05-10T18:00:00Z"), saoPaulo)).toBeNull();
    // 07:00 sharp: the window has ended.
    expect(deferToQuietHoursEnd(new Date("2026-05-10T10:00:00Z"), saoPaulo)).toBeNull();
  });

  it("defers to the next morning when the window crosses midnight and it is before midnight", () => {
    // 23:30 on May 10 local → 07:00 on May 11 local = 10:00Z.
    expect(deferToQuietHoursEnd(new Date("2026-05-11T02:30:00Z"), saoPaulo)?.toISOString()).toBe("2026-05-11T10:00:00.000Z");
  });

  it("defers to the same morning after midnight", () => {
    // 03:15 on May 11 local.
    expect(deferToQuietHoursEnd(new Date("2026-05-11T06:15:00Z"), saoPaulo)?.toISOString()).toBe("2026-05-11T10:00:00.000Z");
  });

  it("handles a window within one day", () => {
    const lunch = { start: "12:00", end: "13:30", timeZone: "Europe/Lisbon" };
    // 12:10 in Lisbon summer time (UTC+1).
    expect(deferToQuietHoursEnd(new Date("2026-07-01T11:10:00Z"), lunch)?.toISOString()).toBe("2026-07-01T12:30:00.000Z");
    expect(deferToQuietHoursEnd(new Date("2026-07-01T12:30:00Z"), lunch)).toBeNull();
  });

  it("counts wall-clock time across a spring-forward night", () => {
    // New York springs forward on 2026-03-08 at 02:00. 23:00 EST on Mar 7 = 04:00Z;
    // 07:00 EDT on Mar 8 = 11:00Z: seven hours later, not eight.
    const newYork = { start: "22:00", end: "07:00", timeZone: "America/New_York" };
    expect(deferToQuietHoursEnd(new Date("2026-03-08T04:00:00Z"), newYork)?.toISOString()).toBe("2026-03-08T11:00:00.000Z");
  });

  it("counts wall-clock time across a fall-back night", () => {
    // New York falls back on 2026-11-01 at 02:00. 23:00 EDT on Oct 31 = 03:00Z;
    // 07:00 EST on Nov 1 = 12:00Z.
    const newYork = { start: "22:00", end: "07:00", timeZone: "America/New_York" };
    expect(deferToQuietHoursEnd(new Date("2026-11-01T03:00:00Z"), newYork)?.toISOString()).toBe("2026-11-01T12:00:00.000Z");
  });

  it("treats an empty or malformed window as no window", () => {
    expect(deferToQuietHoursEnd(new Date(), { start: "08:00", end: "08:00", timeZone: "UTC" })).toBeNull();
    expect(deferToQuietHoursEnd(new Date(), { start: "25:00", end: "08:00", timeZone: "UTC" })).toBeNull();
    expect(deferToQuietHoursEnd(new Date(), { start: "00:00", end: "23:59", timeZone: "Mars/Olympus" })).toBeNull();
  });
});

describe("zonedTimeToInstant", () => {
  it("moves a wall time skipped by spring-forward past the gap", () => {
    // 02:30 does not exist in New York on 2026-03-08: it becomes 03:30 EDT = 07:30Z.
    expect(zonedTimeToInstant({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, "America/New_York").toISOString()).toBe("2026-03-08T07:30:00.000Z");
  });

  it("picks the first occurrence of an ambiguous wall time", () => {
    // 01:30 happens twice in New York on 2026-11-01; the first is EDT = 05:30Z.
    expect(zonedTimeToInstant({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, "America/New_York").toISOString()).toBe("2026-11-01T05:30:00.000Z");
  });
});

describe("minutesOfDay", () => {
  it("parses 24h HH:MM only", () => {
    expect(minutesOfDay("00:00")).toBe(0);
    expect(minutesOfDay("23:59")).toBe(1439);
    expect(minutesOfDay("7:00")).toBeUndefined();
    expect(minutesOfDay("24:00")).toBeUndefined();
  });
});
