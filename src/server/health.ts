import type { Runtime } from "../runtime.js";

export interface Readiness {
  ready: boolean;
  checks: Record<string, "ok" | "down" | "degraded">;
}

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), ms).unref())]);

/**
 * Ready means: the database answers and the job queue runs. Redis, when configured,
 * is reported but only degrades realtime — persisted data and replay do not need it —
 * so it does not take the instance out of rotation on its own.
 */
export async function checkReadiness(runtime: Runtime, jobsStarted: () => boolean): Promise<Readiness> {
  const checks: Readiness["checks"] = {};
  try {
    await withTimeout(runtime.prisma.$queryRaw`SELECT 1`, 2000);
    checks.database = "ok";
  } catch {
    checks.database = "down";
  }
  checks.jobs = jobsStarted() ? "ok" : "down";
  if (runtime.config.REDIS_URL) checks.redis = runtime.pubsub.healthy() ? "ok" : "down";
  return { ready: checks.database === "ok" && checks.jobs === "ok" && checks.redis !== "down", checks };
}
