/**
 * The one place that reads environment variables. Parsed once and validated, so a missing or
 * malformed setting fails at cold start with a clear message instead of mid-request.
 */
import * as z from 'zod';

export const LOCAL_WEBHOOK_SECRET = 'whsec_local_dev';

const ConfigSchema = z.object({
  TABLE_NAME: z.string().min(3).max(255),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Set only for DynamoDB Local. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  /** The generation jobs queue. */
  JOBS_QUEUE_URL: z.url(),
  /** Set only for the local SQS emulator. */
  SQS_ENDPOINT: z.url().optional(),
  /** How long a worker owns a job it started: the worker function's timeout. */
  JOB_LEASE_SECONDS: z.coerce.number().int().min(1).max(900).default(120),
  /** A job still queued this long is enqueued again by the reaper. */
  JOB_REQUEUE_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(180),
  /** A job not finished this long after it was accepted is failed and refunded. */
  JOB_MAX_AGE_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  /**
   * The Secrets Manager secret holding the Stripe keys (JSON, see StripeKeysSchema). The CDK app
   * sets it on the functions that talk to Stripe; they read it once per cold start.
   */
  STRIPE_SECRET_ARN: z.string().startsWith('arn:').optional(),
  /** Stripe's API key straight from the environment (local stack, or a host without Secrets Manager). */
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_/, 'must be a secret (sk_) or restricted (rk_) key').optional(),
  /** Stripe price ids of the paid plans (monthly). */
  STRIPE_PRICE_BEGINNER: z.string().startsWith('price_').optional(),
  STRIPE_PRICE_PRO: z.string().startsWith('price_').optional(),
  STRIPE_PRICE_TEAM: z.string().startsWith('price_').optional(),
  /** Verifies Stripe webhooks. The local default only works with the local simulator. */
  STRIPE_WEBHOOK_SECRET: z.string().startsWith('whsec_').default(LOCAL_WEBHOOK_SECRET),
  /**
   * What runs generations in Lambda: `simulated` (made-up results; the CDK app allows it on dev only)
   * or `live`, the real model providers. Unset: live, so a forgotten setting never sells made-up images.
   */
  GENERATION_PROVIDER: z.enum(['simulated', 'live']).default('live'),
  /**
   * The private bucket generation outputs are copied into (`outputs/<account>/<job>/…`), served back
   * through presigned GETs. Required by the worker and the routes that show generations.
   */
  OUTPUTS_BUCKET: z.string().min(3).max(63).optional(),
  /** Set only for the local S3-compatible server (s3rver). */
  S3_ENDPOINT: z.url().optional(),
  /**
   * The Secrets Manager secret holding the model providers' API keys (JSON, see ProviderKeysSchema),
   * read at first use and again after a TTL. Set by the CDK app on the worker and the cancel route.
   */
  PROVIDER_SECRET_ARN: z.string().startsWith('arn:').optional(),
  /** Provider keys straight from the environment (local stack pointed at real providers). */
  GEMINI_API_KEY: z.string().min(1).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  MODELARK_API_KEY: z.string().min(1).optional(),
  /**
   * The providers' model names, per catalog model id, where the stage overrides the catalog's
   * defaults: JSON, e.g. {"nano-banana-2":"gemini-3.1-flash-image-preview"}. Providers rename
   * preview models often; check each against the provider's model list at deploy.
   */
  PROVIDER_MODEL_NAMES: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        const parsed = z.record(z.string().min(1).max(64), z.string().min(1).max(128)).safeParse(JSON.parse(text));
        if (parsed.success) return parsed.data;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of model id → provider model name' });
      return z.NEVER;
    }),
  /** Seconds between two polls of a running video operation (an SQS delay: at most 900). */
  POLL_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(900).default(15),
  /** True only in the local stack and tests: enables local-only behaviour (never deployed). */
  LOCAL_MODE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export type Config = z.infer<typeof ConfigSchema>;

export function jobTimingsOf(config: Config) {
  return { leaseSeconds: config.JOB_LEASE_SECONDS, requeueAfterSeconds: config.JOB_REQUEUE_AFTER_SECONDS, maxAgeSeconds: config.JOB_MAX_AGE_SECONDS, pollIntervalSeconds: config.POLL_INTERVAL_SECONDS };
}

