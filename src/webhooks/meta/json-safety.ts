/**
 * What PostgreSQL cannot store, or Aviso should not walk, in a parsed webhook body.
 *
 * jsonb and text refuse U+0000 and unpaired UTF-16 surrogates (JSON.stringify writes
 * them as `\u0000` / `\ud800` escapes, which PostgreSQL rejects), so such a body would
 * fail to store and be answered 5xx — Meta would then redeliver it forever. Meta's own
 * payloads nest a handful of levels; anything past MAX_JSON_DEPTH is not from Meta
 * and only costs stack in every recursive walker that meets it.
 */

/** Meta's webhooks nest about 8 levels; 64 leaves ample room. */
export const MAX_JSON_DEPTH = 64;

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when PostgreSQL can store `text` in a text or jsonb column. */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * Why `value` (a JSON.parse result) cannot be stored as it is, or null when it can:
 * too deep, or a key or string with NUL or a lone surrogate. Walks with an explicit
 * stack, so even a 100 000-level body cannot overflow the call stack here.
 */
export function jsonSafetyProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): string | null {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop()!;
    if (typeof current === "string") {
      if (!isStorableText(current)) return "a string holds NUL or an unpaired surrogate";
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    if (depth >= maxDepth) return `nested deeper than ${maxDepth} levels`;
    if (Array.isArray(current)) {
      for (const item of current) pending.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const [key, item] of Object.entries(current)) {
      if (!isStorableText(key)) return "a key holds NUL or an unpaired surrogate";
      pending.push({ value: item, depth: depth + 1 });
    }
  }
  return null;
}
