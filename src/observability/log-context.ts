import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Correlation ids of the unit of work in progress (an HTTP request, a job), added to
 * every log line written while it runs — however deep the call that logs — by the
 * logger's mixin. Ids only: never bodies, numbers or tokens.
 */
export interface LogContext {
  requestId?: string;
  jobId?: string;
  job?: string;
  organizationId?: string;
  userId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `work` with these ids on every line it logs. */
export function withLogContext<T>(fields: LogContext, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, work);
}

/** Adds ids learnt along the way (the caller once authenticated) to the current unit of work. */
export function addToLogContext(fields: LogContext): void {
  const store = storage.getStore();
  if (store) Object.assign(store, fields);
}

/** The ids of the current unit of work (the logger's mixin). */
export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
