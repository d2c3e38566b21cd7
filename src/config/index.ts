import { z } from "zod";

/**
 * The whole configuration: one zod schema over the environment. Each variable is one
 * line here, built from the helpers below, whose messages say what was expected and
 * what was found; `loadConfig` prefixes them with the variable's name, so a wrong value
 * stops start-up with one line per problem (`GRAPHIQL_ENABLED: expected true or false,
 * got "ture"`). Adding a variable: one line in `envSchema`, one in `.env.example`, one
 * in the README's table.
 */

const TRUE = ["true", "1", "yes", "on"];
const FALSE = ["false", "0", "no", "off"];

/** `true/false` (also 1/0, yes/no, on/off); unset or empty is `fallback`; anything else is refused. */
const bool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const v = value?.trim().toLowerCase();
      if (v === undefined || v === "") return fallback;
      if (TRUE.includes(v)) return true;
      if (FALSE.includes(v)) return false;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected true or false, got "${value}"` });
      return z.NEVER;
    });

/** Like `bool`, but unset stays `undefined` (the default depends on another variable). */
const optionalBool = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const v = value?.trim().toLowerCase();
    if (v === undefined || v === "") return undefined;
    if (TRUE.includes(v)) return true;
    if (FALSE.includes(v)) return false;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected true or false, got "${value}"` });
    return z.NEVER;
  });

/**
 * A number in [min, max] (whole unless `fraction`). Unset is `fallback`; an empty value is
 * refused rather than read as 0 (`PORT=` used to pick a random port).
 */
const numeric = (fallback: number, { min, max = Number.MAX_SAFE_INTEGER, fraction = false }: { min: number; max?: number; fraction?: boolean }) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return fallback;
      const v = value.trim();
      const fail = (message: string) => {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message });
        return z.NEVER;
      };
      if (v === "") return fail(`is empty — set a number or remove the variable to use ${fallback}`);
      const n = Number(v);
      if (!(fraction ? /^\d+(\.\d+)?$/ : /^\d+$/).test(v) || !Number.isFinite(n)) {
        return fail(`expected ${fraction ? "a number" : "a whole number"}, got "${value}"`);
      }
      if (n < min || n > max) return fail(`must be ${max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`}, got ${n}`);
      return n;
    });

/** A trimmed string; unset or blank is `undefined`. */
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** A URL with one of `protocols` (e.g. ["http", "https"]); unset or blank is `undefined`. */
const url = (protocols: string[], example: string) =>
  optionalString.superRefine((value, ctx) => {
    if (value === undefined) return;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${value}" is not a URL — expected e.g. ${example}` });
      return;
    }
    if (!protocols.includes(parsed.protocol.replace(/:$/, ""))) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a ${protocols.join(":// or ")}:// URL (e.g. ${example}), got ${parsed.protocol}//…` });
    } else if (!parsed.hostname) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${value}" has no host — expected e.g. ${example}` });
    }
  });

/** One of `values` (case-insensitive); unset is `fallback`. */
const oneOf = <const T extends string>(values: readonly T[], fallback: T) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const v = value?.trim().toLowerCase();
      if (v === undefined || v === "") return fallback;
      const found = values.find((candidate) => candidate === v);
      if (found) return found;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected one of ${values.join(", ")}, got "${value}"` });
      return z.NEVER;
    });

const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const;
type Severity = (typeof SEVERITIES)[number];

/** "CRITICAL=300,HIGH=900" → { CRITICAL: 300, HIGH: 900 }; a severity left out never escalates. */
const severitySeconds = z
  .string()
  .default("CRITICAL=300,HIGH=900,MEDIUM=3600")
  .transform((text, ctx) => {
    const result: Partial<Record<Severity, number>> = {};
    for (const pair of text.split(",").map((p) => p.trim())) {
      if (pair === "") continue;
      const match = /^([A-Za-z]+)\s*=\s*(\d+)$/.exec(pair);
      const severity = match?.[1]?.toUpperCase() as Severity | undefined;
      if (!match || !severity) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${pair}" is not SEVERITY=SECONDS (e.g. CRITICAL=300,HIGH=900)` });
      } else if (!SEVERITIES.includes(severity)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `unknown severity "${match[1]}" — use ${SEVERITIES.join(", ")}` });
      } else if (severity in result) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${severity} is given twice` });
      } else if (Number(match[2]) < 1) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${severity} must wait at least 1 second` });
      } else {
        result[severity] = Number(match[2]);
      }
    }
    return result;
  });

