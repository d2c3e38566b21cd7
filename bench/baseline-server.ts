// Baseline servers, in their own process like Aviso: a raw `ws` echo/broadcast server
// and a bare graphql-yoga `{ hello }`. Ports come from argv; prints "ready" when up.
import { createServer } from "node:http";
import { createSchema, createYoga } from "graphql-yoga";
import { WebSocketServer, type WebSocket } from "ws";

const [wsPort, yogaPort] = process.argv.slice(2).map(Number);

const wss = new WebSocketServer({ host: "127.0.0.1", port: wsPort });
wss.on("connection", (socket: WebSocket) => {
  socket.on("message", (data) => {
    const text = String(data);
    if (text.startsWith("broadcast:")) for (const client of wss.clients) client.send(text);
    else socket.send(text);
  });
});

const yoga = createYoga({
  schema: createSchema({ typeDefs: "type Query { hello: String! }", resolvers: { Query: { hello: () => "world" } } }),
  logging: false,
  graphiql: false,
});
createServer(yoga).listen(yogaPort, "127.0.0.1", () => console.log("ready"));
