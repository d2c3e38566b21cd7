import { z } from "zod";
import { DigestFrequency, NotificationChannel, type PrismaClient } from "../db/client.js";
import { invalidInput } from "../errors.js";
import { isTimeZone, minutesOfDay } from "../notifications/quiet-hours.js";
import { DIGEST_CHANNELS } from "./hold.js";
import { DEFAULT_DAILY_AT } from "./window.js";

/** One channel's digest choice as the API shows it. */
export interface ChannelDigest {
  channel: NotificationChannel;
  frequency: DigestFrequency;
  dailyAt: string | null;
  timeZone: string | null;
}

export const digestInputSchema = z
  .object({
    channel: z.nativeEnum(NotificationChannel),
    frequency: z.nativeEnum(DigestFrequency),
    dailyAt: z.string().refine((t) => minutesOfDay(t) !== undefined, "expected a 24h time HH:MM, e.g. 18:00").nullish(),
    timeZone: z.string().max(64).refine(isTimeZone, "not an IANA time zone, e.g. America/Sao_Paulo").nullish(),
  })
  .refine((d) => d.frequency === "IMMEDIATE" || DIGEST_CHANNELS.includes(d.channel), {
    message: "WhatsApp and Slack have no digests: only EMAIL, SMS and WEB_PUSH can be HOURLY or DAILY",
    path: ["frequency"],
  });

export type DigestInput = z.input<typeof digestInputSchema>;

/** The caller's choice for every external channel (IMMEDIATE when they made none). `db` is tenant-scoped. */
export async function digestPreferencesOf(db: PrismaClient, userId: string): Promise<ChannelDigest[]> {
  const rows = await db.digestPreference.findMany({ where: { userId } });
  return Object.values(NotificationChannel)
    .filter((channel) => channel !== "IN_APP")
    .map((channel) => {
      const row = rows.find((r) => r.channel === channel);
      return { channel, frequency: row?.frequency ?? "IMMEDIATE", dailyAt: row?.dailyAt ?? null, timeZone: row?.timeZone ?? null };
    });
}

/** Sets how often one channel's notifications go out for the caller, with an audit row. */
export async function updateDigestPreference(db: PrismaClient, actor: { userId: string; organizationId: string }, input: DigestInput): Promise<ChannelDigest> {
  const parsed = digestInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalidInput(issue.path.join(".") || "input", issue.message);
  }
  const { channel, frequency } = parsed.data;
  const dailyAt = frequency === "DAILY" ? (parsed.data.dailyAt ?? DEFAULT_DAILY_AT) : null;
  const timeZone = parsed.data.timeZone ?? null;
  await db.$transaction(async (tx) => {
    await tx.digestPreference.upsert({
      where: { userId_channel: { userId: actor.userId, channel } },
      create: { organizationId: actor.organizationId, userId: actor.userId, channel, frequency, dailyAt, timeZone },
      update: { frequency, dailyAt, timeZone },
    });
    await tx.auditLog.create({
      data: { organizationId: actor.organizationId, actorId: actor.userId, action: "notification.digest.updated", entityType: "User", entityId: actor.userId, data: { channel, frequency, dailyAt, timeZone } },
    });
  });
  return { channel, frequency, dailyAt, timeZone };
}
