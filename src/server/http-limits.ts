import { createServer, type IncomingMessage, type ServerOptions } from "node:http";
import type { AddressInfo } from "node:net";
import ipaddr from "ipaddr.js";
import type { Config } from "../config/index.js";
import type { Runtime } from "../runtime.js";
import { bearerMatches, setSecurityHeaders } from "./http-guards.js";
import { sendJson, sendText } from "../http-response.js";

/**
 * Node's own defaults let a client hold a request for 5 minutes and close idle
 * keep-alive connections after 5 s — sooner than load balancers (AWS ALB 60 s, GCP
 * 600 s for HTTP(S) LB backends is configurable, nginx 60 s), which then reuse a
 * connection we already closed ("other side closed"). Keep-alive therefore outlives
 * the balancer (65 s), the headers deadline outlives keep-alive (Node requires it),
 * and a whole request has HTTP_REQUEST_TIMEOUT_SECONDS.
 */
export function httpTimeouts(config: Config): ServerOptions {
  const keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000;
  const headersTimeout = Math.max(config.HTTP_HEADERS_TIMEOUT_SECONDS * 1000, keepAliveTimeout + 1000);
  return {
    keepAliveTimeout,
    headersTimeout,
    // Node refuses a headers deadline longer than the request deadline.
    requestTimeout: Math.max(config.HTTP_REQUEST_TIMEOUT_SECONDS * 1000, headersTimeout),
  };
}

/**
 * /metrics is not public: with METRICS_PORT it is served only there; else with
 * METRICS_TOKEN only to `Authorization: Bearer <token>`; else only to loopback clients
 * (a sidecar or local agent).
 */
export function metricsAllowedHere(req: IncomingMessage, config: Config): boolean {
  if (config.METRICS_PORT !== undefined) return false;
  if (config.METRICS_TOKEN) return bearerMatches(req, config.METRICS_TOKEN);
  return isLoopback(req.socket.remoteAddress);
}

function isLoopback(address: string | undefined): boolean {
  if (!address || !ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === "loopback";
}

/** /metrics alone on METRICS_PORT (still behind METRICS_TOKEN when that is set too). */
export async function startMetricsServer(config: Config, runtime: Runtime): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer(httpTimeouts(config), (req, res) => {
    setSecurityHeaders(res, config.NODE_ENV === "production");
    if ((req.url ?? "/").split("?")[0] !== "/metrics") return sendJson(res, 404, { error: "not found" });
    if (config.METRICS_TOKEN && !bearerMatches(req, config.METRICS_TOKEN)) return sendJson(res, 401, { error: "unauthorized" });
    runtime.metrics.registry.metrics().then(
      (text) => sendText(res, 200, text, runtime.metrics.registry.contentType),
      () => sendJson(res, 500, { error: "metrics unavailable" }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.METRICS_PORT, config.HOST, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
