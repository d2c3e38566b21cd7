import type { Prisma, PrismaClient } from "./client.js";

const ATTEMPTS = 4;

/**
 * Runs `work` in one interactive transaction, again when PostgreSQL refused it for a
 * race another attempt can win: a unique violation (two webhooks creating the same
 * contact or conversation), a deadlock, a serialization failure.
 */
export async function withTransactionRetry<T>(prisma: PrismaClient, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await prisma.$transaction(work, { maxWait: 5_000, timeout: 15_000 });
    } catch (error) {
      if (attempt >= ATTEMPTS || !isRaceLost(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
    }
  }
}

export function isRaceLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "P2002" || code === "P2034") return true;
  const message = String((error as Error | null)?.message ?? "");
  return /deadlock detected|could not serialize|40001|40P01|23505|unique constraint/i.test(message);
}
