import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Flags for a root, offline sandbox (shared/machine.md).
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
  server = await startTestServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("GraphiQL in a real browser", () => {
  it("runs `{ me { email role } }` with a token, and a subscription over WebSocket", async () => {
    const page = await browser.newPage();
    // Monaco renders spaces as non-breaking ones: compare with whitespace folded.
    const response = async () => (await page.locator(".graphiql-response").innerText()).replace(/\s+/g, " ");
    await page.goto(`${server.url}/graphql`, { waitUntil: "load" });
    await page.getByText("Headers", { exact: true }).click();
    await page.locator(".graphiql-editor-tool .graphiql-editor").last().click();
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${await server.token("agent@demo.test")}` }));

    // The editor opens on Aviso's default query, `{ me { email role } }`.
    await page.locator(".graphiql-execute-button").click();
    await expect.poll(response, { timeout: 10_000 }).toContain('"email": "agent@demo.test"');

    await page.locator(".graphiql-query-editor .graphiql-editor").click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText("subscription { unreadNotificationCountChanged }");
    await page.locator(".graphiql-execute-button").click();
    await expect.poll(response, { timeout: 10_000 }).toContain('"unreadNotificationCountChanged": 0');
  });
});
