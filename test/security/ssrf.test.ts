import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { blockedAddressReason, checkTargetUrl, postToTarget, sanitizeReason, UnsafeTargetError, type TargetPolicy } from "../../src/delivery/safe-target.js";
import { keyringFor } from "../../src/secrets/encryption.js";
import { createNotificationWithDelivery, enqueue, waitForStatus } from "../delivery/fixtures.js";
import { UpdateSlackWebhookDocument } from "../generated/operations.js";
import { startHttpFake, type HttpFake } from "../helpers/http-fake.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

// Issue 18: an ORG_ADMIN's Slack webhook URL must not let them make our worker POST
// into our own network — in any spelling of an address, through a name that resolves
// to one, or through a redirect.

/** Every spelling of a non-public address an attacker would try. */
const BLOCKED_ADDRESSES = [
  "127.0.0.1",
  "127.1",
  "2130706433",
  "0x7f000001",
  "0x7f.0.0.1",
  "0177.0.0.1",
  "017700000001",
  "127.255.255.254",
  "0",
  "0.0.0.0",
  "10.0.0.1",
  "172.16.5.4",
  "192.168.1.1",
  "169.254.169.254",
  "0xa9fea9fe",
  "100.64.0.1",
  "224.0.0.1",
  "255.255.255.255",
  "::1",
  "0:0:0:0:0:0:0:1",
  "::",
  "[::1]",
  "::ffff:127.0.0.1",
  "::ffff:7f00:1",
  "0:0:0:0:0:ffff:7f00:1",
  "::ffff:169.254.169.254",
  "::ffff:10.0.0.1",
  "fe80::1",
  "fe80::1%eth0",
  "fc00::1",
  "fd12:3456::1",
  "ff02::1",
  "64:ff9b::7f00:1",
  "2002:7f00:1::",
];

/** URL spellings (the WHATWG parser turns many of them into dotted IPv4 first). */
const BLOCKED_URLS = [
  "https://127.0.0.1/services/T/B/X",
  "https://127.1/x",
  "https://2130706433/x",
  "https://0x7f000001/x",
  "https://0x7f.1/x",
  "https://0177.0.0.1/x",
  "https://[::1]/x",
  "https://[::ffff:127.0.0.1]/x",
  "https://[::ffff:7f00:1]/x",
  "https://169.254.169.254/latest/meta-data/",
  "https://[::ffff:a9fe:a9fe]/x",
  "https://10.0.0.1/x",
  "https://192.168.0.10/x",
  "https://[fe80::1]/x",
  "https://[fc00::1]/x",
  "https://0.0.0.0/x",
  "https://[::]/x",
  "https://224.0.0.1/x",
  "http://hooks.slack.com/services/T/B/X",
  "https://evil.example/services/T/B/X",
  "https://hooks.slack.com.evil.example/x",
  "https://evilhooks.slack.com/x",
  "https://user:pass@hooks.slack.com/services/T/B/X",
  "file:///etc/passwd",
  "gopher://127.0.0.1:6379/_INFO",
  "javascript:alert(1)",
  "not a url",
];

const SLACK: TargetPolicy = { allowedHosts: ["hooks.slack.com"], allowLocal: false };

describe("address classification (ipaddr.js)", () => {
  it.each(BLOCKED_ADDRESSES)("refuses %s", (address) => {
    expect(blockedAddressReason(address)).not.toBeNull();
  });

  it("accepts public unicast addresses, IPv4 and IPv6", () => {
    for (const address of ["8.8.8.8", "34.237.158.20", "2600:1f18::1", "::ffff:8.8.8.8"]) expect(blockedAddressReason(address)).toBeNull();
  });

  it("with UNSAFE_ALLOW_LOCAL_TARGETS admits loopback only, never private or link-local", () => {
    expect(blockedAddressReason("127.0.0.1", true)).toBeNull();
    expect(blockedAddressReason("::1", true)).toBeNull();
    for (const address of ["10.0.0.1", "169.254.169.254", "::ffff:192.168.1.1", "fe80::1"]) expect(blockedAddressReason(address, true)).not.toBeNull();
  });
});

