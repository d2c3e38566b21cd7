import { renderGraphiQL } from "@graphql-yoga/render-graphiql";

// GraphiQL sends its Headers tab with HTTP requests but not in graphql-ws's
// connection_init, and Aviso authenticates sockets at connect. This copies the
// Authorization header into connectionParams, so subscriptions work from GraphiQL
// exactly as from a real client.
const forwardAuthorizationToSockets = `<script>
(() => {
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try {
      const message = JSON.parse(data);
      if (message.type === "connection_init") {
        const headers = JSON.parse(localStorage.getItem("graphiql:headers") || "{}");
        const authorization = headers.Authorization || headers.authorization;
        if (authorization) data = JSON.stringify({ ...message, payload: { ...(message.payload || {}), authorization } });
      }
    } catch {}
    return send.call(this, data);
  };
})();
</script>`;

/** Yoga's GraphiQL with every asset bundled (no CDN: it works offline). */
export const renderAvisoGraphiQL: typeof renderGraphiQL = (options) => renderGraphiQL(options).replace("<head>", `<head>${forwardAuthorizationToSockets}`);
