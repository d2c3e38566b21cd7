import type { IncomingMessage, ServerResponse } from "node:http";
import { once } from "node:events";
import { decodeGlobalID } from "@pothos/plugin-relay";
import { bearerToken, type Viewer } from "../../auth/jwt.js";
import { standingOf } from "../../auth/standing.js";
import { Role } from "../../db/client.js";
import { scopedTo } from "../../db/tenant.js";
import type { Runtime } from "../../runtime.js";
import { downloadMedia, GraphApiError, mediaInfo, uploadMedia } from "../outbound/graph-api.js";
import { readableReason } from "../outbound/meta-errors.js";
import { mediaOf } from "../outbound/media-of.js";
import { MEDIA_KINDS, type MediaKind } from "../outbound/content.js";
import { baseMime, checkUploadFits, kindOfMime, WHATSAPP_MEDIA } from "./limits.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Multipart framing around the file: boundaries, part headers, the small text fields.
const MULTIPART_OVERHEAD = 64 * 1024;
const SENDERS: Role[] = [Role.AGENT, Role.ORG_ADMIN, Role.SUPER_ADMIN];

/**
 * `GET /media/:messageId` streams a message's file to a user of its organization;
 * `POST /media` (multipart, field `file`, optional `kind` and `conversationId`) uploads
 * a file to Meta for sendMessage and answers `{ uploadId }`. Both take the caller's
 * Bearer token; another organization's message is 404, like a missing one.
 */
export async function mediaRoute(req: IncomingMessage, res: ServerResponse, runtime: Runtime): Promise<void> {
  const path = (req.url ?? "/").split("?")[0]!;
  const viewer = await viewerOf(runtime, req.headers.authorization);
  if (!viewer) {
    req.resume();
    return json(res, 401, { error: "a valid Bearer token is required" });
  }
  if (path === "/media") {
    if (req.method !== "POST") return methodNotAllowed(req, res, "POST");
    return upload(req, res, runtime, viewer);
  }
  const id = /^\/media\/([^/]+)$/.exec(path)?.[1];
  if (id === undefined) return json(res, 404, { error: "not found" });
  if (req.method !== "GET") return methodNotAllowed(req, res, "GET");
  return download(res, runtime, viewer, decodeURIComponent(id));
}

async function download(res: ServerResponse, runtime: Runtime, viewer: Viewer, rawId: string): Promise<void> {
  const messageId = messageIdOf(rawId);
  const db = scopedTo(runtime.prisma, viewer.organizationId);
  const message = messageId
    ? await db.message.findUnique({ where: { id: messageId }, select: { id: true, direction: true, payload: true, outbound: true, conversation: { select: { whatsAppNumberId: true } } } })
    : null;
  const media = message ? mediaOf(message) : null;
  if (!message || !media?.mediaId) return json(res, 404, { error: "not found" });
  const number =
    (message.conversation.whatsAppNumberId ? await db.whatsAppNumber.findUnique({ where: { id: message.conversation.whatsAppNumberId } }) : null) ??
    (await db.whatsAppNumber.findFirst({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] }));
  if (!number) return json(res, 404, { error: "not found" });
  const max = runtime.config.MEDIA_MAX_BYTES;
  const log = runtime.log.child({ messageId: message.id, organizationId: viewer.organizationId });
  let upstream: Response;
  let mimeType: string | undefined;
  try {
    const info = await mediaInfo(runtime.config, number, media.mediaId);
    if (info.file_size !== undefined && Number(info.file_size) > max) return json(res, 413, { error: `the file is larger than ${max} bytes` });
    mimeType = info.mime_type;
    upstream = await downloadMedia(runtime.config, number, info.url);
  } catch (error) {
    if (!(error instanceof GraphApiError)) throw error;
    log.warn({ reason: readableReason(error) }, "media download refused by Meta");
    // Meta forgets media after 30 days: a 404 there is a 404 here.
    return json(res, error.status === 404 || error.code === 100 ? 404 : 502, { error: readableReason(error) });
  }
  const declared = Number(upstream.headers.get("content-length") ?? Number.NaN);
  if (declared > max) {
    await upstream.body?.cancel();
    return json(res, 413, { error: `the file is larger than ${max} bytes` });
  }
  res.writeHead(200, {
    "content-type": mimeType ?? upstream.headers.get("content-type") ?? "application/octet-stream",
    "cache-control": "private, no-store",
    "x-content-type-options": "nosniff",
    ...(media.fileName ? { "content-disposition": `inline; filename*=UTF-8''${encodeURIComponent(media.fileName)}` } : {}),
    ...(Number.isFinite(declared) ? { "content-length": String(declared) } : {}),
  });
  let total = 0;
  const reader = upstream.body?.getReader();
  for (;;) {
    const chunk = reader ? await reader.read() : { done: true as const, value: undefined };
    if (chunk.done) break;
    total += chunk.value.byteLength;
    if (total > max) {
      // Meta sent more than it declared or than we allow: cut it off, never buffer it.
      await reader?.cancel();
      log.warn({ max }, "media larger than allowed: stream cut");
      res.destroy();
      return;
    }
    if (!res.write(chunk.value)) await once(res, "drain");
  }
  res.end();
}

