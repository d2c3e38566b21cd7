// Broadcast: customer messages to unassigned conversations of a queue that all 100 agents
// belong to, so every webhook is one notificationAdded frame on each of 100 sockets.
// The offered load is ramped until the frames per second stop growing (or latency runs
// away); the best sustained rate is Aviso's saturation, set beside a raw `ws` broadcast of
// frames of the same size to 100 sockets. Then open-loop latency at 25/50/75 % of it.
import { print } from "graphql";
import { NotificationAddedDocument } from "../src/client/index.js";
import { wsBroadcastThroughput } from "./baselines.js";
import { leanSubscribe, type LeanSubscriber, type NotificationFrame } from "./lib/lean-subscriber.js";
import { inboundText } from "./lib/meta.js";
import { BROADCAST_PHONE_NUMBER_ID, broadcastContactWaId } from "./lib/setup.js";
import { sleep, summarize, waitFor, type Latency } from "./lib/stats.js";
import { postWebhook } from "./scenarios.js";

/** The frontend contract's own subscription document (operations/inbox.graphql). */
const SUBSCRIPTION = print(NotificationAddedDocument);
const TOKEN = /bc\d+-\d+/;

export interface BroadcastStep extends Latency {
  /** Offered load, webhooks per second (each one frame per agent). */
  rate: number;
  sent: number;
  /**
   * Frames received ÷ the time from the step's first due send to its last frame: the
   * offered rate while Aviso keeps up, its sustained rate once it falls behind (it is
   * busy from the first webhook until the last frame, backlog included).
   */
  framesPerSecond: number;
  /** Frames expected but not received once the step drained (bounded wait), plus failed posts. */
  lost: number;
}

export interface BroadcastOptions {
  /** Seconds of sending per ramp step. */
  stepSeconds: number;
  /** Seconds of sending per latency point (25/50/75 % of saturation). */
  latencySeconds: number;
  /** The first step's webhooks/s; each next step offers 1.5 × more. */
  startRate: number;
  maxSteps: number;
  /** p99 (ms) beyond which the latency has run away and the ramp stops. */
  runawayMs: number;
}

export const defaultBroadcastOptions = (): BroadcastOptions => ({
  stepSeconds: Number(process.env.BENCH_BROADCAST_STEP_SECONDS ?? 3),
  latencySeconds: Number(process.env.BENCH_BROADCAST_LATENCY_SECONDS ?? 5),
  startRate: Number(process.env.BENCH_BROADCAST_START_RATE ?? 5),
  maxSteps: Number(process.env.BENCH_BROADCAST_MAX_STEPS ?? 12),
  runawayMs: 1000,
});

interface Pending {
  due: number;
  step: StepTally;
}

interface StepTally {
  samples: number[];
  lastAt: number;
}

