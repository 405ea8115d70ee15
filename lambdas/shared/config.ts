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
  /** Stripe's API key. Without one (local stack only) payments go to the local payment simulator. */
  STRIPE_SECRET_KEY: z.string().startsWith('sk_').optional(),
  /** Stripe price ids of the paid plans (monthly). */
  STRIPE_PRICE_BEGINNER: z.string().startsWith('price_').optional(),
  STRIPE_PRICE_PRO: z.string().startsWith('price_').optional(),
  STRIPE_PRICE_TEAM: z.string().startsWith('price_').optional(),
  /** Verifies Stripe webhooks. The local default only works with the local simulator. */
  STRIPE_WEBHOOK_SECRET: z.string().startsWith('whsec_').default(LOCAL_WEBHOOK_SECRET),
  /** True only in the local stack and tests: enables local-only behaviour (never deployed). */
  LOCAL_MODE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export type Config = z.infer<typeof ConfigSchema>;

export function jobTimingsOf(config: Config) {
  return { leaseSeconds: config.JOB_LEASE_SECONDS, requeueAfterSeconds: config.JOB_REQUEUE_AFTER_SECONDS, maxAgeSeconds: config.JOB_MAX_AGE_SECONDS };
}

export function readConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  if (!c.LOCAL_MODE && (!c.STRIPE_SECRET_KEY || c.STRIPE_WEBHOOK_SECRET === LOCAL_WEBHOOK_SECRET)) {
    throw new Error('Invalid configuration: STRIPE_SECRET_KEY and a real STRIPE_WEBHOOK_SECRET are required outside local mode');
  }
  if (c.STRIPE_SECRET_KEY && !(c.STRIPE_PRICE_BEGINNER && c.STRIPE_PRICE_PRO && c.STRIPE_PRICE_TEAM)) {
    throw new Error('Invalid configuration: with STRIPE_SECRET_KEY, STRIPE_PRICE_BEGINNER, STRIPE_PRICE_PRO and STRIPE_PRICE_TEAM are required');
  }
  return parsed.data;
}