async function upload(req: IncomingMessage, res: ServerResponse, runtime: Runtime, viewer: Viewer): Promise<void> {
  if (!SENDERS.includes(viewer.role)) {
    req.resume();
    return json(res, 403, { error: "only agents and admins may upload media" });
  }
  const contentType = req.headers["content-type"] ?? "";
  if (!contentType.startsWith("multipart/form-data")) {
    req.resume();
    return json(res, 415, { error: "send multipart/form-data with a file field" });
  }
  const max = Math.min(runtime.config.MEDIA_MAX_BYTES, Math.max(...Object.values(WHATSAPP_MEDIA).map((m) => m.maxBytes)));
  const body = await readCapped(req, max + MULTIPART_OVERHEAD);
  if (!body) return tooLarge(res, max);
  let form: FormData;
  try {
    form = await new Request("http://localhost/media", { method: "POST", headers: { "content-type": contentType }, body: new Uint8Array(body) }).formData();
  } catch {
    return json(res, 400, { error: "malformed multipart body" });
  }
  const file = form.get("file");
  if (!(file instanceof Blob)) return json(res, 400, { error: "the file field is missing" });
  if (file.size > max) return tooLarge(res, max);
  const mimeType = baseMime(file.type || "application/octet-stream");
  const askedKind = form.get("kind");
  const kind: MediaKind | null = typeof askedKind === "string" && askedKind ? ((MEDIA_KINDS as readonly string[]).includes(askedKind) ? (askedKind as MediaKind) : null) : kindOfMime(mimeType);
  if (!kind) return json(res, 415, { error: `WhatsApp does not send ${mimeType} files (or kind is not one of ${MEDIA_KINDS.join(", ")})` });
  const problem = checkUploadFits(kind, mimeType, file.size);
  if (problem) return json(res, file.size > WHATSAPP_MEDIA[kind].maxBytes ? 413 : 415, { error: problem });

  const db = scopedTo(runtime.prisma, viewer.organizationId);
  const conversationField = form.get("conversationId");
  const conversationId = typeof conversationField === "string" && conversationField ? idOf(conversationField, "Conversation") : undefined;
  if (conversationId === null) return json(res, 400, { error: "conversationId is not a valid id" });
  const conversation = conversationId ? await db.conversation.findUnique({ where: { id: conversationId }, select: { whatsAppNumberId: true } }) : undefined;
  if (conversation === null) return json(res, 404, { error: "conversation not found" });
  const number =
    (conversation?.whatsAppNumberId ? await db.whatsAppNumber.findUnique({ where: { id: conversation.whatsAppNumberId } }) : null) ??
    (await db.whatsAppNumber.findFirst({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] }));
  if (!number) return json(res, 400, { error: "the organization has no connected WhatsApp number" });

  const fileName = (file instanceof File && file.name ? file.name : "file").slice(0, 240);
  let mediaId: string;
  try {
    mediaId = await uploadMedia(runtime.config, number, { bytes: new Uint8Array(await file.arrayBuffer()), mimeType, fileName });
  } catch (error) {
    if (!(error instanceof GraphApiError)) throw error;
    return json(res, error.status >= 400 && error.status < 500 ? 400 : 502, { error: readableReason(error) });
  }
  const row = await db.mediaUpload.create({
    data: { organizationId: viewer.organizationId, whatsAppNumberId: number.id, mediaId, mimeType, fileSize: file.size, fileName, uploadedById: viewer.userId },
  });
  runtime.log.info({ organizationId: viewer.organizationId, uploadId: row.id, kind, bytes: file.size }, "media uploaded to Meta");
  json(res, 201, { uploadId: row.id, kind, mimeType, fileSize: file.size, fileName });
}

/** The caller, when the token verifies and its user still stands as signed; else null. */
async function viewerOf(runtime: Runtime, authorization: unknown): Promise<Viewer | null> {
  const token = bearerToken(authorization);
  if (!token) return null;
  try {
    const viewer = await runtime.verifier.verify(token);
    const standing = await standingOf(runtime, viewer.userId);
    if (!standing?.active || standing.organizationId !== viewer.organizationId || standing.role !== viewer.role) return null;
    return viewer;
  } catch {
    return null;
  }
}

/** A message id: a uuid or the GraphQL global id of a Message. */
function messageIdOf(raw: string): string | null {
  return idOf(raw, "Message");
}

function idOf(raw: string, typename: string): string | null {
  if (UUID.test(raw)) return raw;
  try {
    const decoded = decodeGlobalID(raw);
    return decoded.typename === typename && UUID.test(decoded.id) ? decoded.id : null;
  } catch {
    return null;
  }
}

/** The body, or null once it passes `max` bytes (the rest is not read). */
async function readCapped(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (declared > max) return null;
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(res: ServerResponse, max: number): void {
  res.setHeader("connection", "close");
  json(res, 413, { error: `the file is larger than ${max} bytes` });
}

function methodNotAllowed(req: IncomingMessage, res: ServerResponse, allow: string): void {
  req.resume();
  res.setHeader("allow", allow);
  json(res, 405, { error: "method not allowed" });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(payload) });
  res.end(payload);
}
