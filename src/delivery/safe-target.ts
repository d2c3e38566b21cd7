import { lookup as dnsLookup } from "node:dns/promises";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Tenant-controlled URLs (Slack webhooks, web-push endpoints) are an SSRF door: an
 * organization admin could make our worker POST to the metadata service, a database
 * or anything else on our network. This module is the one place every such request
 * goes through:
 * - when the URL is saved, `checkTargetUrl` refuses non-https, hosts outside the
 *   channel's allow-list and literal addresses that are not public;
 * - at send time, `postToTarget` resolves the host once, refuses the request when ANY
 *   resolved address is loopback, private, link-local, multicast, unspecified or
 *   otherwise not global unicast (IPv4-mapped IPv6 is judged as the IPv4 it wraps),
 *   and connects to exactly the address it checked (a DNS answer cannot change
 *   between the check and the connection: no rebinding);
 * - redirects are never followed, and the reply is reduced to its status and a short
 *   sanitized reason before anyone stores or logs it.
 * `allowLocal` (UNSAFE_ALLOW_LOCAL_TARGETS, refused in production) admits http and
 * loopback — and nothing else private — for development and tests.
 */
export interface TargetPolicy {
  /** Exact host names, or ".example.com" for any subdomain of example.com. */
  allowedHosts: readonly string[];
  allowLocal: boolean;
  /** Injected by tests; defaults to the system resolver (every address). */
  resolve?: (host: string) => Promise<string[]>;
}

export class UnsafeTargetError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "UnsafeTargetError";
  }
}

/**
 * Why this address may not be contacted, or null for a global unicast address.
 * Accepts every spelling ipaddr.js knows: dotted, decimal (2130706433), hex (0x7f.1),
 * octal (0177.0.0.1), short (127.1), IPv6 with embedded or mapped IPv4.
 */
export function blockedAddressReason(address: string, allowLocal = false): string | null {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(bare);
  } catch {
    return "not an IP address";
  }
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  if (range === "unicast") return null;
  if (range === "loopback" && allowLocal) return null;
  return `${range} address`;
}

/** The literal address a URL host names (after WHATWG normalisation), or null for a name. */
function literalAddress(hostname: string): string | null {
  const bare = hostname.replace(/^\[|\]$/g, "");
  return ipaddr.isValid(bare) ? bare : null;
}

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  return allowed.some((a) => (a.startsWith(".") ? h.endsWith(a) && h.length > a.length : h === a));
}

/** Null when `raw` may be stored as a target, else the reason (for BAD_USER_INPUT). */
export function checkTargetUrl(raw: string, policy: TargetPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a URL";
  }
  if (url.username || url.password) return "must not carry credentials";
  const local = policy.allowLocal && isLoopbackHost(url.hostname);
  if (url.protocol !== "https:" && !(local && url.protocol === "http:")) return "must be an https URL";
  if (!local && !hostAllowed(url.hostname, policy.allowedHosts)) return `host not allowed (allowed: ${policy.allowedHosts.join(", ")})`;
  const literal = literalAddress(url.hostname);
  if (literal) {
    const blocked = blockedAddressReason(literal, policy.allowLocal);
    if (blocked) return `points at a ${blocked}`;
  }
  return null;
}

function isLoopbackHost(hostname: string): boolean {
  if (hostname === "localhost") return true;
  const literal = literalAddress(hostname);
  return literal !== null && blockedAddressReason(literal) === "loopback address";
}

export interface TargetReply {
  status: number;
  /** A short reason made only of safe characters (never the provider's whole body). */
  reason: string;
  headers: IncomingHttpHeaders;
}

/** At most this much of a reply is read; the rest is discarded. */
const MAX_REPLY_BYTES = 4096;

/** First line of a reply, reduced to [A-Za-z0-9 _.:-] and 80 characters: safe to store and log. */
export function sanitizeReason(text: string): string {
  const line = text.split(/\r?\n/, 1)[0] ?? "";
  return line.replace(/[^\w .:-]+/g, " ").replace(/\s+/g, " ").trim().slice(0, 80);
}

/**
 * POSTs `body` to a tenant URL under `policy`. Resolves with the status and a sanitized
 * reason whatever the status (3xx included: redirects are not followed); rejects with
 * UnsafeTargetError when the URL or any address it resolves to is refused, or with
 * the network error.
 */
export async function postToTarget(
  raw: string,
  policy: TargetPolicy,
  request: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<TargetReply> {
  const refused = checkTargetUrl(raw, policy);
  if (refused) throw new UnsafeTargetError(`target refused: ${refused}`);
  const url = new URL(raw);
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const literal = literalAddress(hostname);
  const addresses = literal ? [literal] : await (policy.resolve ?? resolveAll)(hostname);
  if (addresses.length === 0) throw new UnsafeTargetError("target refused: host does not resolve");
  for (const address of addresses) {
    const blocked = blockedAddressReason(address, policy.allowLocal);
    if (blocked) throw new UnsafeTargetError(`target refused: host resolves to a ${blocked}`);
  }
  const pinned = addresses[0]!;
  const family = ipaddr.parse(pinned).kind() === "ipv6" ? 6 : 4;
  // Node connects to what `lookup` returns: the address checked above, never a second answer.
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: pinned, family }]);
    else callback(null, pinned, family);
  };
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<TargetReply>((resolve, reject) => {
    const req = send(
      url,
      {
        method: "POST",
        headers: { ...request.headers, "content-length": Buffer.byteLength(request.body) },
        lookup,
        timeout: request.timeoutMs,
        // The Host header and TLS SNI stay the URL's name; only the connection is pinned.
        servername: literal ? undefined : hostname,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          if (size < MAX_REPLY_BYTES) chunks.push(chunk);
          size += chunk.length;
          if (size > MAX_REPLY_BYTES) res.destroy();
        });
        const done = () => resolve({ status: res.statusCode ?? 0, reason: sanitizeReason(Buffer.concat(chunks).toString("utf8").slice(0, MAX_REPLY_BYTES)), headers: res.headers });
        res.on("end", done);
        res.on("close", done);
        res.on("error", done);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${request.timeoutMs} ms`)));
    req.on("error", (error) => reject(new Error(sanitizeReason(error.message) || "connection failed")));
    req.end(request.body);
  });
}

async function resolveAll(host: string): Promise<string[]> {
  const answers = await dnsLookup(host, { all: true, verbatim: true });
  return answers.map((a) => a.address);
}

/** The policy for one kind of tenant URL, from the configuration. */
export function targetPolicy(config: { UNSAFE_ALLOW_LOCAL_TARGETS: boolean; NODE_ENV: string }, allowedHosts: readonly string[]): TargetPolicy {
  // Belt and braces: loadConfig already refuses the flag in production.
  return { allowedHosts, allowLocal: config.UNSAFE_ALLOW_LOCAL_TARGETS && config.NODE_ENV !== "production" };
}
