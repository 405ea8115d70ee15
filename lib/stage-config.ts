/**
 * The deployment's stage configuration: read from cdk.json context (`stages.<name>`, selected with
 * `-c stage=<name>`), validated once, typed. A missing or malformed setting stops synth with a
 * message naming it, before any construct is built.
 */
import * as z from 'zod';

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const ImportedUserPool = z.strictObject({
  mode: z.literal('import'),
  /** e.g. `us-east-1_AbCdEf123`; the region prefix must be the stage's region. */
  userPoolId: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$/, 'a Cognito user pool id like us-east-1_AbCdEf123'),
  /** App clients whose tokens the API accepts (the JWT audience). */
  appClientIds: z.array(z.string().regex(/^[0-9a-z]{1,128}$/, 'a Cognito app client id')).min(1),
});

const CreatedUserPool = z.strictObject({
  /** A user pool and app client created by this app (for dev: no pre-token trigger, so account_id defaults to sub). */
  mode: z.literal('create'),
});

export const StageConfigSchema = z.strictObject({
  stageName: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, 'lower-case letters, digits and dashes, 2-16 characters'),
  /** Target account and region; omit both for an environment-agnostic synth. */
  account: z.string().regex(/^\d{12}$/).optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/).optional(),
  /** Browser origins allowed by CORS (the Banana Flow app). */
  appOrigins: z.array(z.url().refine((u) => new URL(u).origin === u, 'an origin: scheme://host[:port], no path or trailing slash')).min(1),
  userPool: z.discriminatedUnion('mode', [ImportedUserPool, CreatedUserPool]),
  /** Secrets Manager name of the Stripe keys (JSON: secretKey, webhookSecret, priceBeginner, pricePro, priceTeam). */
  stripeSecretName: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/),
  /** Receives the alarms (an SNS email subscription: confirm the email AWS sends). */
  alarmEmail: z.email(),
  /** Deliveries of a job message before it moves to the jobs DLQ. */
  jobsMaxReceiveCount: z.number().int().min(1).max(1000).default(5),
  logRetentionDays: z
    .number()
    .int()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), `one of ${LOG_RETENTION_DAYS.join(', ')}`)
    .default(30),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  /** `customer-managed` creates a KMS key (with rotation) for the table; AWS-managed costs nothing extra. */
  tableEncryption: z.enum(['aws-managed', 'customer-managed']).default('aws-managed'),
  /** Stage-wide API throttling. */
  apiThrottle: z.strictObject({ rateLimit: z.number().int().min(1).max(10_000), burstLimit: z.number().int().min(1).max(5_000) }).default({ rateLimit: 50, burstLimit: 100 }),
  /** The worker's timeout is the job lease; the reaper and refund ages follow (see lambdas/shared/config.ts). */
  jobTimings: z
    .strictObject({
      leaseSeconds: z.number().int().min(10).max(900),
      requeueAfterSeconds: z.number().int().min(1).max(3600),
      maxAgeSeconds: z.number().int().min(60).max(86_400),
    })
    .refine((t) => t.maxAgeSeconds > t.leaseSeconds, 'maxAgeSeconds must exceed leaseSeconds')
    .default({ leaseSeconds: 120, requeueAfterSeconds: 180, maxAgeSeconds: 3600 }),
  /** Upper bound on concurrent worker invocations (the SQS event source's maximum concurrency). */
  workerMaxConcurrency: z.number().int().min(2).max(1000).default(10),
});

export type StageConfig = z.infer<typeof StageConfigSchema>;
export type StageConfigInput = z.input<typeof StageConfigSchema>;

/** Dev is disposable: its data is destroyed with the stack. Every other stage retains and protects it. */
export function isDevStage(config: StageConfig): boolean {
  return config.stageName === 'dev';
}

export function parseStageConfig(input: unknown): StageConfig {
  const parsed = StageConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`Invalid stage configuration: ${problems}`);
  }
  return parsed.data;
}

/** Reads `stages.<stage>` from the context, where `stage` comes from `-c stage=<name>` (cdk.json sets the default). */
export function readStageConfig(context: { tryGetContext(key: string): unknown }): StageConfig {
  const stage = context.tryGetContext('stage');
  if (typeof stage !== 'string' || stage === '') throw new Error('Invalid stage configuration: no stage selected (pass -c stage=<name>)');
  const stages = context.tryGetContext('stages');
  const known = stages && typeof stages === 'object' ? Object.keys(stages) : [];
  const raw: unknown = (stages as Record<string, unknown> | undefined)?.[stage];
  if (!raw || typeof raw !== 'object') throw new Error(`Invalid stage configuration: no "stages.${stage}" in the cdk.json context (known: ${known.join(', ') || 'none'})`);
  return parseStageConfig({ ...raw, stageName: stage });
}
