import { DEMO_PHONE_NUMBER_ID, sampleChange, sampleMessage, sampleWebhook } from "../helpers/meta.js";

export interface StormMessage {
  wamid: string;
  from: string;
  text: string;
  /** Meta's timestamp: the same on every redelivery. */
  timestamp: number;
}

export interface StormPlan {
  messages: StormMessage[];
  /** Raw JSON bodies, shuffled, as the sender posts them (each until it gets a 200). */
  bodies: string[];
  /** Message occurrences beyond the first of each wamid, before any redelivery by the sender. */
  plannedDuplicates: number;
}

export interface StormOptions {
  messages: number;
  customers: number;
  /** Share of messages delivered a second time (same body, or inside another batch). */
  duplicateShare: number;
  /** Most messages one body carries. */
  maxPerBody: number;
  random: () => number;
}

/** The customers' wa_ids: never one of the agents' notification numbers (those are anti-loop). */
export const customerWaId = (index: number) => `55219${String(index).padStart(8, "0")}`;

/**
 * Meta-like traffic: every message once in a body of 1..maxPerBody messages, then a
 * share of them again — half as the very same body, half regrouped with others — all
 * shuffled together.
 */
export function planStorm(options: StormOptions): StormPlan {
  const { random } = options;
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const customers = Array.from({ length: options.customers }, (_, i) => customerWaId(i));
  const now = Math.floor(Date.now() / 1000);
  const messages: StormMessage[] = Array.from({ length: options.messages }, (_, i) => ({
    wamid: `wamid.storm-${i}-${Math.floor(random() * 1e9).toString(36)}`,
    from: pick(customers),
    text: `storm-msg-${i}`,
    timestamp: now - 3600 + i,
  }));
  const bodyOf = (batch: StormMessage[]) =>
    JSON.stringify(
      sampleWebhook([
        sampleChange({
          phoneNumberId: DEMO_PHONE_NUMBER_ID,
          messages: batch.map((m) => sampleMessage({ id: m.wamid, from: m.from, text: m.text, timestamp: m.timestamp })),
          names: Object.fromEntries(batch.map((m) => [m.from, `Cliente ${m.from.slice(-4)}`])),
        }),
      ]),
    );

  const bodies: string[] = [];
  const batchesOf = (list: StormMessage[]) => {
    const batches: StormMessage[][] = [];
    for (let i = 0; i < list.length; ) {
      // Mostly one message per body, as Meta sends them; sometimes a few together.
      const size = random() < 0.75 ? 1 : 2 + Math.floor(random() * (options.maxPerBody - 1));
      batches.push(list.slice(i, i + size));
      i += size;
    }
    return batches;
  };
  const originals = batchesOf(shuffle(messages, random)).map((batch) => ({ batch, body: bodyOf(batch) }));
  bodies.push(...originals.map((o) => o.body));

  let plannedDuplicates = 0;
  const target = Math.ceil(options.messages * options.duplicateShare);
  const regrouped: StormMessage[] = [];
  for (const original of shuffle(originals, random)) {
    if (plannedDuplicates >= target) break;
    if (random() < 0.5) bodies.push(original.body);
    else regrouped.push(...original.batch);
    plannedDuplicates += original.batch.length;
  }
  bodies.push(...batchesOf(shuffle(regrouped, random)).map((batch) => bodyOf(batch)));
  return { messages, bodies: shuffle(bodies, random), plannedDuplicates };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** A small seeded generator (mulberry32), so a failing storm can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
