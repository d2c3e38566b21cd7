import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface SocketClient {
  client: Client;
  /** Resolves with the close code when the socket closes. */
  closed: Promise<number>;
  /** Resolves when the server acknowledged the connection (rejects if it closed first). */
  connected: Promise<void>;
  dispose(): Promise<void>;
}

/** The real graphql-ws client over a real socket; `authorization` goes in connectionParams. */
export function connect(wsUrl: string, authorization?: string): SocketClient {
  let onClosed!: (code: number) => void;
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  let onConnected!: () => void;
  let onRefused!: (error: Error) => void;
  const connected = new Promise<void>((resolve, reject) => {
    onConnected = resolve;
    onRefused = reject;
  });
  connected.catch(() => {});
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: authorization === undefined ? {} : { authorization },
    on: {
      connected: () => onConnected(),
      closed: (event) => {
        const code = (event as { code?: number }).code ?? 0;
        onRefused(new Error(`socket closed with ${code}`));
        onClosed(code);
      },
    },
    onNonLazyError: () => {},
  });
  return { client, closed, connected, dispose: () => client.dispose() as Promise<void> };
}

export interface Subscription<T> {
  /** The next result, or an error after `timeoutMs`. */
  next(timeoutMs?: number): Promise<T>;
  /** Everything received so far and not yet taken by next(). */
  pending(): T[];
  unsubscribe(): void;
}

/**
 * Subscribes and buffers results, so tests can await them one by one. `query` is a typed
 * document from test/generated/operations.ts (results typed by codegen) or a string.
 */
export function subscribe<T = Record<string, unknown>, V = Record<string, unknown>>(
  socket: SocketClient,
  query: string | TypedDocumentNode<T, V>,
  variables?: V,
): Subscription<{ data?: T; errors?: unknown[] }> {
  type Result = { data?: T; errors?: unknown[] };
  const buffer: Result[] = [];
  const waiters: Array<(value: Result) => void> = [];
  const push = (value: Result) => {
    const waiter = waiters.shift();
    if (waiter) waiter(value);
    else buffer.push(value);
  };
  const unsubscribe = socket.client.subscribe<T>(
    { query: typeof query === "string" ? query : print(query), variables: variables as Record<string, unknown> | undefined },
    {
      next: (value) => push(value as Result),
      error: (error) => push({ errors: Array.isArray(error) ? error : [error] }),
      complete: () => {},
    },
  );
  return {
    next(timeoutMs = 5000) {
      const ready = buffer.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no subscription result within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((value) => {
          clearTimeout(timer);
          resolve(value);
        });
      });
    },
    pending: () => buffer.splice(0),
    unsubscribe,
  };
}

/**
 * A bare socket speaking graphql-ws's subprotocol, for tests of the transport itself
 * (upgrade refusals, frame limits) that must send what the client library never would.
 * Resolves once open; rejects if the upgrade fails.
 */
export async function openRawSocket(wsUrl: string): Promise<WebSocket> {
  const socket = rawSocket(wsUrl);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  return socket;
}

/** A bare socket, not yet open: for upgrades the server is expected to refuse. */
export function rawSocket(wsUrl: string): WebSocket {
  return new WebSocket(wsUrl, "graphql-transport-ws");
}