describe("Slack webhook URLs when saved", () => {
  it.each(BLOCKED_URLS)("refuses %s", (url) => {
    expect(checkTargetUrl(url, SLACK)).not.toBeNull();
  });

  it("accepts https://hooks.slack.com/… and hosts added to SLACK_WEBHOOK_HOSTS (exact or .suffix)", () => {
    expect(checkTargetUrl("https://hooks.slack.com/services/T000/B000/XXXX", SLACK)).toBeNull();
    const policy = { allowedHosts: ["hooks.slack.com", ".chat.example"], allowLocal: false };
    expect(checkTargetUrl("https://hooks.eu.chat.example/x", policy)).toBeNull();
    expect(checkTargetUrl("https://chat.example.evil/x", policy)).not.toBeNull();
  });

  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it("updateOrganizationSettings refuses every spelling with BAD_USER_INPUT and stores nothing", async () => {
    const admin = await server.token("admin@demo.test");
    for (const url of BLOCKED_URLS) {
      const result = await server.gql(UpdateSlackWebhookDocument, { url }, admin);
      expect(result.errors?.[0]?.extensions, url).toMatchObject({ code: "BAD_USER_INPUT", field: "slackWebhookUrl" });
    }
    expect((await server.app.runtime.prisma.organization.findUniqueOrThrow({ where: { slug: "demo" } })).slackWebhookUrl).toBeNull();
  });

  it("stores an accepted URL encrypted (AES-256-GCM with its key id) and never returns it", async () => {
    const url = "https://hooks.slack.com/services/T000/B000/SECRETPART";
    const result = await server.gql(UpdateSlackWebhookDocument, { url }, await server.token("admin@demo.test"));
    expect(result.data?.updateOrganizationSettings.slackWebhookConfigured).toBe(true);
    const stored = (await server.app.runtime.prisma.organization.findUniqueOrThrow({ where: { slug: "demo" } })).slackWebhookUrl!;
    expect(stored).not.toContain("SECRETPART");
    expect(stored).toMatch(new RegExp(`^enc:v1:${keyringFor(server.config).currentId}:`));
    expect(keyringFor(server.config).decrypt(stored)).toBe(url);
    const audit = await server.app.runtime.prisma.auditLog.findMany({ where: { action: "organization.settings.updated" } });
    expect(JSON.stringify(audit)).not.toContain("SECRETPART");
    await server.app.runtime.prisma.organization.update({ where: { slug: "demo" }, data: { slackWebhookUrl: null } });
  });
});

