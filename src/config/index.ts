import { z } from "zod";

const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no", "on", "off", ""])
    .optional()
    .transform((v) => (v === undefined || v === "" ? fallback : ["true", "1", "yes", "on"].includes(v)));

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** "CRITICAL=300,HIGH=900" → { CRITICAL: 300, HIGH: 900 }; a severity left out never escalates. */
const severitySeconds = z
  .string()
  .regex(/^\s*([A-Z]+=\d+\s*)(,\s*[A-Z]+=\d+\s*)*$/, "expected SEVERITY=SECONDS pairs, e.g. CRITICAL=300,HIGH=900")
  .transform((s) =>
    Object.fromEntries(
      s.split(",").map((pair) => {
        const [key, value] = pair.split("=");
        return [key!.trim(), Number(value)];
      }),
    ) as Partial<Record<"CRITICAL" | "HIGH" | "MEDIUM" | "LOW", number>>,
  );

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default("0.0.0.0"),
  PUBLIC_URL: optionalString,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATABASE_URL: optionalString,
  /** Connections this process's Prisma pool may open (pg-boss keeps 6 more). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(20),
  REDIS_URL: optionalString,
  JWT_SECRET: optionalString,
  JWT_JWKS_URL: optionalString,
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
      const roles = (v ?? "").split(",").map((r) => r.trim()).filter(Boolean);
      const unknown = roles.filter((r) => !["SUPER_ADMIN", "ORG_ADMIN", "AGENT", "VIEWER"].includes(r));
      if (unknown.length > 0) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `unknown roles: ${unknown.join(", ")}` });
      return roles as Array<"SUPER_ADMIN" | "ORG_ADMIN" | "AGENT" | "VIEWER">;
    }),
  META_APP_SECRET: optionalString,
  META_VERIFY_TOKEN: optionalString,
  WHATSAPP_API_URL: z.string().url().default("https://graph.facebook.com"),
  WHATSAPP_API_VERSION: z.string().default("v21.0"),
  /** Messages per second one business number may send (Meta's default throughput is 80), across all workers. */
  WHATSAPP_MAX_MESSAGES_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(80),
  /** Timeout of one Graph API call made for an agent's message; the send claim lasts longer than it. */
  WHATSAPP_SEND_TIMEOUT_SECONDS: z.coerce.number().positive().max(120).default(15),
  /** Largest media file Aviso streams to agents or uploads to Meta (WhatsApp's own per-kind limits apply too). */
  MEDIA_MAX_BYTES: z.coerce.number().int().positive().default(16 * 1024 * 1024),
  /** How often a worker's pg-boss supervisor fails jobs whose worker died (expired) so they retry. */
  JOB_SUPERVISE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  SMTP_HOST: optionalString,
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  SMTP_USER: optionalString,
  SMTP_PASSWORD: optionalString,
  SMTP_FROM_EMAIL: z.string().default("notificacoes@aviso.local"),
  SMTP_FROM_NAME: z.string().default("Aviso"),
  SMTP_USE_TLS: bool(true),
  SMTP_USE_SSL: bool(false),
  SMTP_TIMEOUT_SECONDS: z.coerce.number().positive().default(10),
  EMAIL_ENABLED: bool(true),
  NOTIFY_NEW_MESSAGE_ENABLED: bool(false),
  DELIVERY_RETRY_LIMIT: z.coerce.number().int().min(0).default(5),
  DELIVERY_RETRY_DELAY_SECONDS: z.coerce.number().positive().default(2),
  /** Consecutive transient failures of one (organization, channel) that open its circuit breaker. */
  DELIVERY_BREAKER_FAILURES: z.coerce.number().int().min(1).default(5),
  /** How long an open breaker keeps deliveries waiting before one is let through to test the provider. */
  DELIVERY_BREAKER_OPEN_SECONDS: z.coerce.number().positive().default(30),
  ALERT_ESCALATION_SECONDS: severitySeconds.default("CRITICAL=300,HIGH=900,MEDIUM=3600"),
  ALERT_STALE_SECONDS: z.coerce.number().positive().default(7 * 24 * 3600),
  NOTIFICATION_RETENTION_DAYS: z.coerce.number().positive().default(90),
  GRAPHIQL_ENABLED: optionalString,
  RATE_LIMIT_WS_CONNECTS_PER_MINUTE: z.coerce.number().int().positive().default(120),
  RATE_LIMIT_MUTATIONS_PER_MINUTE: z.coerce.number().int().positive().default(300),
  RATE_LIMIT_WEBHOOKS_PER_MINUTE: z.coerce.number().int().positive().default(12_000),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().positive().default(12),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().positive().default(15),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().positive().default(2000),
  GRAPHQL_MAX_COST: z.coerce.number().int().positive().default(20_000),
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
  /** Where the embedded PostgreSQL, the dev JWT secret and the email outbox live. */
  AVISO_HOME: z.string().default(".aviso"),
  // Security (issue 18): see README, Configuration.
  /** Hosts a Slack incoming-webhook URL may point at (exact names, or ".example.com" for its subdomains). */
  SLACK_WEBHOOK_HOSTS: z
    .string()
    .default("hooks.slack.com")
    .transform((s) => s.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean)),
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
    .transform((s) => s.split(",").map((o) => o.trim().replace(/\/+$/, "")).filter(Boolean)),
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

export type Config = Omit<z.output<typeof envSchema>, "GRAPHIQL_ENABLED"> & {
  /** GraphiQL and introspection: on in development unless turned off. */
  GRAPHIQL_ENABLED: boolean;
};

/** Parses the environment once; a wrong value stops start-up with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  // Auto-provisioning trusts an identity provider's claims: only its verified (JWKS) tokens may create people.
  if (parsed.data.JWT_AUTO_PROVISION && !parsed.data.JWT_JWKS_URL) throw new Error("Invalid configuration:\n  JWT_AUTO_PROVISION: needs JWT_JWKS_URL (the identity provider whose tokens create users)");
  const refused = productionRefusals(parsed.data);
  if (refused.length > 0) throw new Error(`Invalid configuration for production:\n${refused.map((r) => `  ${r}`).join("\n")}`);
  const graphiql = parsed.data.GRAPHIQL_ENABLED;
  return {
    ...parsed.data,
    GRAPHIQL_ENABLED: graphiql === undefined ? parsed.data.NODE_ENV !== "production" : ["true", "1", "yes", "on"].includes(graphiql),
  };
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