export function readConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  if (c.STRIPE_SECRET_ARN && c.STRIPE_SECRET_KEY) {
    throw new Error('Invalid configuration: set STRIPE_SECRET_ARN or STRIPE_SECRET_KEY, not both');
  }
  if (c.STRIPE_SECRET_KEY && !(c.STRIPE_PRICE_BEGINNER && c.STRIPE_PRICE_PRO && c.STRIPE_PRICE_TEAM)) {
    throw new Error('Invalid configuration: with STRIPE_SECRET_KEY, STRIPE_PRICE_BEGINNER, STRIPE_PRICE_PRO and STRIPE_PRICE_TEAM are required');
  }
  if (c.STRIPE_SECRET_KEY && !c.LOCAL_MODE && c.STRIPE_WEBHOOK_SECRET === LOCAL_WEBHOOK_SECRET) {
    throw new Error('Invalid configuration: with STRIPE_SECRET_KEY outside local mode, a real STRIPE_WEBHOOK_SECRET is required');
  }
  return parsed.data;
}

/** The Stripe secret's JSON value, as an operator puts it (README, Deploy). Unknown keys are ignored. */
const StripeKeysSchema = z.object({
  secretKey: z.string().regex(/^(sk|rk)_/, 'must be a secret (sk_) or restricted (rk_) key'),
  webhookSecret: z.string().startsWith('whsec_'),
  priceBeginner: z.string().startsWith('price_'),
  pricePro: z.string().startsWith('price_'),
  priceTeam: z.string().startsWith('price_'),
  /** While a webhook secret is rolled: the old one, still accepted until it is removed here. */
  previousWebhookSecret: z.string().startsWith('whsec_').optional(),
});

export type StripeKeys = z.infer<typeof StripeKeysSchema>;

/** The secret's keys, for the CDK app's description of the secret. */
export const STRIPE_SECRET_KEYS = StripeKeysSchema.keyof().options;

/** The key of the placeholder value the CDK app creates the secret with, until an operator sets the real keys. */
export const STRIPE_SECRET_PLACEHOLDER_KEY = 'notConfigured';

/** True for the placeholder the secret is created with: payments are simply not set up yet. */
export function isStripeSecretPlaceholder(secretString: string): boolean {
  try {
    const value: unknown = JSON.parse(secretString);
    return typeof value === 'object' && value !== null && STRIPE_SECRET_PLACEHOLDER_KEY in value && !('secretKey' in value);
  } catch {
    return false;
  }
}

/**
 * Parses a secret's JSON value against its schema. Errors name the keys that are wrong, never a
 * value: JSON.parse's own message quotes the text it choked on, which here is a secret.
 */
function parseSecretJson<S extends z.ZodType>(secretString: string, schema: S, name: string): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch {
    throw new Error(`Invalid ${name}: not a JSON object`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`Invalid ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export function parseStripeKeys(secretString: string): StripeKeys {
  return parseSecretJson(secretString, StripeKeysSchema, 'Stripe secret');
}

/** The Stripe keys from the environment (STRIPE_SECRET_KEY and friends), or undefined when none is set. */
export function stripeKeysFromEnv(config: Config): StripeKeys | undefined {
  if (!config.STRIPE_SECRET_KEY) return undefined;
  return {
    secretKey: config.STRIPE_SECRET_KEY,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    priceBeginner: config.STRIPE_PRICE_BEGINNER ?? '',
    pricePro: config.STRIPE_PRICE_PRO ?? '',
    priceTeam: config.STRIPE_PRICE_TEAM ?? '',
  };
}

/** The model providers' secret's JSON value, as an operator puts it (README, Models and providers). Each key is optional: a model whose provider has none fails its jobs as ours (refunded, alarmed). */
export const ProviderKeysSchema = z.object({
  geminiApiKey: z.string().min(1).optional(),
  openaiApiKey: z.string().min(1).optional(),
  modelarkApiKey: z.string().min(1).optional(),
});

export type ProviderKeys = z.infer<typeof ProviderKeysSchema>;

export function parseProviderKeys(secretString: string): ProviderKeys {
  return parseSecretJson(secretString, ProviderKeysSchema, 'provider secret');
}
