import type { Runtime } from "../runtime.js";

export interface Readiness {
  ready: boolean;
  checks: Record<string, "ok" | "down" | "degraded">;
}

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), ms).unref())]);

/**
 * Ready means: the database answers, the job queue runs, and Redis (when configured)
 * is connected. Without Redis the instance still serves and stores everything — only
 * cross-instance realtime is degraded — but it should not take new sockets.
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
