import { z } from "zod";
import type { Config } from "../config/index.js";
import type { PrismaClient, WebPushSubscription } from "../db/client.js";
import { invalidInput } from "../errors.js";
import { pushEndpointRefusal } from "../delivery/push-endpoint.js";

/** Browsers a user may keep subscribed; registering one more drops the oldest (browsers rotate subscriptions). */
export const MAX_SUBSCRIPTIONS_PER_USER = 20;

const base64url = (bytes: number, what: string) =>
  z
    .string()
    .trim()
    .max(200)
    .refine((value) => /^[A-Za-z0-9_-]+={0,2}$/.test(value) && Buffer.from(value, "base64url").length === bytes, `expected ${what} (${bytes} bytes, base64url)`);

export const subscriptionInputSchema = z.object({
  endpoint: z.string().trim().min(1).max(2048),
  keys: z.object({
    // An uncompressed P-256 point: 0x04 ‖ X ‖ Y.
    p256dh: base64url(65, "the browser's P-256 public key").refine((v) => Buffer.from(v, "base64url")[0] === 0x04, "expected an uncompressed P-256 point"),
    auth: base64url(16, "the subscription's auth secret"),
  }),
  userAgent: z.string().trim().max(512).nullish(),
});

export type RegisterWebPushSubscriptionInput = z.input<typeof subscriptionInputSchema>;

/**
 * Stores the caller's browser subscription (PushSubscription.toJSON()). The endpoint
 * is unique per browser profile: registering one already known — another user logged
 * in on the same browser — moves it to the caller, so a shared computer never pushes
 * the previous user's notifications. That is why this writes through the unscoped
 * client: the browser, not the tenant, owns the endpoint.
 */
export async function registerWebPushSubscription(
  prisma: PrismaClient,
  config: Pick<Config, "NODE_ENV">,
  actor: { userId: string; organizationId: string },
  input: RegisterWebPushSubscriptionInput,
): Promise<WebPushSubscription> {
  const parsed = subscriptionInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalidInput(issue.path.join(".") || "input", issue.message);
  }
  const { endpoint, keys, userAgent } = parsed.data;
  const refusal = await pushEndpointRefusal(endpoint, config);
  if (refusal) throw invalidInput("endpoint", refusal);
  return prisma.$transaction(async (tx) => {
    const data = { organizationId: actor.organizationId, userId: actor.userId, p256dh: keys.p256dh, auth: keys.auth, userAgent: userAgent ?? null };
    const subscription = await tx.webPushSubscription.upsert({ where: { endpoint }, create: { endpoint, ...data }, update: data });
    const stale = await tx.webPushSubscription.findMany({
      where: { userId: actor.userId },
      orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
      skip: MAX_SUBSCRIPTIONS_PER_USER,
      select: { id: true },
    });
    if (stale.length > 0) await tx.webPushSubscription.deleteMany({ where: { id: { in: stale.map((s) => s.id) } } });
    return subscription;
  });
}

/** Removes the caller's subscription of that endpoint; false when they had none. `db` is tenant-scoped. */
export async function unregisterWebPushSubscription(db: PrismaClient, actor: { userId: string }, endpoint: string): Promise<boolean> {
  if (endpoint.length > 2048) throw invalidInput("endpoint", "at most 2048 characters");
  const { count } = await db.webPushSubscription.deleteMany({ where: { endpoint, userId: actor.userId } });
  return count > 0;
}
