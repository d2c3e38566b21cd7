/**
 * The per-process state one runtime owns: caches, circuit breakers, the SMTP pool,
 * number routing. `startApp` creates the registry with the runtime and `stop()` closes
 * it; each domain declares what it keeps with `processState(...)` beside the code that
 * uses it, and gets that one instance from `runtime.state`. Tests that start several apps
 * in one process get one set each; nothing lives in module-level maps.
 */
export interface StateSlot<T> {
  readonly name: string;
  create(): T;
  /** Releases what the value holds (a connection pool); called once by `stop()`. */
  close?(value: T): Promise<void> | void;
}

/** Declares one piece of per-process state. */
export function processState<T>(name: string, create: () => T, close?: (value: T) => Promise<void> | void): StateSlot<T> {
  return { name, create, ...(close ? { close } : {}) };
}

export interface ProcessState {
  /** The runtime's instance of `slot`, made on first use. */
  get<T>(slot: StateSlot<T>): T;
  /** Closes every value that needs it (in reverse order of creation) and forgets them all. */
  close(): Promise<void>;
}

export function createProcessState(): ProcessState {
  const values = new Map<StateSlot<unknown>, unknown>();
  return {
    get<T>(slot: StateSlot<T>): T {
      if (!values.has(slot)) values.set(slot, slot.create());
      return values.get(slot) as T;
    },
    async close() {
      const entries = [...values.entries()].reverse();
      values.clear();
      for (const [slot, value] of entries) await slot.close?.(value);
    },
  };
}
