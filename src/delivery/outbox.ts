import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";

/**
 * Outside production, a channel with no provider configured writes what it would have
 * sent to `AVISO_HOME/outbox/` (as email does without SMTP_HOST), so the demo shows
 * every channel's output without trying real providers and logging their failures.
 * Returns the id recorded as the delivery's provider message id.
 */
export async function writeOutboxMessage(home: string, channel: "whatsapp" | "slack", message: object): Promise<string> {
  const outbox = resolve(home, "outbox");
  await mkdir(outbox, { recursive: true });
  const id = randomUUID();
  await writeFile(join(outbox, `${new Date().toISOString().replace(/[:.]/g, "-")}-${channel}-${id}.json`), `${JSON.stringify(message, null, 2)}\n`);
  return `outbox:${id}`;
}
