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
  /** With JWT_JWKS_URL: create a user on first sight from the identity provider's verified claims (src/auth/auto-provision.ts). */
  JWT_AUTO_PROVISION: bool(false),
  /** The claims naming the organization (its id or slug), the email and the role. */
  JWT_ORG_CLAIM: z.string().trim().min(1).default("org"),
  JWT_EMAIL_CLAIM: z.string().trim().min(1).default("email"),
  JWT_ROLE_CLAIM: z.string().trim().min(1).default("role"),
  /** Roles taken from the claim as they are (comma-separated, e.g. ORG_ADMIN); any other is capped at AGENT. */
  JWT_TRUSTED_ROLES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const roles = (v ?? "")
        .split(",")
        .map((r) => r.trim())
        .filter(Boolean);
      const unknown = roles.filter((r) => !["SUPER_ADMIN", "ORG_ADMIN", "AGENT", "VIEWER"].includes(r));
      if (unknown.length > 0) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `unknown roles: ${unknown.join(", ")}` });
      return roles as Array<"SUPER_ADMIN" | "ORG_ADMIN" | "AGENT" | "VIEWER">;
    }),
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
  /**
   * An event that plans at least this many external deliveries (an alert to every admin)
   * publishes its in-app frames once the notifications commit and writes the deliveries
   * and their jobs in a second transaction (src/notifications/fan-out.ts); smaller ones
   * keep one transaction.
   */
  FANOUT_SPLIT_MIN_DELIVERIES: numeric(100, { min: 1 }),
  /** GraphiQL and introspection: on outside production unless turned off. */
  GRAPHIQL_ENABLED: optionalBool,
  RATE_LIMIT_WS_CONNECTS_PER_MINUTE: numeric(120, { min: 1 }),
  RATE_LIMIT_MUTATIONS_PER_MINUTE: numeric(300, { min: 1 }),
  RATE_LIMIT_WEBHOOKS_PER_MINUTE: numeric(12_000, { min: 1 }),
  GRAPHQL_MAX_DEPTH: numeric(12, { min: 1 }),
  GRAPHQL_MAX_ALIASES: numeric(15, { min: 1 }),
  GRAPHQL_MAX_TOKENS: numeric(2000, { min: 1 }),
  GRAPHQL_MAX_COST: numeric(20_000, { min: 1 }),
  /** Accept only the persisted operations of operations/ (by sha256 hash); refuse any other document. */
  PERSISTED_OPERATIONS_ONLY: bool(false),
  /** Where the embedded PostgreSQL, the dev secrets and the outbox live. */
  AVISO_HOME: z.string().trim().min(1, "is empty — set a directory or remove the variable for .aviso").default(".aviso"),
  /** Web push (VAPID, RFC 8292): outside production a key pair is generated once into AVISO_HOME when unset. */
  VAPID_PUBLIC_KEY: optionalString,
  VAPID_PRIVATE_KEY: optionalString,
  /** A mailto: or https: URL push services may contact about our pushes. */
  VAPID_SUBJECT: optionalString,
  /** Twilio's Messages API (or a compatible one): POST {SMS_API_URL}/2010-04-01/Accounts/{SID}/Messages.json. */
  SMS_API_URL: z.string().url().default("https://api.twilio.com"),
  SMS_ACCOUNT_SID: optionalString,
  SMS_AUTH_TOKEN: optionalString,
  /** The sender: an E.164 number or a Messaging Service SID ("MG…"). */
  SMS_FROM: optionalString,
  // Security (issue 18): see README, Configuration.
  /** Hosts a Slack incoming-webhook URL may point at (exact names, or ".example.com" for its subdomains). */
  SLACK_WEBHOOK_HOSTS: z
    .string()
    .default("hooks.slack.com")
    .transform((s) =>
      s
        .split(",")
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    ),
  /** Push services a browser subscription's endpoint may point at (Chrome/FCM, Firefox, Edge/WNS, Safari/APNs). */
  WEB_PUSH_HOSTS: z
    .string()
    .default("fcm.googleapis.com,.push.services.mozilla.com,.notify.windows.com,.push.apple.com")
    .transform((s) =>
      s
        .split(",")
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    ),
  /** Development and tests only: tenant URLs may be http and point at loopback. Refused in production. */
  UNSAFE_ALLOW_LOCAL_TARGETS: bool(false),
  /** 32 random bytes, base64: encrypts WhatsApp access tokens and Slack webhook URLs at rest. */
  AVISO_ENCRYPTION_KEY: optionalString,
  /** Former keys (comma-separated), still read while `npm run admin -- rotate-encryption-key` re-encrypts. */
  AVISO_ENCRYPTION_KEYS_PREVIOUS: optionalString,
  /** Browser origins allowed to call the API cross-origin (comma-separated); empty = same origin only. */
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((o) => o.trim().replace(/\/+$/, ""))
        .filter(Boolean),
    ),
  /** Serve /metrics on this port only (not on PORT). */
  METRICS_PORT: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(0).max(65535).optional()),
  /** Most items any list argument may hold (e.g. `nodes(ids:)`); each counts toward GRAPHQL_MAX_COST. */
  GRAPHQL_MAX_LIST_LENGTH: z.coerce.number().int().positive().default(100),
  /** Or: /metrics on PORT requires `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: optionalString,
  /** Raw webhook events older than this are deleted by the retention job. */
  WEBHOOK_EVENT_RETENTION_DAYS: z.coerce.number().int().positive().default(30),
  /** Subscriptions one WebSocket may hold at once. */
  WS_MAX_OPERATIONS_PER_SOCKET: z.coerce.number().int().positive().default(50),
  /** Open WebSockets per user, and per client IP. */
  WS_MAX_SOCKETS_PER_USER: z.coerce.number().int().positive().default(10),
  WS_MAX_SOCKETS_PER_IP: z.coerce.number().int().positive().default(200),
  /** Node's keep-alive idle timeout; above common load balancers' 60 s so they close first. */
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: z.coerce.number().positive().default(65),
  /** Whole-request (body included) and headers deadlines. */
  HTTP_REQUEST_TIMEOUT_SECONDS: z.coerce.number().positive().default(30),
  HTTP_HEADERS_TIMEOUT_SECONDS: z.coerce.number().positive().default(66),
  /** A webhook body must arrive within this (a slow-trickled body is cut off with 408). */
  WEBHOOK_BODY_TIMEOUT_SECONDS: z.coerce.number().positive().default(10),
  /** Test notifications per user per hour. */
  RATE_LIMIT_TEST_NOTIFICATIONS_PER_HOUR: z.coerce.number().int().positive().default(10),
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
  const problems: string[] = [];
  // Auto-provisioning trusts an identity provider's claims: only its verified (JWKS) tokens may create people.
  if (parsed.data.JWT_AUTO_PROVISION && !parsed.data.JWT_JWKS_URL) {
    problems.push("JWT_AUTO_PROVISION: needs JWT_JWKS_URL (the identity provider whose tokens create users)");
  }
  problems.push(...productionRefusals(parsed.data));
  const { GRAPHIQL_ENABLED, WHATSAPP_API_URL, ...rest } = parsed.data;
  const production = rest.NODE_ENV === "production";
  const config: Config = {
    ...rest,
    GRAPHIQL_ENABLED: GRAPHIQL_ENABLED ?? !production,
    WHATSAPP_API_URL: WHATSAPP_API_URL ?? "https://graph.facebook.com",
    WHATSAPP_TO_OUTBOX: !WHATSAPP_API_URL && !production,
  };
  problems.push(...crossChecks(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Below this, an HS256 secret can be brute-forced offline (RFC 7518 §3.2 asks for at least the hash size). */
export const MIN_JWT_SECRET_BYTES = 32;

/** What production refuses to start with, each naming its variable. */
function productionRefusals(env: z.output<typeof envSchema>): string[] {
  if (env.NODE_ENV !== "production") return [];
  const problems: string[] = [];
  if (!env.JWT_JWKS_URL && (!env.JWT_SECRET || Buffer.byteLength(env.JWT_SECRET) < MIN_JWT_SECRET_BYTES)) {
    problems.push(`JWT_SECRET: must be at least ${MIN_JWT_SECRET_BYTES} bytes (or set JWT_JWKS_URL)`);
  }
  if (!env.META_APP_SECRET) problems.push("META_APP_SECRET: required in production (Meta's webhooks cannot be verified without it)");
  if (env.UNSAFE_ALLOW_LOCAL_TARGETS) problems.push("UNSAFE_ALLOW_LOCAL_TARGETS: refused in production (development and tests only)");
  if (env.AVISO_ENCRYPTION_KEY && Buffer.from(env.AVISO_ENCRYPTION_KEY, "base64").length !== 32) {
    problems.push("AVISO_ENCRYPTION_KEY: must be 32 random bytes, base64-encoded");
  }
  return problems;
}
