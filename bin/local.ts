/**
 * `npm start`: the whole service on this machine. DynamoDB Local (the official engine) + the same
 * handlers as in AWS behind a local API Gateway stand-in with HS256 dev tokens, plus local-only control
 * routes to move the clock (and with it the simulated Stripe billing clock), run scheduled jobs, refund
 * or dispute simulated payments, mint tokens and make the dev member a real member of a wallet.
 *
 * Dev users: a wallet's owner is the user whose id is the wallet (`acct_dev` owns `acct_dev`); its
 * member is `<wallet>-member`, made an active member through the real invite and join (on PRO, paid
 * through the simulator) by `POST /_local/dev-team`, which this start-up runs for `acct_dev`.
 *
 * Environment: PORT (3000), HOST (127.0.0.1), LOCAL_JWT_SECRET ('local-dev-secret'),
 * STRIPE_WEBHOOK_SECRET (LOCAL_WEBHOOK_SECRET: the simulator signs and the webhook handler verifies with
 * this one secret), DYNAMODB_LOCAL_PORT and S3_LOCAL_PORT (0 = any free port), GENERATION_PROVIDER
 * (`simulated`; `live` calls the real model providers with GEMINI_API_KEY, OPENAI_API_KEY and
 * MODELARK_API_KEY from the environment).
 * Ctrl-C / SIGTERM close the server, stop DynamoDB Local and exit 0.
 */
import * as z from 'zod';
import type { Server } from 'node:http';
import { cryptoRandomBytes, ulidIds } from '../lambdas/adapters/ids';
import { SettableClock } from '../lambdas/adapters/clock';
import type { Service } from '../lambdas/composition/composition';
import { buildService } from '../lambdas/composition/composition';
import { LOCAL_WEBHOOK_SECRET } from '../lambdas/shared/config';
import { PaymentSimulator } from '../lambdas/adapters/payment-simulator';
import { createTable, makeDocumentClient, makeRawClient } from './local/dynamodb-clients';
import { startLocalS3, type LocalS3 } from './local/local-s3';
import { S3OutputStore } from '../lambdas/adapters/s3/output-store';
import { readConfig } from '../lambdas/shared/config';
import { stageModels } from '../lambdas/composition/model-wiring';
import { startDynamoDbLocal, type DynamoDbLocal } from './local/dynamodb-local';
import { createLocalGateway, signDevToken } from './local/gateway';
import { createStaticSite } from './local/static-site';
import { buildWebApp, WEB_DIST_DIR } from './local/web-build';
import { localCardRoute } from './local/local-card-route';
import { localClockRoutes } from './local/local-clock-routes';
import { creditedPaymentAmount, localPaymentRoutes } from './local/local-payment-routes';
import { devTeamSeeder, localDevTeamRoute, type DevTeam } from './local/local-dev-team';
import { waitForQueuesToSettle } from './local/queue-settle';
import { makeSqsClient, startSqsEmulator, type SqsEmulator } from './local/sqs-emulator';
import { startSqsPoller, type SqsPoller } from './local/sqs-poller';
import { createJobQueues } from './local/sqs-queues';
import { close, ControlRouteError, createLocalHttpServer, listen, parseControlBody, type ControlRoute } from './local/http-server';

const TABLE_NAME = 'banana-flow-credits-local';
/**
 * Local job timings: the lease covers the simulated provider's slowest video (8 s). The visibility
 * timeout only needs to outlast the lease here (the poller does not retry inside a batch as Lambda
 * does), so a crashing job reaches the DLQ in about half a minute instead of many minutes.
 */
const LOCAL_JOB_TIMINGS = { leaseSeconds: 10, requeueAfterSeconds: 60, maxAgeSeconds: 900, pollIntervalSeconds: 2, retryBaseSeconds: 2 };
const LOCAL_QUEUE = { visibilityTimeoutSeconds: 15, maxReceiveCount: 2 };
const TEN_YEARS_SECONDS = 10 * 365 * 24 * 3600;
/** The dev wallet whose owner and member tokens npm start prints. */
const DEV_WALLET = 'acct_dev';
const SHUTDOWN_LIMIT_MS = 8_000;

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOCAL_JWT_SECRET: z.string().min(1).default('local-dev-secret'),
  STRIPE_WEBHOOK_SECRET: z.string().startsWith('whsec_').default(LOCAL_WEBHOOK_SECRET),
  DYNAMODB_LOCAL_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  S3_LOCAL_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** `live`: the real model providers, with GEMINI_API_KEY / OPENAI_API_KEY / MODELARK_API_KEY from the environment. */
  GENERATION_PROVIDER: z.enum(['simulated', 'live']).default('simulated'),
});

const TokenRequest = z.strictObject({
  sub: z.string().min(1),
  account_id: z.string().min(1).optional(),
  groups: z.array(z.string().min(1)).optional(),
  expiresInSeconds: z.number().int().positive().optional(),
});

/** The real providers, with their keys from the environment (GEMINI_API_KEY, OPENAI_API_KEY, MODELARK_API_KEY). */
function liveModels(queueUrl: string) {
  return stageModels(readConfig({ ...process.env, TABLE_NAME, JOBS_QUEUE_URL: queueUrl, GENERATION_PROVIDER: 'live' }));
}