describe("at send time", () => {
  let strict: TestServer;
  let local: TestServer;
  let target: HttpFake;
  let internal: HttpFake;
  beforeAll(async () => {
    target = await startHttpFake({ status: 200, body: "ok" });
    internal = await startHttpFake({ status: 200, body: "internal secret" });
    // `localhost` allow-listed: a name that resolves to loopback must still be refused.
    strict = await startTestServer({ env: { SLACK_WEBHOOK_HOSTS: "hooks.slack.com,localhost,127.0.0.1", DELIVERY_BREAKER_FAILURES: "100" } });
    local = await startTestServer({ env: { UNSAFE_ALLOW_LOCAL_TARGETS: "true", DELIVERY_BREAKER_FAILURES: "100" } });
  });
  afterAll(async () => {
    await strict?.stop();
    await local?.stop();
    await target?.close();
    await internal?.close();
  });

  async function sendSlack(server: TestServer, url: string) {
    await server.app.runtime.prisma.organization.update({ where: { slug: "demo" }, data: { slackWebhookUrl: keyringFor(server.config).encrypt(url) } });
    const { delivery } = await createNotificationWithDelivery(server.app.runtime.prisma, {
      userEmail: "admin@demo.test",
      channel: "SLACK",
      alert: { title: "Disco", severity: "HIGH" },
    });
    await enqueue(server, "SLACK", delivery.id);
    return waitForStatus(server, delivery.id, ["FAILED", "SENT", "DEAD"]);
  }

  it("refuses a stored URL whose name resolves to loopback (localhost), and the target hears nothing", async () => {
    const port = new URL(internal.url).port;
    const delivery = await sendSlack(strict, `https://localhost:${port}/services/T/B/X`);
    expect(delivery.status).toBe("FAILED");
    expect(delivery.lastError).toMatch(/resolves to a loopback address/);
    expect(internal.requests).toHaveLength(0);
  });

  it("refuses a row saved before the checks (http, literal loopback) without the dev flag", async () => {
    const delivery = await sendSlack(strict, `${internal.url}/services/T/B/X`);
    expect(delivery.status).toBe("FAILED");
    expect(delivery.lastError).toMatch(/Slack webhook target refused/);
    expect(internal.requests).toHaveLength(0);
  });

  it("does not follow a redirect to a private address or to another local service", async () => {
    for (const location of ["http://169.254.169.254/latest/meta-data/iam", `${internal.url}/admin`]) {
      target.enqueue({ status: 302, body: "", headers: { location } });
      const delivery = await sendSlack(local, `${target.url}/services/T/B/X`);
      expect(delivery.status).toBe("FAILED");
      expect(delivery.lastError).toBe("Slack 302: redirect not followed");
    }
    expect(internal.requests).toHaveLength(0);
  });

  it("keeps only the status and a short sanitized reason of the provider's reply", async () => {
    const leaky = `<html><body>invalid_token for db=postgres://admin:hunter2@10.0.0.5/prod</body></html>\nstack: at internal (/srv/app.js:1)\n${"x".repeat(5000)}`;
    target.enqueue({ status: 403, body: leaky });
    const delivery = await sendSlack(local, `${target.url}/services/T/B/X`);
    expect(delivery.status).toBe("FAILED");
    expect(delivery.lastError!.length).toBeLessThanOrEqual(100);
    expect(delivery.lastError).toMatch(/^Slack 403: /);
    expect(delivery.lastError).not.toMatch(/[<>/@\n]/);
    expect(delivery.lastError).not.toContain("stack");
  });

  it("pins the checked address: every resolved address must be public, and the connection goes to the first", async () => {
    const resolveTo = (addresses: string[]) => ({ allowedHosts: ["hooks.slack.com"], allowLocal: false, resolve: async () => addresses });
    // A DNS answer mixing a public and a private address (a rebinding set-up) is refused outright.
    await expect(
      postToTarget("https://hooks.slack.com/x", resolveTo(["34.237.158.20", "10.0.0.5"]), { headers: {}, body: "{}", timeoutMs: 1000 }),
    ).rejects.toBeInstanceOf(UnsafeTargetError);
    await expect(postToTarget("https://hooks.slack.com/x", resolveTo(["::ffff:127.0.0.1"]), { headers: {}, body: "{}", timeoutMs: 1000 })).rejects.toThrow(
      /loopback/,
    );
    // The connection goes to the address that was checked (the resolver is asked once), with the URL's name as Host.
    const port = Number(new URL(target.url).port);
    let lookups = 0;
    const reply = await postToTarget(
      `http://localhost:${port}/pinned`,
      {
        allowedHosts: [],
        allowLocal: true,
        resolve: async () => {
          lookups++;
          return ["127.0.0.1"];
        },
      },
      { headers: {}, body: "{}", timeoutMs: 2000 },
    );
    expect(reply.status).toBe(200);
    expect(lookups).toBe(1);
    expect(target.requests.at(-1)).toMatchObject({ path: "/pinned", headers: { host: `localhost:${port}` } });
  });

  it("sanitizeReason keeps one short line of safe characters", () => {
    expect(sanitizeReason("invalid_payload")).toBe("invalid_payload");
    expect(sanitizeReason("<b>no</b>\nsecond line")).toBe("b no b");
    expect(sanitizeReason("y".repeat(500))).toHaveLength(80);
  });
});

describe("UNSAFE_ALLOW_LOCAL_TARGETS", () => {
  it("is off by default and refused in production, naming the variable", () => {
    expect(loadConfig({}).UNSAFE_ALLOW_LOCAL_TARGETS).toBe(false);
    expect(() => loadConfig({ NODE_ENV: "production", JWT_SECRET: "z".repeat(40), META_APP_SECRET: "s", UNSAFE_ALLOW_LOCAL_TARGETS: "true" })).toThrow(
      /UNSAFE_ALLOW_LOCAL_TARGETS/,
    );
  });
});
