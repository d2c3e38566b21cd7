import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { globalAgent } from "node:https";
import type { AddressInfo } from "node:net";
import { rootCertificates } from "node:tls";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeLoopbackCertificate, startPushService, type PushService, type PushServiceCertificate } from "../helpers/push-service.js";
import { launchChromium } from "../helpers/chromium.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { eventually } from "../helpers/eventually.js";
import { gid, openConversation, orgId, raise, userId } from "../notifications/fixtures.js";

const EXAMPLES = new URL("../../examples/web-push/", import.meta.url);

let server: TestServer;
let push: PushService;
let certificate: PushServiceCertificate;
let site: Server;
let siteUrl: string;
let browser: Browser;

/** examples/web-push/subscribe.js, as the page loaded it. */
interface Sample {
  registerServiceWorker(scriptUrl: string): Promise<ServiceWorkerRegistration>;
  avisoRequest(aviso: object, query: string, variables?: object): Promise<{ webPushPublicKey: string }>;
  base64UrlToBytes(text: string): Uint8Array<ArrayBuffer>;
  registerWithAviso(aviso: object, subscription: { endpoint: string; keys: object }): Promise<{ id: string; endpoint: string }>;
  turnOnPush(aviso: object, types: string[]): Promise<void>;
}

/** The frontend: a page on its own origin serving the sample worker and snippet from examples/web-push/. */
async function startSite(): Promise<Server> {
  const files: Record<string, { type: string; body: () => string }> = {
    "/": {
      type: "text/html",
      body: () =>
        `<!doctype html><html><head><meta charset="utf-8"><title>Aviso push</title></head><body>push test<script type="module">import * as sample from "/subscribe.js"; window.sample = sample;</script></body></html>`,
    },
    "/subscribe.js": { type: "text/javascript", body: () => readFileSync(new URL("subscribe.js", EXAMPLES), "utf8") },
    "/aviso-sw.js": { type: "text/javascript", body: () => readFileSync(new URL("service-worker.js", EXAMPLES), "utf8") },
  };
  const http = createServer((req, res) => {
    const file = files[req.url ?? ""];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": file.type, "cache-control": "no-store" }).end(file.body());
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return http;
}

beforeAll(async () => {
  certificate = makeLoopbackCertificate();
  globalAgent.options.ca = [...rootCertificates, certificate.certPem];
  push = await startPushService(certificate);
  site = await startSite();
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  // The page is the frontend of another origin: Aviso lets it call /graphql (CORS).
  server = await startTestServer({ env: { PUBLIC_URL: "https://app.aviso.test", UNSAFE_ALLOW_LOCAL_TARGETS: "true", CORS_ORIGINS: siteUrl } });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  await server?.stop();
  await push?.close();
  certificate?.dispose();
});

describe("web push from a real browser", () => {
  it("a page registers the service worker and a subscription with Aviso, and a notification reaches the push service encrypted for it", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(siteUrl, { waitUntil: "load" });
    await page.waitForFunction(() => "sample" in window);
    const aviso = { graphqlUrl: `${server.url}/graphql`, token: await server.token("agent@demo.test") };

    // The sample's own functions: the worker, Aviso's VAPID key, then the browser's subscription.
    const subscribed = await page.evaluate(async (aviso) => {
      const sample = (window as unknown as { sample: Sample }).sample;
      const registration = await sample.registerServiceWorker("/aviso-sw.js");
      const { webPushPublicKey } = await sample.avisoRequest(aviso, "{ webPushPublicKey }");
      let subscribeError: string | null = null;
      try {
        const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no answer in 10 s")), 10_000));
        await Promise.race([
          registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: sample.base64UrlToBytes(webPushPublicKey) }),
          timeout,
        ]);
      } catch (error) {
        subscribeError = `${(error as Error).name}: ${(error as Error).message}`;
      }
      // Headless Chromium has no push service offline (it answers "Registration failed - permission
      // denied"), so the page makes the subscription's keys itself with WebCrypto, exactly as a
      // browser does: a P-256 ECDH pair and a 16-byte auth secret.
      const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
      const toB64 = (bytes: Uint8Array) =>
        btoa(String.fromCharCode(...bytes))
          .replace(/\+/g, "-")
          .replace(/\//g, "_")
          .replace(/=+$/, "");
      const p256dh = toB64(new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey)));
      const auth = toB64(crypto.getRandomValues(new Uint8Array(16)));
      const privateKeyJwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
      return { active: registration.active?.scriptURL ?? null, webPushPublicKey, subscribeError, p256dh, auth, privateKeyJwk: { d: privateKeyJwk.d! } };
    }, aviso);
    expect(subscribed.active).toBe(`${siteUrl}/aviso-sw.js`);
    expect(subscribed.webPushPublicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);

    // The push service knows the subscription by its endpoint; the page registers that with Aviso.
    const subscription = push.adopt(subscribed);
    const registered = await page.evaluate(
      async ({ aviso, endpoint, keys }) => {
        const sample = (window as unknown as { sample: Sample }).sample;
        const result = await sample.registerWithAviso(aviso, { endpoint, keys });
        await sample.turnOnPush(aviso, ["CONVERSATION_ASSIGNED"]);
        return result;
      },
      { aviso, endpoint: subscription.endpoint, keys: subscription.keys },
    );
    expect(registered.endpoint).toBe(subscription.endpoint);
    const stored = await server.app.runtime.prisma.webPushSubscription.findUniqueOrThrow({ where: { endpoint: subscription.endpoint } });
    expect(stored.userAgent).toContain("Chrome");

    const prisma = server.app.runtime.prisma;
    const demo = await orgId(prisma, "demo");
    const conversation = await openConversation(prisma, { org: "demo", assignee: "agent@demo.test", contactName: "Beatriz" });
    const { notificationIds } = await raise(server, {
      type: "CONVERSATION_ASSIGNED",
      organizationId: demo,
      conversationId: conversation.id,
      assigneeId: await userId(prisma, "agent@demo.test"),
      actorId: await userId(prisma, "admin@demo.test"),
    });
    const received = await eventually(async () => push.received.find((r) => r.subscriptionId === subscription.id), {
      what: "the push at the push service",
      timeoutMs: 20_000,
    });
    // Decrypted with the private key the browser made: the payload was encrypted for this subscription.
    expect(JSON.parse(received.plaintext)).toEqual({
      title: `Conversa #${conversation.number} atribuída a você`,
      body: "Contato: Beatriz",
      url: `https://app.aviso.test/conversations/${gid("Conversation", conversation.id)}`,
      notificationId: notificationIds[0],
      tag: `conversation-${conversation.id}`,
    });
    expect(received.vapidPublicKey).toBe(subscribed.webPushPublicKey);
    await eventually(
      async () =>
        (await prisma.delivery.findFirst({ where: { notificationId: notificationIds[0], channel: "WEB_PUSH" } }))?.status === "SENT" ? true : undefined,
      { what: "delivery SENT", timeoutMs: 10_000 },
    );
    await context.close();
  }, 60_000);
});
