// The raw email baseline's client, in its own process like Aviso's worker (so it does not
// share the load generator's event loop with the SMTP sink): reads
// {"host","port","message","total"} as argv[2] JSON, prints {"sends","sendsPerSecond"}.
import nodemailer from "nodemailer";
import { z } from "zod";

const input = z
  .object({
    host: z.string(),
    port: z.number().int(),
    total: z.number().int().positive(),
    message: z.object({ from: z.string(), to: z.string(), subject: z.string(), text: z.string(), html: z.string() }),
  })
  .parse(JSON.parse(process.argv[2] ?? "{}"));

// Aviso's pool settings (src/delivery/email-transport.ts): 10 sessions, 1,000 messages each, plain SMTP.
const transporter = nodemailer.createTransport({ pool: true, maxConnections: 10, maxMessages: 1000, host: input.host, port: input.port, ignoreTLS: true });
const send = (id: string) => transporter.sendMail({ ...input.message, messageId: `<${id}@bench.test>`, headers: { "X-Aviso-Delivery": id } });
// Warm-up: the pool's sessions open, as Aviso's are by the time it is measured.
await Promise.all(Array.from({ length: 20 }, (_, i) => send(`warm-${i}`)));
const started = performance.now();
// Every message handed to the pool at once: it sends as fast as its sessions and the sink allow.
await Promise.all(Array.from({ length: input.total }, (_, i) => send(`raw-${i}`)));
const seconds = (performance.now() - started) / 1000;
transporter.close();
console.log(JSON.stringify({ sends: input.total, sendsPerSecond: Math.round(input.total / seconds) }));
