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
 * is unique per browser profile: registering one another user of the organization
 * registered (a shared computer) moves it to the caller, so it never pushes the previous
 * user's notifications. One registered in another organization is refused: a tenant never
 * changes another's rows (that user's logout — unregisterWebPushSubscription — frees it).
 * `db` is the caller's tenant-scoped client.
 */
export async function registerWebPushSubscription(
  db: PrismaClient,
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
  return db.$transaction(async (tx) => {
    const data = { userId: actor.userId, p256dh: keys.p256dh, auth: keys.auth, userAgent: userAgent ?? null };
    const existing = await tx.webPushSubscription.findFirst({ where: { endpoint }, select: { id: true } });
    let subscription: WebPushSubscription;
    try {
      subscription = existing
        ? await tx.webPushSubscription.update({ where: { id: existing.id }, data })
        : await tx.webPushSubscription.create({ data: { organizationId: actor.organizationId, endpoint, ...data } });
    } catch (error) {
      // The scoped client did not see it: the endpoint belongs to another organization.
      if ((error as { code?: string }).code === "P2002") throw invalidInput("endpoint", "this browser is registered by an account of another organization: unregister it there first");
      throw error;
    }
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
