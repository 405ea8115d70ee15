/**
 * The deployment's stage configuration: read from cdk.json context (`stages.<name>`, selected with
 * `-c stage=<name>`), validated once, typed. A missing or malformed setting stops synth with a
 * message naming it, before any construct is built.
 */
import * as z from 'zod';
import { MODELS } from '../lambdas/domain/catalog';

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** The catalog's model ids: the only keys providerModelNames may have. */
const MODEL_IDS: readonly string[] = MODELS.map((m) => m.id);

const ImportedUserPool = z.strictObject({
  mode: z.literal('import'),
  /** e.g. `us-east-1_AbCdEf123`; the region prefix must be the stage's region. */
  userPoolId: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$/, 'a Cognito user pool id like us-east-1_AbCdEf123'),
  /**
   * App clients whose tokens the API accepts (the JWT audience). The pool's pre-token-generation
   * trigger (V2_0, the stateful stack's PreTokenTriggerArn output) is attached by hand: docs/runbook.md.
   */
  appClientIds: z.array(z.string().regex(/^[0-9a-z]{1,128}$/, 'a Cognito app client id')).min(1),
  /**
   * The pool's existing sign-in domain (`https://auth.bananaflow.app` or a Cognito prefix domain's
   * URL), used by the web app's client. Without it the service stack adds a prefix domain to the pool,
   * which fails if the pool already has one (a pool holds at most one).
   */
  loginDomain: z.url({ protocol: /^https$/ }).refine((u) => new URL(u).origin === u, 'an https origin: https://host, no path or trailing slash').optional(),
});

/**
 * Domains reserved for examples and tests (RFC 2606, RFC 6761) and the usual stand-ins: an alarm
 * sent there pages nobody, so a stage that names one is refused.
 */
const PLACEHOLDER_EMAIL_DOMAIN = /(^|\.)(example|test|invalid|localhost)$|^(example\.(com|net|org)|domain\.com|yourdomain\.com|yourcompany\.com|company\.com|email\.com)$/i;

const AlarmEmail = z.email().refine((e) => !PLACEHOLDER_EMAIL_DOMAIN.test(e.split('@')[1] ?? ''), 'a real address: example.com, .example, .test and similar placeholder domains reach nobody');

const RouteThrottle = z.strictObject({ rateLimit: z.number().int().min(1).max(10_000), burstLimit: z.number().int().min(1).max(5_000) });

/** API Gateway's default account-level limits per Region, which every route's limits share (lib/api-throttling.ts). */
export const ACCOUNT_API_LIMITS = { rateLimit: 10_000, burstLimit: 5_000 } as const;

