import { execFileSync } from "node:child_process";
import { createECDH, createDecipheriv, createPublicKey, hkdfSync, randomBytes, type ECDH } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeProtectedHeader, importJWK, jwtVerify, type JWTPayload } from "jose";

/**
 * A local push service (RFC 8030) on https://127.0.0.1, the way a browser's push
 * service receives web-push traffic: it checks the VAPID JWT (RFC 8292, ES256, verified
 * with jose against the key in the `k=` parameter) and decrypts the aes128gcm payload
 * (RFC 8188 + RFC 8291) with the subscription's private key, using node:crypto only.
 */
export interface PushServiceCertificate {
  /** PEM of the self-signed certificate for 127.0.0.1 — trust it (NODE_EXTRA_CA_CERTS or an agent's `ca`). */
  certPem: string;
  certFile: string;
  keyPem: string;
  dispose(): void;
}

/** A self-signed certificate for IP 127.0.0.1 made with openssl (web-push only speaks https). */
export function makeLoopbackCertificate(): PushServiceCertificate {
  const dir = mkdtempSync(join(tmpdir(), "aviso-push-cert-"));
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:TRUE",
    "-keyout", keyFile, "-out", certFile,
  ], { stdio: "ignore" });
  return { certPem: readFileSync(certFile, "utf8"), certFile, keyPem: readFileSync(keyFile, "utf8"), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A browser's subscription as the stand-in holds it: the public half goes to Aviso. */
export interface TestSubscription {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** The user agent's private key (what the browser keeps). */
  ecdh: ECDH;
}

export interface ReceivedPush {
  subscriptionId: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The VAPID JWT's claims, verified. */
  vapid: JWTPayload;
  /** The `k=` public key of the Authorization header (base64url). */
  vapidPublicKey: string;
  /** The decrypted payload (UTF-8). */
  plaintext: string;
  /** The raw encrypted body as received. */
  ciphertext: Buffer;
}

export interface PushService {
  origin: string;
  /** Every push that passed VAPID and decrypted, whatever the reply. */
  received: ReceivedPush[];
  /** Requests that failed verification or decryption, with why. */
  rejected: Array<{ path: string; reason: string }>;
  /** A new subscription with a fresh P-256 key pair and auth secret. */
  subscribe(): TestSubscription;
  /** A subscription whose keys were made elsewhere (a browser): decrypt with this private key. */
  adopt(keys: { p256dh: string; auth: string; privateKeyJwk: { d: string } }): TestSubscription;
  /** Replies for one subscription, used once each in order, then 201. */
  replyWith(subscriptionId: string, ...replies: Array<{ status: number; headers?: Record<string, string> }>): void;
  close(): Promise<void>;
}

export async function startPushService(certificate: PushServiceCertificate): Promise<PushService> {
  const subscriptions = new Map<string, TestSubscription>();
  const replies = new Map<string, Array<{ status: number; headers?: Record<string, string> }>>();
  const received: ReceivedPush[] = [];
  const rejected: Array<{ path: string; reason: string }> = [];
  let origin = "";

  const server: Server = createServer({ cert: certificate.certPem, key: certificate.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const path = req.url ?? "";
      const id = /^\/push\/([\w-]+)$/.exec(path)?.[1];
      const subscription = id ? subscriptions.get(id) : undefined;
      if (req.method !== "POST" || !subscription) {
        res.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks);
      try {
        const { claims, publicKey } = await verifyVapid(String(req.headers.authorization ?? ""), origin);
        if (req.headers["content-encoding"] !== "aes128gcm") throw new Error(`content-encoding ${String(req.headers["content-encoding"])}`);
        if (!req.headers.ttl) throw new Error("no TTL header");
        const plaintext = decryptAes128gcm(body, subscription).toString("utf8");
        const reply = replies.get(subscription.id)?.shift() ?? { status: 201, headers: { location: `${origin}/message/${randomBytes(6).toString("hex")}` } };
        received.push({ subscriptionId: subscription.id, status: reply.status, headers: req.headers, vapid: claims, vapidPublicKey: publicKey, plaintext, ciphertext: body });
        res.writeHead(reply.status, reply.headers).end();
      } catch (error) {
        rejected.push({ path, reason: (error as Error).message });
        res.writeHead(400).end((error as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const register = (ecdh: ECDH, auth: Buffer): TestSubscription => {
    const id = randomBytes(8).toString("hex");
    const subscription = { id, endpoint: `${origin}/push/${id}`, keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: auth.toString("base64url") }, ecdh };
    subscriptions.set(id, subscription);
    return subscription;
  };
  return {
    origin,
    received,
    rejected,
    subscribe() {
      const ecdh = createECDH("prime256v1");
      ecdh.generateKeys();
      return register(ecdh, randomBytes(16));
    },
    adopt(keys) {
      const ecdh = createECDH("prime256v1");
      ecdh.setPrivateKey(Buffer.from(keys.privateKeyJwk.d, "base64url"));
      if (!ecdh.getPublicKey().equals(Buffer.from(keys.p256dh, "base64url"))) throw new Error("private key does not match p256dh");
      return register(ecdh, Buffer.from(keys.auth, "base64url"));
    },
    replyWith: (id, ...list) => replies.set(id, [...(replies.get(id) ?? []), ...list]),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** RFC 8292: `Authorization: vapid t=<JWT>, k=<P-256 public key>`; ES256, aud = the push service's origin. */
async function verifyVapid(header: string, audience: string): Promise<{ claims: JWTPayload; publicKey: string }> {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header.trim());
  if (!match) throw new Error(`not a vapid Authorization header: ${header.slice(0, 40)}`);
  const [, token, k] = match as unknown as [string, string, string];
  const point = Buffer.from(k, "base64url");
  if (point.length !== 65 || point[0] !== 0x04) throw new Error("k is not an uncompressed P-256 point");
  if (decodeProtectedHeader(token).alg !== "ES256") throw new Error("VAPID JWT is not ES256");
  const key = await importJWK({ kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url") }, "ES256");
  const { payload } = await jwtVerify(token, key, { audience, algorithms: ["ES256"], requiredClaims: ["exp", "sub"] });
  // RFC 8292 §2: exp no more than 24 hours ahead.
  if (payload.exp! - Math.floor(Date.now() / 1000) > 24 * 3600) throw new Error("VAPID exp more than 24 h ahead");
  if (!/^(mailto:|https:)/.test(String(payload.sub))) throw new Error("VAPID sub is not mailto: or https:");
  // Sanity: the key in k= is a real P-256 key node accepts.
  createPublicKey({ key: { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url") }, format: "jwk" });
  return { claims: payload, publicKey: k };
}

/**
 * RFC 8188 aes128gcm with RFC 8291 keys. Header: salt(16) ‖ rs(4) ‖ idlen(1) ‖ keyid
 * (the sender's ephemeral public key). Then:
 *   IKM   = HKDF(salt=auth, ikm=ECDH(ua_private, as_public), info="WebPush: info\0" ‖ ua_public ‖ as_public, 32)
 *   CEK   = HKDF(salt, IKM, "Content-Encoding: aes128gcm\0", 16)
 *   NONCE = HKDF(salt, IKM, "Content-Encoding: nonce\0", 12) XOR record sequence number
 * Each record is AES-128-GCM (16-byte tag); its plaintext ends in a delimiter (2 for the
 * last record, 1 otherwise) and zero padding.
 */
export function decryptAes128gcm(body: Buffer, subscription: Pick<TestSubscription, "ecdh" | "keys">): Buffer {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const senderPublic = body.subarray(21, 21 + idlen);
  if (idlen !== 65) throw new Error(`keyid is ${idlen} bytes, expected a 65-byte P-256 key`);
  const uaPublic = subscription.ecdh.getPublicKey();
  const shared = subscription.ecdh.computeSecret(senderPublic);
  const auth = Buffer.from(subscription.keys.auth, "base64url");
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), uaPublic, senderPublic]);
  const ikm = Buffer.from(hkdfSync("sha256", shared, auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const baseNonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const records = body.subarray(21 + idlen);
  const parts: Buffer[] = [];
  for (let offset = 0, seq = 0; offset < records.length; offset += rs, seq += 1) {
    const record = records.subarray(offset, Math.min(offset + rs, records.length));
    const nonce = Buffer.from(baseNonce);
    // The sequence number is XORed into the nonce's low bytes (records here are far fewer than 2^32).
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8);
    const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end -= 1;
    const delimiter = plain[end];
    const last = offset + rs >= records.length;
    if (delimiter !== (last ? 2 : 1)) throw new Error(`bad padding delimiter ${delimiter}`);
    parts.push(plain.subarray(0, end));
  }
  return Buffer.concat(parts);
}