/** One broadcast run against a running Aviso: ramp, raw baseline, latency points. */
export async function broadcastBench(options: {
  avisoUrl: string;
  avisoWsUrl: string;
  baselineWsUrl: () => Promise<{ url: string; stop(): void }>;
  tokens: string[];
  bench?: BroadcastOptions;
  log?: (msg: string) => void;
}) {
  const settings = options.bench ?? defaultBroadcastOptions();
  const log = options.log ?? (() => {});
  const agents = options.tokens.length;
  const pending = new Map<string, Pending>();
  let frameText = "";
  let frameBytes = 0;
  const onFrame = (frame: NotificationFrame, text: string, at: number) => {
    const token = TOKEN.exec(frame.payload?.data?.notificationAdded?.body ?? "")?.[0];
    const entry = token ? pending.get(token) : undefined;
    if (!entry) return;
    entry.step.samples.push(at - entry.due);
    entry.step.lastAt = at;
    if (frameBytes === 0) {
      frameText = text;
      frameBytes = Buffer.byteLength(text);
    }
  };
  const sockets: LeanSubscriber[] = [];
  for (let i = 0; i < options.tokens.length; i += 25) {
    sockets.push(...(await Promise.all(options.tokens.slice(i, i + 25).map((t) => leanSubscribe(options.avisoWsUrl, t, SUBSCRIPTION, onFrame)))));
  }
  await sleep(500); // every subscribe message has reached the server

  let label = 0;
  /** Open loop at `rate` webhooks/s for `seconds`; every frame timed from its webhook's intended send. */
  const step = async (rate: number, seconds: number): Promise<BroadcastStep> => {
    const id = label++;
    const total = Math.max(1, Math.round(rate * seconds));
    const t0 = performance.now() + 50;
    const tally: StepTally = { samples: [], lastAt: t0 };
    const tokens: string[] = [];
    let failed = 0;
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const token = `bc${id}-${i}`;
      tokens.push(token);
      pending.set(token, { due, step: tally });
      const body = inboundText(BROADCAST_PHONE_NUMBER_ID, broadcastContactWaId(i % agents), token);
      inFlight.push(
        postWebhook(options.avisoUrl, body).then(
          (status) => void (status !== 200 && failed++),
          () => void failed++,
        ),
      );
    }
    await Promise.all(inFlight);
    const expected = (total - failed) * agents;
    await waitFor(() => tally.samples.length >= expected, Math.max(15_000, seconds * 5000), 20);
    for (const token of tokens) pending.delete(token);
    return {
      rate: Math.round(rate * 10) / 10,
      sent: total,
      framesPerSecond: Math.round(tally.samples.length / Math.max(total / rate, (tally.lastAt - t0) / 1000)),
      lost: failed * agents + Math.max(0, expected - tally.samples.length),
      ...summarize(tally.samples),
    };
  };

  // Warm-up: JIT, pooled connections, caches; and one real frame's text and size. If it
  // already fell behind, the ramp starts at half the rate it sustained, so the chart shows
  // the knee from below.
  const warm = await step(settings.startRate, 2);
  const fellBehind = warm.framesPerSecond < 0.9 * settings.startRate * agents;
  let rate = fellBehind ? Math.max(0.5, (0.5 * warm.framesPerSecond) / agents) : settings.startRate;
  log(`broadcast: frame ${frameBytes} bytes; ramp from ${Math.round(rate * 10) / 10} webhooks/s`);

  const ramp: BroadcastStep[] = [];
  for (let i = 0; i < settings.maxSteps; i++) {
    const result = await step(rate, settings.stepSeconds);
    ramp.push(result);
    log(`broadcast @${result.rate}/s: ${result.framesPerSecond} frames/s, p50 ${result.p50} ms, p99 ${result.p99} ms, lost ${result.lost}`);
    const bestBefore = Math.max(0, ...ramp.slice(0, -1).map((s) => s.framesPerSecond));
    if (result.framesPerSecond < bestBefore * 1.05 || result.p99 > settings.runawayMs || result.lost > 0) break;
    rate *= 1.5;
  }
  const saturation = ramp.reduce((best, s) => (s.framesPerSecond > best.framesPerSecond ? s : best), ramp[0]!);
  const capacity = saturation.framesPerSecond / agents;

  // The raw baseline while Aviso idles: the same 100 sockets' worth of clients, the same frame.
  const baseline = await options.baselineWsUrl();
  const raw = await wsBroadcastThroughput(baseline.url, agents, frameText || "{}", settings.stepSeconds);
  baseline.stop();
  log(`raw ws broadcast: ${raw.framesPerSecond} frames/s of ${raw.frameBytes} bytes`);

  const latency: Array<BroadcastStep & { fractionOfCapacity: number }> = [];
  for (const fraction of [0.25, 0.5, 0.75]) {
    // At least ~10 webhooks (1,000 frames) per point, however slow, within 30 s.
    const rate = capacity * fraction;
    const result = await step(rate, Math.max(settings.latencySeconds, Math.min(30, 10 / rate)));
    latency.push({ fractionOfCapacity: fraction, ...result });
    log(`broadcast at ${fraction * 100} % (${result.rate}/s): p50 ${result.p50} ms, p99 ${result.p99} ms, lost ${result.lost}`);
  }
  for (const s of sockets) s.close();
  return {
    agents,
    frameBytes,
    ramp,
    saturation: { framesPerSecond: saturation.framesPerSecond, webhooksPerSecond: Math.round(capacity * 10) / 10, atOfferedRate: saturation.rate },
    raw,
    latency,
  };
}

export type BroadcastResult = Awaited<ReturnType<typeof broadcastBench>>;