const envSchema = z.object({
  NODE_ENV: oneOf(["development", "production", "test"], "development"),
  PORT: numeric(4000, { min: 0, max: 65535 }),
  HOST: z.string().trim().min(1, "is empty — set an interface (e.g. 0.0.0.0) or remove the variable").default("0.0.0.0"),
  PUBLIC_URL: url(["http", "https"], "https://app.example.com"),
  LOG_LEVEL: oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"], "info"),
  /** `auto`: pretty on a terminal, JSON otherwise. */
  LOG_FORMAT: oneOf(["auto", "json", "pretty"], "auto"),
  DATABASE_URL: url(["postgresql", "postgres"], "postgresql://user:password@db.example.com:5432/aviso"),
  /** Production runs the embedded PostgreSQL only when asked: an unset DATABASE_URL is more likely a mistake. */
  AVISO_EMBEDDED_DATABASE: bool(false),
  /** Connections this process's Prisma pool may open (pg-boss keeps 6 more). */
  DATABASE_POOL_SIZE: numeric(20, { min: 2, max: 200 }),
  REDIS_URL: url(["redis", "rediss"], "redis://127.0.0.1:6379"),
  JWT_SECRET: optionalString,
  JWT_JWKS_URL: url(["https", "http"], "https://id.example.com/.well-known/jwks.json"),
  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
  META_APP_SECRET: optionalString,
  META_VERIFY_TOKEN: optionalString,
  /** Unset: the Graph API in production, `.aviso/outbox/` elsewhere (notifications to agents' phones). */
  WHATSAPP_API_URL: url(["https", "http"], "https://graph.facebook.com"),
  WHATSAPP_API_VERSION: z
    .string()
    .trim()
    .regex(/^v\d+\.\d+$/, "expected a Graph API version like v21.0")
    .default("v21.0"),
  /** Messages per second one business number may send (Meta's default throughput is 80), across all workers. */
  WHATSAPP_MAX_MESSAGES_PER_SECOND: numeric(80, { min: 1, max: 1000 }),
  /** Timeout of one Graph API call made for an agent's message; the send claim lasts longer than it. */
  WHATSAPP_SEND_TIMEOUT_SECONDS: numeric(15, { min: 0.1, max: 120, fraction: true }),
  /** Largest media file Aviso streams to agents or uploads to Meta (WhatsApp's own per-kind limits apply too). */
  MEDIA_MAX_BYTES: numeric(16 * 1024 * 1024, { min: 1 }),
  /** How often a worker's pg-boss supervisor fails jobs whose worker died (expired) so they retry. */
  JOB_SUPERVISE_INTERVAL_SECONDS: numeric(60, { min: 1, max: 3600 }),
  SMTP_HOST: optionalString,
  SMTP_PORT: numeric(587, { min: 1, max: 65535 }),
  SMTP_USER: optionalString,
  SMTP_PASSWORD: optionalString,
  SMTP_FROM_EMAIL: z.string().trim().email("expected an email address, e.g. notificacoes@example.com").default("notificacoes@aviso.local"),
  SMTP_FROM_NAME: z.string().default("Aviso"),
  SMTP_USE_TLS: bool(true),
  SMTP_USE_SSL: bool(false),
  SMTP_TIMEOUT_SECONDS: numeric(10, { min: 0.1, fraction: true }),
  EMAIL_ENABLED: bool(true),
  NOTIFY_NEW_MESSAGE_ENABLED: bool(false),
  DELIVERY_RETRY_LIMIT: numeric(5, { min: 0, max: 100 }),
  DELIVERY_RETRY_DELAY_SECONDS: numeric(2, { min: 0.1, fraction: true }),
  /** Consecutive transient failures of one (organization, channel) that open its circuit breaker. */
  DELIVERY_BREAKER_FAILURES: numeric(5, { min: 1 }),
  /** How long an open breaker keeps deliveries waiting before one is let through to test the provider. */
  DELIVERY_BREAKER_OPEN_SECONDS: numeric(30, { min: 0.1, fraction: true }),
  ALERT_ESCALATION_SECONDS: severitySeconds,
  ALERT_STALE_SECONDS: numeric(7 * 24 * 3600, { min: 1 }),
  NOTIFICATION_RETENTION_DAYS: numeric(90, { min: 1 }),
  /** GraphiQL and introspection: on outside production unless turned off. */
  GRAPHIQL_ENABLED: optionalBool,
  RATE_LIMIT_WS_CONNECTS_PER_MINUTE: numeric(120, { min: 1 }),
  RATE_LIMIT_MUTATIONS_PER_MINUTE: numeric(300, { min: 1 }),
  RATE_LIMIT_WEBHOOKS_PER_MINUTE: numeric(12_000, { min: 1 }),
  GRAPHQL_MAX_DEPTH: numeric(12, { min: 1 }),
  GRAPHQL_MAX_ALIASES: numeric(15, { min: 1 }),
  GRAPHQL_MAX_TOKENS: numeric(2000, { min: 1 }),
  GRAPHQL_MAX_COST: numeric(20_000, { min: 1 }),
  /** Where the embedded PostgreSQL, the dev secrets and the outbox live. */
  AVISO_HOME: z.string().trim().min(1, "is empty — set a directory or remove the variable for .aviso").default(".aviso"),
});

