/**
 * The service as the tests drive it: the real handlers, use cases and DynamoDB store on a fresh
 * DynamoDB Local table, called through the local gateway (the JWT check included), with a clock the
 * test moves. `call` speaks HTTP-ish: method, path, token, body.
 */
import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createLocalGateway, signDevToken } from '../../bin/local/gateway';
import { DEAD_LETTER_FUNCTION, WORKER_FUNCTION } from '../../lib/function-catalog';
import { localCardRoute } from '../../bin/local/local-card-route';
import { waitForQueuesToSettle } from '../../bin/local/queue-settle';
import { makeSqsClient } from '../../bin/local/sqs-emulator';
import { startSqsPoller } from '../../bin/local/sqs-poller';
import { createJobQueues } from '../../bin/local/sqs-queues';
import { PaymentSimulator } from '../../lambdas/adapters/payment-simulator';
import { TEST_LATENCY, SimulatedModels } from '../../lambdas/adapters/simulated/simulated-models';
import { S3OutputStore } from '../../lambdas/adapters/s3/output-store';
import type { S3Client } from '@aws-sdk/client-s3';
import { startLocalS3, type LocalS3 } from '../../bin/local/local-s3';
import type { JobTimings } from '../../lambdas/domain/job-lifecycle';
import type { PaymentGateway } from '../../lambdas/domain/payment-gateway';
import type { WebhookSecrets } from '../../lambdas/domain/ports';
import type { ModelProviders } from '../../lambdas/domain/model-clients';
import { SettableClock } from '../../lambdas/adapters/clock';
import { cryptoRandomBytes, ulidIds } from '../../lambdas/adapters/ids';
import type { Service } from '../../lambdas/composition/composition';
import { buildService } from '../../lambdas/composition/composition';
import type { TestTable } from './dynamodb';
import { createTestTable, dropTestTable } from './dynamodb';
import { assertContract, contractViolation } from './contract';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256';
export const TEST_WEBHOOK_SECRET = 'whsec_test_secret';

