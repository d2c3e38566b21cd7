import { randomBytes } from "node:crypto";
import { startHttpFake, type FakeReply, type HttpFake, type RecordedRequest } from "./http-fake.js";

/** Meta's answer to an accepted message. */
export function metaAccepted(request: RecordedRequest): FakeReply {
  const to = (request.body as { to?: string } | null)?.to ?? "";
  return {
    status: 200,
    body: { messaging_product: "whatsapp", contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.${randomBytes(12).toString("hex")}` }] },
  };
}

/** Meta's error payload, e.g. metaError(400, 131047, "Re-engagement message"). */
export function metaError(status: number, code: number, message: string): FakeReply {
  return {
    status,
    body: { error: { message: `(#${code}) ${message}`, type: "OAuthException", code, error_data: { messaging_product: "whatsapp", details: message }, fbtrace_id: "Afake" } },
  };
}

/**
 * Meta's Graph API on 127.0.0.1: `POST /{version}/{phone_number_id}/messages`
 * records the request and answers what it was told (accepted by default).
 */
export function startGraphApi(): Promise<HttpFake> {
  return startHttpFake(metaAccepted);
}

export interface GraphRequest {
  method: string;
  /** Path and query, e.g. /v21.0/100000000000001/messages */
  path: string;
  headers: import("node:http").IncomingHttpHeaders;
  /** Parsed JSON, or the raw bytes (multipart uploads). */
  body: unknown;
  raw: Buffer;
}

export interface GraphReply extends FakeReply {
  /** Hold the answer this long (a slow Meta; a worker killed mid-send). */
  delayMs?: number;
}

export interface GraphApiStandIn {
  url: string;
  requests: GraphRequest[];
  /** POST …/messages that were messages (not read receipts). */
  sends(): GraphRequest[];
  /** Replies for the next POST …/messages, used once each in order, then the default (accepted). */
  enqueue(...replies: GraphReply[]): void;
  /** The reply when no reply is queued: accepted by default. */
  setDefault(reply: ((request: GraphRequest) => GraphReply) | GraphReply): void;
  /** A media object Meta holds: GET /{id} describes it, GET /files/{id} serves it. */
  addMedia(id: string, bytes: Buffer, mimeType: string): void;
  /** What GET /{waba_id}/message_templates lists. */
  templates: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * The Graph API endpoints agents' messages use, on 127.0.0.1, answering in Meta's
 * documented shapes: POST /{v}/{phone_number_id}/messages (messages and read receipts),
 * POST /{v}/{phone_number_id}/media (multipart upload → { id }), GET /{v}/{media_id}
 * (→ { url, mime_type, sha256, file_size, id }), the file at that url, and
 * GET /{v}/{waba_id}/message_templates (→ { data, paging }).
 */
export async function startGraphApiStandIn(): Promise<GraphApiStandIn> {
  const { createServer } = await import("node:http");
  const { createHash } = await import("node:crypto");
  const requests: GraphRequest[] = [];
  const queue: GraphReply[] = [];
  let fallback: ((request: GraphRequest) => GraphReply) | GraphReply = (request) => metaAccepted(request as unknown as RecordedRequest);
  const media = new Map<string, { bytes: Buffer; mimeType: string }>();
  let uploads = 0;
  let base = "";
  const standIn: GraphApiStandIn = {
    url: "",
    requests,
    sends: () => requests.filter((r) => r.method === "POST" && r.path.endsWith("/messages") && (r.body as { status?: string } | null)?.status !== "read"),
    enqueue: (...replies) => queue.push(...replies),
    setDefault: (reply) => (fallback = reply),
    addMedia: (id, bytes, mimeType) => media.set(id, { bytes, mimeType }),
    templates: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      let body: unknown = raw;
      if ((req.headers["content-type"] ?? "").includes("json")) {
        try {
          body = JSON.parse(raw.toString("utf8"));
        } catch {
          body = raw.toString("utf8");
        }
      }
      const request: GraphRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, raw };
      requests.push(request);
      const send = (reply: GraphReply) => {
        const respond = () => {
          if (res.destroyed) return;
          const payload = Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(JSON.stringify(reply.body ?? {}));
          res.writeHead(reply.status, { "content-type": Buffer.isBuffer(reply.body) ? "application/octet-stream" : "application/json", "content-length": payload.length, ...reply.headers });
          res.end(payload);
        };
        if (reply.delayMs) setTimeout(respond, reply.delayMs);
        else respond();
      };
      const path = (req.url ?? "").split("?")[0]!;
      const parts = path.split("/").filter(Boolean);
      if (req.method === "POST" && parts.length === 3 && parts[2] === "messages") {
        if ((body as { status?: string } | null)?.status === "read") return send({ status: 200, body: { success: true } });
        const reply = queue.shift() ?? (typeof fallback === "function" ? fallback(request) : fallback);
        return send(reply);
      }
      if (req.method === "POST" && parts.length === 3 && parts[2] === "media") {
        const id = `${Date.now()}${++uploads}`;
        const type = /name="type"\r\n\r\n([^\r]+)/.exec(raw.toString("latin1"))?.[1] ?? "application/octet-stream";
        media.set(id, { bytes: raw, mimeType: type });
        return send({ status: 200, body: { id } });
      }
      if (req.method === "GET" && parts[0] === "files" && parts[1]) {
        const file = media.get(parts[1]);
        return send(file ? { status: 200, body: file.bytes, headers: { "content-type": file.mimeType } } : metaError(404, 100, "Unsupported get request"));
      }
      if (req.method === "GET" && parts.length === 3 && parts[2] === "message_templates") {
        return send({ status: 200, body: { data: standIn.templates, paging: { cursors: { before: "MAZDZD", after: "MjQZD" } } } });
      }
      if (req.method === "GET" && parts.length === 2) {
        const file = media.get(parts[1]!);
        if (!file) return send(metaError(400, 100, "Unsupported get request"));
        return send({
          status: 200,
          body: {
            messaging_product: "whatsapp",
            url: `${base}/files/${parts[1]}`,
            mime_type: file.mimeType,
            sha256: createHash("sha256").update(file.bytes).digest("hex"),
            file_size: String(file.bytes.length),
            id: parts[1],
          },
        });
      }
      send(metaError(404, 100, "Unknown path"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as import("node:net").AddressInfo;
  base = `http://127.0.0.1:${port}`;
  standIn.url = base;
  return standIn;
}
