import { mkdirSync } from "node:fs";
import type { Browser, Locator } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/chromium.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Waits up to 10 s for the text to be shown (GraphiQL renders asynchronously), then asserts it is. */
async function assertVisible(locator: Locator): Promise<void> {
  await locator.waitFor({ state: "visible", timeout: 10_000 });
  expect(await locator.isVisible()).toBe(true);
}

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

  it("shows the schema's descriptions in the Docs panel: an argument's and an enum value's", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // Each step waits at most 10 s (the page is local; the schema loads once).
    page.setDefaultTimeout(10_000);
    mkdirSync(".aviso/screenshots", { recursive: true });
    await page.goto(`${server.url}/graphql`, { waitUntil: "load" });
    // The Docs panel loads the schema by introspection (no token needed for that).
    await page.getByRole("button", { name: "Show Documentation Explorer" }).click();
    const docs = page.locator(".graphiql-doc-explorer");
    await docs.getByText("Query", { exact: true }).click();
    await docs.getByText("alerts", { exact: true }).first().click();
    // `alerts(status:, severity:)`: the field's and its arguments' descriptions.
    await expect.poll(() => docs.innerText(), { timeout: 10_000 }).toContain("Only alerts in this status; all when omitted.");
    await assertVisible(docs.getByText("Only alerts of this severity; all when omitted."));
    await assertVisible(docs.getByText(/Any signed-in user, viewers included/));

    // The `status` argument's type, AlertStatus: every enum value with its description.
    await docs.getByText("AlertStatus", { exact: true }).first().click();
    await assertVisible(docs.getByText("Opened, nobody on it yet: escalates automatically per its severity."));
    await assertVisible(docs.getByText(/automatic escalation stopped/));

    // Evidence for people, in .aviso/ (git-ignored).
    await page.screenshot({ path: ".aviso/screenshots/graphiql-docs-alert-status.png" });
    await docs.locator(".graphiql-doc-explorer-back").click();
    const statusArgument = docs.getByText("Only alerts in this status; all when omitted.");
    await statusArgument.scrollIntoViewIfNeeded();
    await assertVisible(statusArgument);
    await page.screenshot({ path: ".aviso/screenshots/graphiql-docs-alerts-arguments.png" });
  });
});