export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface CallResult {
  readonly status: number;
  readonly headers: Record<string, string>;
  // Tests read arbitrary JSON: any keeps assertions short.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/** Short enough for tests, in the ratios AWS needs: visibility timeout ≥ 6 × the worker's lease. */
export const TEST_JOB_TIMINGS: JobTimings = { leaseSeconds: 0.3, requeueAfterSeconds: 30, maxAgeSeconds: 600, pollIntervalSeconds: 0, retryBaseSeconds: 0 };
export const TEST_VISIBILITY_TIMEOUT_SECONDS = 2;
export const TEST_MAX_RECEIVE_COUNT = 2;

export interface TestServiceOptions {
  /** Wraps the DynamoDB client (fault injection, call counting). */
  readonly db?: (db: DynamoDBDocumentClient) => DynamoDBDocumentClient;
  /** Wraps the SQS client the service sends with (the pollers use a clean one). */
  readonly sqs?: (sqs: SQSClient) => SQSClient;
  /** The model providers. @default the simulated ones with test latency, on the service's clock */
  readonly models?: ModelProviders | ((clock: SettableClock) => ModelProviders);
  /** Wraps the S3 client the outputs store uses (the IAM check). */
  readonly s3?: (client: S3Client) => S3Client;
  /** The job timings. @default TEST_JOB_TIMINGS */
  readonly jobTimings?: JobTimings;
  readonly localMode?: boolean;
  /** Start the queue pollers (the jobs worker and the DLQ consumer). Default true. */
  readonly pollers?: boolean;
  /** Wraps the payment simulator the service calls (fault injection); `payments` below stays the simulator itself. */
  readonly payments?: (simulator: PaymentSimulator) => PaymentGateway;
  /** The HTTP functions' timeout the gateway enforces. @default the deployed one (TIME_BUDGETS) */
  readonly functionTimeoutMs?: number;
  /** The webhook's secrets, when a test rolls them. @default the fixed test secret */
  readonly webhookSecrets?: WebhookSecrets;
  /** Runs every invocation (a route's handler, a queue worker's batch) as the named function would (the IAM check attributes calls). */
  readonly attribute?: <T>(functionName: string, work: () => Promise<T>) => Promise<T>;
  /** Check every answer of `call` against docs/openapi.json (test/support/contract.ts); a mismatch throws. @default true */
  readonly contract?: boolean;
}

export interface TestService {
  readonly service: Service;
  readonly clock: SettableClock;
  readonly table: TestTable;
  readonly queues: { readonly queueUrl: string; readonly dlqUrl: string };
  readonly sqs: SQSClient;
  /** The local S3 (s3rver) the outputs are stored in. */
  readonly s3: LocalS3;
  /** Resolves once every simulated payment event is delivered, both queues are empty and no worker is busy. */
  settle(): Promise<void>;
  /** The local payment simulator standing in for Stripe. */
  readonly payments: PaymentSimulator;
  /** POSTs a raw webhook body with its Stripe-Signature through the gateway; resolves with the status. */
  postWebhook(rawBody: string, signature: string): Promise<number>;
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  token(sub: string, claims?: { account_id?: string; account_role?: 'owner' | 'member'; groups?: string[]; expiresInSeconds?: number }): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const table = await createTestTable();
  const sqsEndpoint = process.env.SQS_ENDPOINT;
  if (!sqsEndpoint) throw new Error('SQS_ENDPOINT is not set: run the tests through jest (its globalSetup starts the SQS emulator).');
  const sqs = makeSqsClient(sqsEndpoint);
  const queues = await createJobQueues(sqs, { name: `jobs-${randomUUID()}`, visibilityTimeoutSeconds: TEST_VISIBILITY_TIMEOUT_SECONDS, maxReceiveCount: TEST_MAX_RECEIVE_COUNT });
  const clock = new SettableClock();
  const payments = new PaymentSimulator(TEST_WEBHOOK_SECRET, () => clock.now(), 10);
  const s3 = await startLocalS3(`outputs-${randomUUID().slice(0, 8)}`);
  const models = typeof options.models === 'function' ? options.models(clock) : (options.models ?? new SimulatedModels({ latency: TEST_LATENCY, now: () => clock.now() }));
  const service = buildService({
    db: options.db ? options.db(table.db) : table.db,
    tableName: table.tableName,
    sqs: options.sqs ? options.sqs(sqs) : sqs,
    jobsQueueUrl: queues.queueUrl,
    clock,
    ids: ulidIds(clock),
    randomBytes: cryptoRandomBytes,
    jobTimings: options.jobTimings ?? TEST_JOB_TIMINGS,
    models,
    outputs: new S3OutputStore({ client: options.s3 ? options.s3(s3.client) : s3.client, bucket: s3.bucket }),
    payments: options.payments ? options.payments(payments) : payments,
    providerWebhookSecret: TEST_WEBHOOK_SECRET,
    ...(options.webhookSecrets ? { webhookSecrets: options.webhookSecrets } : {}),
    localMode: options.localMode ?? true,
  });
  const attribute = options.attribute;
  const asFunction = <H extends (...args: never[]) => Promise<unknown>>(functionName: string, handler: H): H =>
    (attribute ? (...args: Parameters<H>) => attribute(functionName, () => handler(...args)) : handler) as H;
  const pollers =
    options.pollers === false
      ? []
      : [
          startSqsPoller({ sqs, queueUrl: queues.queueUrl, handler: asFunction(WORKER_FUNCTION.name, service.queueHandlers.jobs) }),
          startSqsPoller({ sqs, queueUrl: queues.dlqUrl, handler: asFunction(DEAD_LETTER_FUNCTION.name, service.queueHandlers.jobsDeadLetter) }),
        ];
  const allRoutes = [...service.routes, localCardRoute(service, payments)];
  const routes = attribute ? allRoutes.map((route) => ({ ...route, handler: asFunction(route.functionName, route.handler) })) : allRoutes;
  const gateway = createLocalGateway({ routes, jwtSecret: TEST_JWT_SECRET, now: () => clock.now(), ...(options.functionTimeoutMs !== undefined ? { functionTimeoutMs: options.functionTimeoutMs } : {}) });
  // The simulator's webhook deliveries are answers too: checked against the contract, reported at settle().
  const webhookViolations: string[] = [];
  const postWebhook = async (rawBody: string, signature: string) => {
    const response = await gateway({ method: 'POST', path: '/v1/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: rawBody });
    const problem = options.contract === false ? null : contractViolation('POST', '/v1/webhooks/stripe', response.statusCode, response.body ? JSON.parse(response.body) : undefined);
    if (problem) webhookViolations.push(problem);
    return response.statusCode;
  };
  payments.connect(postWebhook);
  const settleQueues = () => waitForQueuesToSettle({ sqs, queueUrls: [queues.queueUrl, queues.dlqUrl], pollers, timeoutMs: 30_000 });
  return {
    payments,
    postWebhook,
    service,
    clock,
    table,
    queues,
    sqs,
    s3,
    async settle() {
      await payments.settle();
      await settleQueues();
      if (webhookViolations.length > 0) throw new Error(`contract violation by webhook answers: ${webhookViolations.splice(0).join('; ')}`);
    },
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      const response = await gateway({ method, path, headers, body });
      const answer = { status: response.statusCode, headers: response.headers, body: response.body ? JSON.parse(response.body) : undefined };
      if (options.contract !== false) assertContract(method, path, answer.status, answer.body);
      return answer;
    },
    token: (sub, claims = {}) => signDevToken(TEST_JWT_SECRET, { sub, ...claims, now: clock.now() }),
    async stop() {
      await Promise.all(pollers.map((p) => p.stop()));
      sqs.destroy();
      await s3.stop();
      await dropTestTable(table);
    },
  };
}
