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
  const graphiql = parsed.data.GRAPHIQL_ENABLED;
  return {
    ...parsed.data,
    GRAPHIQL_ENABLED: graphiql === undefined ? parsed.data.NODE_ENV !== "production" : ["true", "1", "yes", "on"].includes(graphiql),
  };
}