const CreatedUserPool = z.strictObject({
  /** A user pool (Essentials plan) and app client created by this app, with the team-claims pre-token trigger attached (V2_0). */
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
  /**
   * Stripe's publishable key for the web app (public: it is served in /config.json). Absent: the app
   * gets `publishableKey: null`. A secret or restricted key (sk_, rk_) is refused here.
   */
  stripePublishableKey: z.string().regex(/^pk_(test|live)_[0-9A-Za-z]{1,247}$/, 'a Stripe publishable key (pk_test_… or pk_live_…), never a secret key').optional(),
  /**
   * The billing web app's own host name and its certificate (ACM, in us-east-1: the only region
   * CloudFront takes certificates from); viewers then need TLS 1.2 (CloudFront's 2021 policy). The DNS
   * record is yours: a CNAME or alias to the DistributionDomainName output. Absent: the app is served
   * on its *.cloudfront.net name, whose TLS policy CloudFront fixes.
   */
  webDomain: z
    .strictObject({
      domainName: z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a lower-case host name like billing.bananaflow.app'),
      certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/, 'an ACM certificate ARN in us-east-1 (CloudFront uses certificates from there only)'),
    })
    .optional(),
  /** Secrets Manager name of the Stripe keys (JSON: secretKey, webhookSecret, priceBeginner, pricePro, priceTeam). */
  stripeSecretName: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/),
  /**
   * Who is told of the alarms (SNS email subscriptions: confirm the email AWS sends). `page`: money
   * wrong, payments not applied, the API or the jobs down (with an OK notice when it recovers);
   * `ticket`: degradations to look at in working hours. Required outside dev; a dev stage without
   * them still has both topics, for whoever subscribes.
   */
  alarmEmails: z.strictObject({ page: AlarmEmail, ticket: AlarmEmail }).optional(),
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
  /** Each route's own request limits, by the route's class (lib/api-throttling.ts gives the reasoning). */
  apiThrottle: z
    .strictObject({ read: RouteThrottle, write: RouteThrottle, admin: RouteThrottle, anonymous: RouteThrottle, webhook: RouteThrottle })
    .default({
      read: { rateLimit: 100, burstLimit: 200 },
      write: { rateLimit: 50, burstLimit: 100 },
      admin: { rateLimit: 5, burstLimit: 10 },
      anonymous: { rateLimit: 20, burstLimit: 40 },
      webhook: { rateLimit: 100, burstLimit: 200 },
    }),
  /** Concurrent executions kept for the Stripe webhook alone, so generations and reads can never starve payments. */
  webhookReservedConcurrency: z.number().int().min(1).max(100).default(10),
  /** What runs the generations: `simulated` (made-up results, dev only) or the real model providers. */
  generationProvider: z.enum(['simulated', 'live']).default('live'),
  /** The worker's timeout is the job lease; the reaper and refund ages follow (see lambdas/shared/config.ts). */
  jobTimings: z
    .strictObject({
      leaseSeconds: z.number().int().min(10).max(900),
      requeueAfterSeconds: z.number().int().min(1).max(3600),
      maxAgeSeconds: z.number().int().min(60).max(86_400),
    })
    // A job running within its lease is never re-enqueued, and a re-enqueued job gets a whole lease before it is refunded as too old.
    .refine((t) => t.requeueAfterSeconds >= t.leaseSeconds, 'requeueAfterSeconds must be at least leaseSeconds (the worker timeout)')
    .refine((t) => t.maxAgeSeconds >= t.requeueAfterSeconds + t.leaseSeconds, 'maxAgeSeconds must be at least requeueAfterSeconds + leaseSeconds')
    .default({ leaseSeconds: 120, requeueAfterSeconds: 180, maxAgeSeconds: 3600 }),
  /** Upper bound on concurrent worker invocations (the SQS event source's maximum concurrency). */
  workerMaxConcurrency: z.number().int().min(2).max(1000).default(10),
  /**
   * The jobs worker's memory (MB). It buffers each provider output while copying it to S3 (up to
   * 200 MiB a video, lambdas/adapters/s3/output-store.ts) and runs a batch's records concurrently, so
   * it gets more than the API functions; Lambda's CPU share grows with it too.
   */
  workerMemoryMb: z.number().int().min(1024).max(10_240).default(2048),
  /**
   * Days a generation's outputs are kept in the outputs bucket (a lifecycle rule on `outputs/`); after
   * that its presigned URLs answer 404. At least 7: a presigned URL may be signed for up to 7 days.
   */
  outputsRetentionDays: z.number().int().min(7).max(3650).default(90),
  /** Secrets Manager name of the model providers' API keys (JSON: geminiApiKey, openaiApiKey, modelarkApiKey). @default banana-flow-credits/<stage>/model-providers */
  providerSecretName: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/).optional(),
  /**
   * The providers' model names where this stage overrides the catalog's defaults, by catalog model id
   * (e.g. {"nano-banana-2": "gemini-3.1-flash-image-preview"}): providers rename preview models often.
   * Given to the functions that call the providers as PROVIDER_MODEL_NAMES.
   */
  providerModelNames: z
    .record(
      z.string().refine((id) => MODEL_IDS.includes(id), `a model id of the catalog: ${MODEL_IDS.join(', ')}`),
      z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/, "a provider's model name: letters, digits and . _ : / -, at most 128 characters"),
    )
    .default({}),
  /** Seconds between two polls of a running video operation: the poll message's SQS delay (at most 900); at least 5, or a running video is polled in a tight loop. */
  pollIntervalSeconds: z.number().int().min(5).max(900).default(15),
}).superRefine((config, ctx) => {
  const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (config.stageName !== 'dev') {
    // A stage that is not disposable must name where it goes: never "whatever the CLI's profile points at".
    if (!config.account) problem('account', 'required for every stage but dev');
    if (!config.region) problem('region', 'required for every stage but dev');
    if (!config.alarmEmails) problem('alarmEmails', 'required for every stage but dev: alarms must reach someone');
    if (config.generationProvider === 'simulated') problem('generationProvider', 'the simulated model charges real credits for made-up results: dev only');
  }
  if (config.userPool.mode === 'import' && config.region && !config.userPool.userPoolId.startsWith(`${config.region}_`)) {
    problem('userPool', `the user pool ${config.userPool.userPoolId} is not in the stage's region ${config.region}: tokens would be checked against the wrong issuer`);
  }
  const throttles = Object.values(config.apiThrottle);
  if (throttles.some((t) => t.burstLimit < t.rateLimit)) problem('apiThrottle', 'each burstLimit must be at least its rateLimit');
  for (const [name, t] of Object.entries(config.apiThrottle)) if (t.burstLimit > ACCOUNT_API_LIMITS.burstLimit || t.rateLimit > ACCOUNT_API_LIMITS.rateLimit) problem('apiThrottle', `${name} exceeds the account-level limits`);
});

export type StageConfig = z.infer<typeof StageConfigSchema>;
export type StageConfigInput = z.input<typeof StageConfigSchema>;

/** Dev is disposable: its data is destroyed with the stack. Every other stage retains and protects it. */
export function isDevStage(config: StageConfig): boolean {
  return config.stageName === 'dev';
}

/** The model providers' secret's name: the stage's setting, else `banana-flow-credits/<stage>/model-providers`. */
export function providerSecretNameOf(config: StageConfig): string {
  return config.providerSecretName ?? `banana-flow-credits/${config.stageName}/model-providers`;
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
