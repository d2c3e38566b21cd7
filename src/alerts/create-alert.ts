import { z } from "zod";
import { AlertSeverity, AlertStatus, Prisma, type Alert } from "../db/client.js";
import type { Runtime } from "../runtime.js";
import { isApiKey, type Actor } from "../auth/actor.js";
import type { ServiceContext } from "../service-context.js";
import { parseInput } from "../validation.js";
import { scheduleEscalation, scheduleStalenessCheck } from "./jobs.js";
import { changeAlert } from "./transition.js";

const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .nullish()
    .transform((v) => (v == null || v.trim() === "" ? null : v.trim()));

export const createAlertSchema = z.object({
  title: z.string().trim().min(1, "must not be empty").max(200),
  description: optionalText(5000),
  severity: z
    .nativeEnum(AlertSeverity)
    .nullish()
    .transform((v) => v ?? AlertSeverity.MEDIUM),
  category: optionalText(100),
  /** Same key as an unresolved alert: a new occurrence of it, not a new alert. */
  dedupeKey: optionalText(200),
});

export type CreateAlertInput = z.input<typeof createAlertSchema>;

/** Who opens the alert: a user, or Aviso itself (`userId` null). */
export interface AlertCreator {
  organizationId: string;
  userId: string | null;
  /** The integrator's key that opened it, when one did (userId is then null). */
  apiKeyId?: string | null;
}

export interface CreatedAlert {
  alert: Alert;
  /** True when the key matched an unresolved alert and this counted as one more occurrence of it. */
  deduplicated: boolean;
}

// Two creates with a fresh key can both miss the open alert; the partial unique index
// lets one insert win and the other retries as an occurrence. A few rounds cover an
// alert resolved in between.
const MAX_ATTEMPTS = 3;

/**
 * Opens an alert (notifying ALERT_CREATED, scheduling its escalation and staleness
 * check), or — when `dedupeKey` names an unresolved alert of the organization —
 * adds an occurrence to that one and returns it.
 */
export function createAlert({ runtime, actor }: ServiceContext<Actor>, input: CreateAlertInput): Promise<CreatedAlert> {
  // An integrator's key opens alerts for its organization, created by no person.
  return createAlertAs(
    runtime,
    isApiKey(actor) ? { organizationId: actor.organizationId, userId: null, apiKeyId: actor.apiKeyId } : { organizationId: actor.organizationId, userId: actor.userId },
    input,
  );
}

/** createAlert for a creator who may be Aviso itself (raiseSystemAlert). */
export async function createAlertAs(runtime: Runtime, creator: AlertCreator, input: CreateAlertInput): Promise<CreatedAlert> {
  const data = parseInput(createAlertSchema, input);
  for (let attempt = 1; ; attempt++) {
    if (data.dedupeKey) {
      const existing = await addOccurrence(runtime, creator, data.dedupeKey);
      if (existing) return { alert: existing, deduplicated: true };
    }
    try {
      return { alert: await openAlert(runtime, creator, data), deduplicated: false };
    } catch (error) {
      if (!data.dedupeKey || !isUniqueViolation(error) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

async function addOccurrence(runtime: Runtime, creator: AlertCreator, dedupeKey: string): Promise<Alert | null> {
  return changeAlert(runtime, async (tx) => {
    const [alert] = await tx.alert.updateManyAndReturn({
      where: { organizationId: creator.organizationId, dedupeKey, status: { not: AlertStatus.RESOLVED } },
      data: { occurrences: { increment: 1 }, lastActivityAt: new Date() },
    });
    if (!alert) return null;
    return { alert, audit: { action: "alert.occurred", actorId: creator.userId, apiKeyId: creator.apiKeyId ?? null, data: { occurrences: alert.occurrences } } };
  });
}

async function openAlert(runtime: Runtime, creator: AlertCreator, data: z.output<typeof createAlertSchema>): Promise<Alert> {
  const alert = await changeAlert(runtime, async (tx) => {
    const now = new Date();
    const alert = await tx.alert.create({
      data: { ...data, organizationId: creator.organizationId, createdById: creator.userId, createdAt: now, lastActivityAt: now },
    });
    await scheduleEscalation(runtime, tx, alert, 1);
    await scheduleStalenessCheck(runtime, tx, alert);
    return {
      alert,
      audit: { action: "alert.created", actorId: creator.userId, apiKeyId: creator.apiKeyId ?? null, data: { severity: alert.severity, dedupeKey: alert.dedupeKey } },
      notification: { type: "ALERT_CREATED" },
    };
  });
  return alert!;
}

// The partial unique index "Alert_one_open_per_dedupeKey" surfaces as P2002.
function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}
