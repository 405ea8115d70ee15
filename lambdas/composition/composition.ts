/**
 * The composition root: wires adapters into use cases and use cases into handlers. Lambda entry
 * files, the local stack and the tests all build the service here, so all three run the same code.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoDbCreditStore } from '../adapters/dynamodb/credit-store';
import { SimulatedModels } from '../adapters/simulated/simulated-models';
import { SqsJobQueue } from '../adapters/sqs/sqs-job-queue';
import type { JobTimings } from '../domain/job-lifecycle';
import type { PaymentGateway } from '../domain/payment-gateway';
import type { Clock, IdSource, RandomBytes, ServiceMetrics, WebhookSecrets } from '../domain/ports';
import type { ModelProviders } from '../domain/model-clients';
import type { OutputStore } from '../domain/output-store';
import { CountingMetrics } from '../adapters/metrics/counting-metrics';
import { HTTP_ROUTES } from '../handlers/http/routes';
import { createFailDeadLettersHandler } from '../handlers/queue/fail-dead-letters';
import { createRunGenerationsHandler } from '../handlers/queue/run-generations';
import type { ScheduledJob } from '../handlers/schedule/jobs';
import { scheduledJobs } from '../handlers/schedule/jobs';
import type { UseCaseDeps } from '../use-cases/context';
import type { HttpRoute } from '../shared/http-route';

export interface ServiceDeps {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly sqs: SQSClient;
  readonly jobsQueueUrl: string;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly randomBytes: RandomBytes;
  readonly jobTimings: JobTimings;
  /** Defaults to the simulated models with realistic latency, on the service's clock. */
  readonly models?: ModelProviders;
  /** Where outputs are stored and served from (s3rver locally). */
  readonly outputs: OutputStore;
  readonly payments: PaymentGateway;
  readonly providerWebhookSecret: string;
  /** @default providerWebhookSecret alone, never re-read */
  readonly webhookSecrets?: WebhookSecrets;
  /** @default in-memory counts */
  readonly metrics?: ServiceMetrics;
  /** Local stack and tests only: enables local-only behaviour. */
  readonly localMode: boolean;
}

export type { ScheduledJob };

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface Service {
  readonly deps: UseCaseDeps;
  readonly routes: readonly HttpRoute[];
  readonly jobs: Readonly<Record<string, ScheduledJob>>;
  /** The worker on the jobs queue and the consumer of its DLQ (SQS event sources in AWS, pollers locally). */
  readonly queueHandlers: { readonly jobs: SqsHandler; readonly jobsDeadLetter: SqsHandler };
}

export function buildService(deps: ServiceDeps): Service {
  const useCaseDeps: UseCaseDeps = {
    store: new DynamoDbCreditStore(deps.db, deps.tableName),
    clock: deps.clock,
    ids: deps.ids,
    randomBytes: deps.randomBytes,
    jobQueue: new SqsJobQueue(deps.sqs, deps.jobsQueueUrl),
    models: deps.models ?? new SimulatedModels({ now: () => deps.clock.now() }),
    outputs: deps.outputs,
    jobTimings: deps.jobTimings,
    payments: deps.payments,
    // The local stack has one fixed secret: nothing to re-read.
    webhookSecrets: deps.webhookSecrets ?? { current: () => Promise.resolve([deps.providerWebhookSecret]), refreshed: () => Promise.resolve(null) },
    metrics: deps.metrics ?? new CountingMetrics(),
    localMode: deps.localMode,
  };
  const routes = HTTP_ROUTES.map((r) => ({ method: r.method, path: r.path, auth: r.auth, functionName: r.functionName, handler: r.create(useCaseDeps) }));
  return {
    deps: useCaseDeps,
    routes,
    jobs: scheduledJobs(useCaseDeps),
    queueHandlers: { jobs: createRunGenerationsHandler(useCaseDeps), jobsDeadLetter: createFailDeadLettersHandler(useCaseDeps) },
  };
}
