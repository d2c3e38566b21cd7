import { randomUUID } from "node:crypto";
import WebSocket from "ws";

/** What a `next` frame of a notificationAdded subscription carries, as far as the bench reads it. */
export interface NotificationFrame {
  payload?: { data?: { notificationAdded?: { body?: string } } };
}

export interface LeanSubscriber {
  close(): void;
}

/**
 * A graphql-transport-ws subscriber with nothing else: connection_init, one subscribe,
 * and each `next` frame parsed once and handed over with its text. The raw
 * `ws` baseline's clients do the same work per frame (one JSON.parse), so the load
 * generator costs both sides alike — graphql-ws's own client would cost Aviso's side more.
 */
export function leanSubscribe(
  wsUrl: string,
  token: string,
  query: string,
  onFrame: (frame: NotificationFrame, text: string, at: number) => void,
): Promise<LeanSubscriber> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, "graphql-transport-ws");
    socket.once("error", reject);
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })));
    socket.on("message", (data: Buffer) => {
      const at = performance.now();
      const text = data.toString();
      const message = JSON.parse(text) as NotificationFrame & { type: string };
      if (message.type === "next") onFrame(message, text, at);
      else if (message.type === "ping") socket.send(JSON.stringify({ type: "pong" }));
      else if (message.type === "connection_ack") {
        // A UUID like graphql-ws's own client, so frames have their real size.
        socket.send(JSON.stringify({ id: randomUUID(), type: "subscribe", payload: { query } }));
        resolve({ close: () => socket.close() });
      } else if (message.type === "error") reject(new Error(`subscription refused: ${text.slice(0, 200)}`));
    });
  });
}
