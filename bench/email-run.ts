// npx tsx bench/email-run.ts: the email scenario alone, beside its baseline of the same run —
// raw pooled nodemailer to the same local SMTP sink. BENCH_EMAIL_ROUNDS=n repeats both
// (interleaved, so a busy moment of a shared machine hits both alike); BENCH_PROFILE_DIR=dir
// writes the server's CPU profile there.
import nodemailer from "nodemailer";
import { emailDeliveries } from "./fanout.js";
import { freePort, freshDatabase, startAviso } from "./lib/aviso.js";
import { cpuSecondsOf } from "./lib/proc.js";
import { seedBenchData } from "./lib/setup.js";
import { startSmtpSink } from "./lib/smtp-sink.js";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const ROUNDS = Number(process.env.BENCH_EMAIL_ROUNDS ?? 3);
const JOBS = Number(process.env.BENCH_EMAIL_JOBS ?? 2000);
const log = (msg: string) => process.stderr.write(`[email] ${msg}\n`);

const smtp = await startSmtpSink();

/** The same pool settings as src/delivery/email-transport.ts, one rendered message sent `total` times. */
async function rawNodemailer(total: number): Promise<number> {
  const transporter = nodemailer.createTransport({ pool: true, maxConnections: 10, maxMessages: 1000, host: "127.0.0.1", port: smtp.port, ignoreTLS: true });
  const message = {
    from: { name: "Aviso", address: "aviso@bench.test" },
    to: { name: "Agent 1", address: "agent1@bench.test" },
    subject: "Bench delivery",
    text: "Bench delivery\n\nOpen: http://localhost:4000/notifications\n".repeat(3),
    html: `<html><body>${"<p>Bench delivery</p>".repeat(6)}</body></html>`,
  };
  await Promise.all(Array.from({ length: 20 }, (_, i) => transporter.sendMail({ ...message, messageId: `<warm-${i}@bench.test>` })));
  const started = performance.now();
  await Promise.all(
    Array.from({ length: total }, (_, i) =>
      transporter.sendMail({ ...message, messageId: `<raw-${i}@bench.test>`, headers: { "X-Aviso-Delivery": `raw-${i}` } }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  transporter.close();
  return Math.round(total / seconds);
}

/** CPU time (user + system, ms) a process has used so far: steadier than wall time on a shared machine. */
function cpuMs(pid: number): number {
  const { user, system } = cpuSecondsOf(pid);
  return (user + system) * 1000;
}

const databaseUrl = await freshDatabase(ADMIN_URL, "aviso_bench_email");
const aviso = await startAviso({ DATABASE_URL: databaseUrl, REDIS_URL, ...smtp.env }, await freePort());
const rounds: Array<{ raw: number; aviso: number; ratio: number; rawCpuMsPerSend: number; avisoCpuMsPerEmail: number }> = [];
// Whatever fails, the server does not outlive the driver.
try {
  const data = await seedBenchData(databaseUrl, { agents: ROUNDS + 2, fanoutAdmins: 0, idleUsers: 0 });
  // Warm-up: JIT, the pool's sessions, prepared statements.
  await emailDeliveries(databaseUrl, data.agents[0]!, 300);
  const pid = aviso.child.pid!;
  for (let r = 0; r < ROUNDS; r++) {
    const rawCpu = process.cpuUsage();
    const raw = await rawNodemailer(JOBS);
    const rawCpuUsed = process.cpuUsage(rawCpu);
    const before = cpuMs(pid);
    const avisoRate = await emailDeliveries(databaseUrl, data.agents[r + 1]!, JOBS);
    const avisoCpu = cpuMs(pid) - before;
    rounds.push({
      raw,
      aviso: avisoRate,
      ratio: Math.round((avisoRate / raw) * 1000) / 1000,
      // The load generator's process: the raw client and the sink both.
      rawCpuMsPerSend: Math.round(((rawCpuUsed.user + rawCpuUsed.system) / 1000 / JOBS) * 1000) / 1000,
      avisoCpuMsPerEmail: Math.round((avisoCpu / JOBS) * 1000) / 1000,
    });
    log(`round ${r}: ${JSON.stringify(rounds.at(-1))}`);
  }
} finally {
  await aviso.stop();
  smtp.close();
}
const ratios = rounds.map((r) => r.ratio).sort((a, b) => a - b);
const cpu = rounds.map((r) => r.avisoCpuMsPerEmail).sort((a, b) => a - b);
const median = (values: number[]) => values[Math.floor(values.length / 2)];
process.stdout.write(`${JSON.stringify({ medianRatio: median(ratios), medianAvisoCpuMsPerEmail: median(cpu) })}\n`);