type Parsed = z.output<typeof envSchema>;

/** Every variable Aviso reads (`.env.example` lists each; a test holds them together). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);

export type Config = Omit<Parsed, "GRAPHIQL_ENABLED" | "WHATSAPP_API_URL"> & {
  /** GraphiQL and introspection: on outside production unless turned off. */
  GRAPHIQL_ENABLED: boolean;
  /** The Graph API base WhatsApp deliveries post to (`https://graph.facebook.com` unless set). */
  WHATSAPP_API_URL: string;
  /** Outside production with no WHATSAPP_API_URL: WhatsApp sends are written to `AVISO_HOME/outbox/`. */
  WHATSAPP_TO_OUTBOX: boolean;
};

/** A configuration that cannot run: one line per problem, each starting with the variable's name. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}

/** Rules between variables, each a line naming the variable to change. */
function crossChecks(config: Config): string[] {
  const problems: string[] = [];
  if (config.NODE_ENV === "production" && !config.DATABASE_URL && !config.AVISO_EMBEDDED_DATABASE) {
    problems.push("DATABASE_URL: required in production — set it to your PostgreSQL (or AVISO_EMBEDDED_DATABASE=true to run the embedded one on purpose)");
  }
  return problems;
}

/** For scripts: the configuration, or its problems printed one line each and exit 1 (no stack). */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

/** Parses the environment once; a wrong value throws a ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const { GRAPHIQL_ENABLED, WHATSAPP_API_URL, ...rest } = parsed.data;
  const production = rest.NODE_ENV === "production";
  const config: Config = {
    ...rest,
    GRAPHIQL_ENABLED: GRAPHIQL_ENABLED ?? !production,
    WHATSAPP_API_URL: WHATSAPP_API_URL ?? "https://graph.facebook.com",
    WHATSAPP_TO_OUTBOX: !WHATSAPP_API_URL && !production,
  };
  const problems = crossChecks(config);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
