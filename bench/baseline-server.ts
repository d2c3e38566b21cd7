// Baseline servers, in their own process like Aviso: a raw `ws` echo/broadcast server
// and a bare graphql-yoga `{ hello }`.
import { createServer } from "node:http";
import { createSchema, createYoga } from "graphql-yoga";
import { WebSocketServer, type WebSocket } from "ws";

const BROADCAST = "broadcast:";

// Port 0: the OS picks free ports; they are printed as "ready <ws> <yoga>".
const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
wss.on("connection", (socket: WebSocket) => {
  socket.on("message", (data) => {
    const text = String(data);
    // "broadcast:<frame>": <frame> to every client, as a server pushes one event to all.
    if (text.startsWith(BROADCAST)) {
      const frame = text.slice(BROADCAST.length);
      for (const client of wss.clients) client.send(frame);
    } else socket.send(text);
  });
});

const yoga = createYoga({
  schema: createSchema({ typeDefs: "type Query { hello: String! }", resolvers: { Query: { hello: () => "world" } } }),
  logging: false,
  graphiql: false,
});
const http = createServer(yoga);
http.listen(0, "127.0.0.1", () => {
  const port = (server: { address(): unknown }) => (server.address() as { port: number }).port;
  console.log(`ready ${port(wss)} ${port(http)}`);
});
