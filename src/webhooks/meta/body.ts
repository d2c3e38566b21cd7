import type { IncomingMessage } from "node:http";

/** Meta's webhook payloads stay under 3 MB; anything bigger is refused unread. */
export const MAX_WEBHOOK_BYTES = 3 * 1024 * 1024;

export type RawBody = { ok: true; bytes: Buffer } | { ok: false; reason: "too-large" | "too-slow" };

/**
 * Reads the raw request bytes (the signature covers them exactly), but stops as soon
 * as the declared or received size passes `limit`, so an oversize body costs no memory,
 * or once `deadlineMs` has passed, so a body trickled a byte at a time holds nothing for long.
 */
export function readRawBody(req: IncomingMessage, limit = MAX_WEBHOOK_BYTES, deadlineMs = 10_000): Promise<RawBody> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.pause();
    return Promise.resolve({ ok: false, reason: "too-large" });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const timer = setTimeout(() => {
      cleanup();
      req.pause();
      resolve({ ok: false, reason: "too-slow" });
    }, deadlineMs);
    const cleanup = () => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        cleanup();
        req.pause();
        resolve({ ok: false, reason: "too-large" });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({ ok: true, bytes: Buffer.concat(chunks, received) });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}
