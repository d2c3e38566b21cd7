import type { PrismaClient } from "../db/client.js";
import type { Keyring } from "./encryption.js";

/**
 * Encrypts under the current key every stored secret that is not already: rows written
 * before encryption existed (plaintext) and rows under a previous key (a rotation).
 * Idempotent; each row is updated only if it still holds the value read, so a
 * concurrent write is never overwritten. Returns how many values were rewritten.
 */
export async function reencryptSecrets(prisma: PrismaClient, keyring: Keyring): Promise<number> {
  let rewritten = 0;
  const organizations = await prisma.organization.findMany({ where: { slackWebhookUrl: { not: null } }, select: { id: true, slackWebhookUrl: true } });
  for (const org of organizations) {
    if (keyring.isCurrent(org.slackWebhookUrl!)) continue;
    const value = keyring.encrypt(keyring.decrypt(org.slackWebhookUrl!));
    const { count } = await prisma.organization.updateMany({ where: { id: org.id, slackWebhookUrl: org.slackWebhookUrl }, data: { slackWebhookUrl: value } });
    rewritten += count;
  }
  const numbers = await prisma.whatsAppNumber.findMany({ select: { id: true, accessToken: true } });
  for (const number of numbers) {
    if (keyring.isCurrent(number.accessToken)) continue;
    const value = keyring.encrypt(keyring.decrypt(number.accessToken));
    const { count } = await prisma.whatsAppNumber.updateMany({ where: { id: number.id, accessToken: number.accessToken }, data: { accessToken: value } });
    rewritten += count;
  }
  return rewritten;
}