function controlRoutes(clock: SettableClock, service: Service, payments: PaymentSimulator, jwtSecret: string, settle: () => Promise<void>, seedDevTeam: (wallet: string) => Promise<DevTeam>): ControlRoute[] {
  return [
    localDevTeamRoute(seedDevTeam),
    // Moving the clock moves the simulator's billing clock too: subscriptions renew as in Stripe.
    ...localClockRoutes(clock, payments),
    ...localPaymentRoutes({ payments, amountCentsOf: creditedPaymentAmount(service.deps.store) }),
    {
      method: 'POST',
      path: '/_local/jobs/{name}',
      handle: async (request) => {
        const name = request.pathParameters.name ?? '';
        const job = Object.hasOwn(service.jobs, name) ? service.jobs[name] : undefined;
        if (!job) {
          const known = Object.keys(service.jobs).join(', ') || 'none yet';
          throw new ControlRouteError(404, 'job_not_found', `No job named "${name}" (known: ${known})`);
        }
        return { statusCode: 200, body: { name, result: (await job()) ?? null } };
      },
    },
    {
      method: 'POST',
      path: '/_local/settle',
      handle: async () => {
        await settle();
        return { statusCode: 200, body: { settled: true } };
      },
    },
    {
      method: 'POST',
      path: '/_local/token',
      handle: async (request) => {
        const claims = parseControlBody(request, TokenRequest);
        return { statusCode: 200, body: { token: await signDevToken(jwtSecret, { ...claims, now: clock.now() }) } };
      },
    },
  ];
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const env = EnvSchema.parse(process.env);

  // Signal handlers first, so Ctrl-C during start-up still cleans up.
  const running: { engine?: DynamoDbLocal; server?: Server; sqs?: SqsEmulator; s3?: LocalS3; pollers?: SqsPoller[] } = {};
  let shuttingDown = false;
  const shutdown = async (reason: string, exitCode: number): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.log(`\n${reason}: stopping…`);
    setTimeout(() => {
      console.error(`Shutdown took over ${SHUTDOWN_LIMIT_MS} ms: forcing exit`);
      process.exit(1); // the 'exit' hook still kills DynamoDB Local
    }, SHUTDOWN_LIMIT_MS).unref();
    if (running.server) await close(running.server);
    await Promise.all((running.pollers ?? []).map((p) => p.stop()));
    if (running.sqs) await running.sqs.stop();
    if (running.s3) await running.s3.stop();
    if (running.engine) await running.engine.stop();
    process.exit(exitCode);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void shutdown(signal, 0));
  }

  // The web app builds (or is found up to date) while DynamoDB Local and the queues start.
  const webBuild = buildWebApp();
  const engine = await startDynamoDbLocal({ port: env.DYNAMODB_LOCAL_PORT });
  running.engine = engine;
  void engine.exited.then(({ code, signal }) => {
    // Ctrl-C in a terminal signals java too (same process group): that is a shutdown, not a crash.
    const interrupted = code === 130 || code === 143 || signal === 'SIGINT' || signal === 'SIGTERM';
    if (!shuttingDown) {
      console.error(`DynamoDB Local exited (code ${code}, signal ${signal})`);
      void shutdown('DynamoDB Local stopped', interrupted ? 0 : 1);
    }
  });
  if (shuttingDown) return;

  const raw = makeRawClient(engine.endpoint);
  await createTable(raw, TABLE_NAME);
  const db = makeDocumentClient(engine.endpoint, raw);

  const sqsEmulator = await startSqsEmulator();
  running.sqs = sqsEmulator;
  const sqs = makeSqsClient(sqsEmulator.endpoint);
  const queues = await createJobQueues(sqs, { name: 'banana-flow-jobs', visibilityTimeoutSeconds: LOCAL_QUEUE.visibilityTimeoutSeconds, maxReceiveCount: LOCAL_QUEUE.maxReceiveCount });
  if (shuttingDown) return;

  const s3 = await startLocalS3('banana-flow-outputs', env.S3_LOCAL_PORT);
  running.s3 = s3;
  if (shuttingDown) return;

  const clock = new SettableClock();
  // One webhook secret: the simulator signs with the one the webhook handler verifies with.
  const payments = new PaymentSimulator(env.STRIPE_WEBHOOK_SECRET, () => clock.now());
  const service = buildService({
    db,
    tableName: TABLE_NAME,
    sqs,
    jobsQueueUrl: queues.queueUrl,
    clock,
    ids: ulidIds(clock),
    randomBytes: cryptoRandomBytes,
    jobTimings: LOCAL_JOB_TIMINGS,
    payments,
    providerWebhookSecret: env.STRIPE_WEBHOOK_SECRET,
    localMode: true,
    outputs: new S3OutputStore({ client: s3.client, bucket: s3.bucket }),
    ...(env.GENERATION_PROVIDER === 'live' ? { models: liveModels(queues.queueUrl) } : {}),
  });
  // Like Lambda's SQS event sources: the worker on the jobs queue, the refunding consumer on its DLQ.
  const pollers = [
    startSqsPoller({ sqs, queueUrl: queues.queueUrl, handler: service.queueHandlers.jobs }),
    startSqsPoller({ sqs, queueUrl: queues.dlqUrl, handler: service.queueHandlers.jobsDeadLetter }),
  ];
  running.pollers = pollers;
  const gateway = createLocalGateway({ routes: [...service.routes, localCardRoute(service, payments)], jwtSecret: env.LOCAL_JWT_SECRET, now: () => clock.now() });
  // The simulator reports payments as signed webhook events through the real webhook handler.
  payments.connect(async (rawBody, signature) => (await gateway({ method: 'POST', path: '/v1/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: rawBody })).statusCode);
  const settle = async () => {
    await payments.settle();
    await waitForQueuesToSettle({ sqs, queueUrls: [queues.queueUrl, queues.dlqUrl], pollers, timeoutMs: 120_000 });
  };
  // The printed member token works from the start: acct_dev-member is a real member of acct_dev.
  const seedDevTeam = devTeamSeeder({ service, payments, settle });
  const devTeam = await seedDevTeam(DEV_WALLET).then(
    (team) => `${team.member} is a member of ${team.accountId} (${team.plan})`,
    (error: unknown) => `could not make ${DEV_WALLET}-member a member of ${DEV_WALLET}: ${error instanceof Error ? error.message : String(error)}`,
  );
  const webBuildResult = await webBuild;
  if (shuttingDown) return;
  const server = createLocalHttpServer({ gateway, controlRoutes: controlRoutes(clock, service, payments, env.LOCAL_JWT_SECRET, settle, seedDevTeam), staticSite: createStaticSite(WEB_DIST_DIR) });
  running.server = server;
  const address = await listen(server, env.PORT, env.HOST);
  if (shuttingDown) return;

  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const devToken = await signDevToken(env.LOCAL_JWT_SECRET, { sub: DEV_WALLET, expiresInSeconds: TEN_YEARS_SECONDS });
  const memberToken = await signDevToken(env.LOCAL_JWT_SECRET, { sub: `${DEV_WALLET}-member`, account_id: DEV_WALLET, expiresInSeconds: TEN_YEARS_SECONDS });
  const adminToken = await signDevToken(env.LOCAL_JWT_SECRET, { sub: 'dev-admin', groups: ['admin'], expiresInSeconds: TEN_YEARS_SECONDS });
  const routeList = service.routes.map((r) => `  ${r.method.padEnd(6)} ${r.path}${r.auth === 'jwt' ? '  (JWT)' : ''}`).join('\n');

  console.log(`
Banana Flow credits API (local) ready in ${Math.round(performance.now() - startedAt)} ms (DynamoDB Local ${engine.startupMs} ms, web app ${webBuildResult})
  Web app         ${url}/  (dev sign-in: owner, member, admin; join a team by invite code)
  API             ${url}/v1/…
  DynamoDB Local  ${engine.endpoint}  table ${TABLE_NAME}
  SQS emulator    ${sqsEmulator.endpoint}  queues banana-flow-jobs (+ -dlq)
  S3 (s3rver)     ${s3.endpoint}  bucket ${s3.bucket} (generation outputs)
  Models          ${env.GENERATION_PROVIDER === 'live' ? 'the real providers (keys from the environment)' : 'simulated (GENERATION_PROVIDER=live for the real ones)'}
Routes:
${routeList || '  (none registered yet)'}
  POST   /_local/clock {"advanceSeconds":n} | {"set":"ISO"}  (renews due subscriptions)   GET /_local/clock
  PUT    /_local/card {"behaviour":"succeed"|"decline"|"require_action"}  (JWT: the caller's simulated card)
  POST   /_local/payments/{paymentId}/refund {"amountCents"?:n}  (this refund; omitted = the rest)
  POST   /_local/payments/{paymentId}/dispute {"outcome":"open"|"won"|"lost"}
  POST   /_local/jobs/{name}   POST /_local/settle (waits for webhooks and queued jobs)
  POST   /_local/token {"sub":"…","account_id"?:"…","groups"?:["admin"]}  (account_id selects a wallet: its owner's id, or one the sub is a member of)
  POST   /_local/dev-team {"wallet":"…"}  (makes <wallet>-member a member: PRO through the simulator if the plan has 1 seat, then invite + join)

Dev users (${devTeam}):
Owner token (sub ${DEV_WALLET}, owner of wallet ${DEV_WALLET}, 10 years):
  ${devToken}
Member token (sub ${DEV_WALLET}-member, account_id ${DEV_WALLET}: a member of that wallet):
  ${memberToken}
Admin token (sub dev-admin, cognito:groups [admin], its own wallet):
  ${adminToken}

Try:
  curl -s ${url}/v1/balance -H "authorization: Bearer ${devToken}"
  curl -s -X POST ${url}/_local/clock -H 'content-type: application/json' -d '{"advanceSeconds":86400}'
Ctrl-C stops everything.`);
}

main().catch((error: unknown) => {
  console.error('Local stack failed to start:', error);
  process.exit(1); // the 'exit' hook kills DynamoDB Local if it was started
});
