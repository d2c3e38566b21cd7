export interface EventuallyOptions {
  /** What is awaited, as the timeout error names it: "delivery … to become SENT". */
  what: string;
  /** Give up after this long (default 20 s); keep it within the test's own timeout. */
  timeoutMs?: number;
  /** Pause between checks (default 100 ms). */
  intervalMs?: number;
}

/**
 * The suite's one polling helper: calls `check` until it returns something other than
 * undefined, null or false, and returns that. After `timeoutMs` it fails with
 * "timed out after N ms waiting for <what>". An error thrown by `check` fails at once.
 */
export async function eventually<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, options: EventuallyOptions): Promise<T> {
  const { what, timeoutMs = 20_000, intervalMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
