import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "../../src/config/index.js";
import { describeSetup } from "../../src/server/banner.js";
import { logDestination } from "../../src/observability/log.js";

const ROOT = join(import.meta.dirname, "..", "..");

/** The problems a configuration has, one line each (none: []). */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe("the configuration", () => {
  it(".env.example lists every variable, and its values are the defaults", () => {
    const example = Object.fromEntries(
      readFileSync(join(ROOT, ".env.example"), "utf8")
        .split("\n")
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    expect(Object.keys(example).sort()).toEqual([...CONFIG_VARIABLES].sort());
    const defaults = loadConfig({});
    const fromExample = loadConfig(example);
    expect({ ...fromExample, AVISO_HOME: "" }).toEqual({ ...defaults, AVISO_HOME: "" });
  });

  it("names each wrong variable in a line of its own", () => {
    expect(problemsOf({ GRAPHIQL_ENABLED: "ture", PORT: "", SMTP_PORT: "abc", DATABASE_POOL_SIZE: "1" })).toEqual([
      "PORT: is empty — set a number or remove the variable to use 4000",
      "DATABASE_POOL_SIZE: must be between 2 and 200, got 1",
      'SMTP_PORT: expected a whole number, got "abc"',
      'GRAPHIQL_ENABLED: expected true or false, got "ture"',
    ]);
    expect(problemsOf({ ALERT_ESCALATION_SECONDS: "CRITICAL=300,CRITICAL=5,HIGH" })).toEqual([
      "ALERT_ESCALATION_SECONDS: CRITICAL is given twice",
      'ALERT_ESCALATION_SECONDS: "HIGH" is not SEVERITY=SECONDS (e.g. CRITICAL=300,HIGH=900)',
    ]);
    expect(problemsOf({ REDIS_URL: "localhost:6379" })).toEqual([
      "REDIS_URL: expected a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379), got localhost://…",
    ]);
    expect(problemsOf({ NODE_ENV: "prod" })).toEqual(['NODE_ENV: expected one of development, production, test, got "prod"']);
  });

  it("runs production on the embedded database only when asked", () => {
    const secrets = { JWT_SECRET: "x".repeat(32), META_APP_SECRET: "meta" };
    expect(problemsOf({ NODE_ENV: "production", ...secrets })).toEqual([
      "DATABASE_URL: required in production — set it to your PostgreSQL (or AVISO_EMBEDDED_DATABASE=true to run the embedded one on purpose)",
    ]);
    expect(problemsOf({ NODE_ENV: "production", AVISO_EMBEDDED_DATABASE: "true", ...secrets })).toEqual([]);
    expect(problemsOf({ NODE_ENV: "production", DATABASE_URL: "postgresql://db/aviso", ...secrets })).toEqual([]);
  });

  it("sends WhatsApp to the outbox outside production unless WHATSAPP_API_URL is set", () => {
    expect(loadConfig({}).WHATSAPP_TO_OUTBOX).toBe(true);
    expect(loadConfig({ WHATSAPP_API_URL: "http://127.0.0.1:9" }).WHATSAPP_TO_OUTBOX).toBe(false);
    const production = loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgresql://db/aviso", JWT_SECRET: "x".repeat(32), META_APP_SECRET: "meta" });
    expect([production.WHATSAPP_TO_OUTBOX, production.WHATSAPP_API_URL, production.GRAPHIQL_ENABLED]).toEqual([false, "https://graph.facebook.com", false]);
  });

  it("says in the banner what is on, and never prints GraphiQL's URL when it is off", () => {
    const development = describeSetup(loadConfig({ AVISO_HOME: "/tmp/a" }), { role: "all", url: "http://localhost:4000", embeddedDatabase: true }).join("\n");
    expect(development).toContain("GraphiQL   http://localhost:4000/graphql");
    expect(development).toContain("email      outbox /tmp/a/outbox");
    expect(development).toContain("WhatsApp   outbox /tmp/a/outbox");
    expect(development).toContain("realtime   in-process");
    const production = describeSetup(
      loadConfig({
        NODE_ENV: "production",
        DATABASE_URL: "postgresql://u:secret@db:5432/aviso",
        REDIS_URL: "redis://r:6379",
        SMTP_HOST: "smtp.example.com",
        JWT_SECRET: "x".repeat(32),
        META_APP_SECRET: "meta",
      }),
      { role: "all", url: "http://localhost:4000", embeddedDatabase: false },
    ).join("\n");
    expect(production).toContain("GraphiQL   off");
    expect(production).not.toContain("/graphql");
    expect(production).not.toContain("secret");
    expect(production).toContain("database   db:5432/aviso");
    expect(production).toContain("realtime   Redis at r:6379");
    expect(production).toContain("email      SMTP smtp.example.com:587");
    expect(production).toContain("META_APP_SECRET set");
  });

  it("logs pretty on a terminal and JSON elsewhere", () => {
    expect(logDestination("auto", false)).toBeUndefined();
    expect(logDestination("auto", true)).toBeDefined();
    expect(logDestination("json", true)).toBeUndefined();
    expect(logDestination("pretty", false)).toBeDefined();
  });
});
