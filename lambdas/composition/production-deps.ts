/**
 * Dependencies as a deployed Lambda builds them: once per cold start, from the validated config.
 * Every function gets the store, the clock and the id sources. Anything else its use cases need is
 * named by its entry file (`LambdaWiring`) and imported only there, so a function that never talks
 * to Stripe bundles no Stripe SDK and one that never enqueues bundles no SQS client. A port a
 * function was not wired with throws on first use, naming itself.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '../adapters/clock';
import { DynamoDbCreditStore } from '../adapters/dynamodb/credit-store';
import { cryptoRandomBytes, ulidIds } from '../adapters/ids';
import { EmfMetrics } from '../adapters/metrics/emf-metrics';
import type { PaymentGateway } from '../domain/payment-gateway';
import type { JobQueue, WebhookSecrets } from '../domain/ports';
import type { ModelProviders } from '../domain/model-clients';
import type { OutputStore } from '../domain/output-store';
import type { UseCaseDeps } from '../use-cases/context';
import type { Config } from '../shared/config';
import type { FunctionAccess } from '../shared/function-access';
import { jobTimingsOf, readConfig } from '../shared/config';
import { traced } from '../shared/tracing';

export interface PaymentsWiring {
  readonly payments: PaymentGateway;
  /** Verify provider webhooks (Stripe's endpoint secrets). */
  readonly webhookSecrets: WebhookSecrets;
}

/** The adapters an entry file adds to the store; each is built once, at the first invocation. */
export interface LambdaWiring {
  readonly jobQueue?: (config: Config) => JobQueue;
  readonly payments?: (config: Config) => Promise<PaymentsWiring>;
  /** The model providers (their keys are read at the first routed job, not at cold start). */
  readonly models?: (config: Config) => ModelProviders;
  /** The outputs bucket: copies outputs in (worker), signs GET URLs (routes that show generations). */
  readonly outputs?: (config: Config) => OutputStore;
}

/** Which ports an entry was wired with: the infrastructure tests compare it with the function's grants. */
export interface WiredPorts {
  readonly jobQueue: boolean;
  readonly payments: boolean;
  readonly models: boolean;
  readonly outputs: boolean;
}

/** A port this function was not wired with: any use of it is a wiring bug, so it fails loudly. */
function notWired<T extends object>(port: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      throw new Error(`${port} is not wired into this function (LambdaWiring of its entry file); tried to use ${String(property)}`);
    },
  });
}

export async function productionDeps(wiring: LambdaWiring, env: Record<string, string | undefined> = process.env): Promise<UseCaseDeps> {
  const config = readConfig(env);
  const raw = traced(new DynamoDBClient({ region: config.AWS_REGION, ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}) }));
  const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const payments = wiring.payments ? await wiring.payments(config) : { payments: notWired<PaymentGateway>('payments'), webhookSecrets: notWired<WebhookSecrets>('webhookSecrets') };
  return {
    store: new DynamoDbCreditStore(db, config.TABLE_NAME),
    clock: systemClock,
    ids: ulidIds(systemClock),
    randomBytes: cryptoRandomBytes,
    jobQueue: wiring.jobQueue ? wiring.jobQueue(config) : notWired<JobQueue>('jobQueue'),
    models: wiring.models ? wiring.models(config) : notWired<ModelProviders>('models'),
    outputs: wiring.outputs ? wiring.outputs(config) : notWired<OutputStore>('outputs'),
    jobTimings: jobTimingsOf(config),
    ...payments,
    metrics: new EmfMetrics(),
    localMode: config.LOCAL_MODE,
  };
}

/** `build` run at the first call, its promise shared by every call after; a failed build is not kept, so the next call builds again. */
export function onceUntilFailure<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () =>
    (built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    }));
}

export type LambdaHandler<H extends (...args: never[]) => unknown> = ((...args: Parameters<H>) => Promise<Awaited<ReturnType<H>>>) & { readonly wiredPorts: WiredPorts; readonly access: FunctionAccess };

/** A function's one declaration: what it may touch, and the adapters that go with it. */
export interface LambdaDeclaration extends LambdaWiring {
  readonly access: FunctionAccess;
}

/** The ports an access needs and the ports wired must be the same: a Stripe function without its secret's grant fails its first cold start, a grant without use is a hole. */
function checkDeclaration({ access, ...wiring }: LambdaDeclaration): void {
  const problems = [
    Boolean(wiring.payments) !== Boolean(access.stripe) ? `payments wired ${wiring.payments ? 'without' : 'but not'} stripe access` : null,
    Boolean(wiring.jobQueue) !== Boolean(access.enqueuesJobs) ? `jobQueue wired ${wiring.jobQueue ? 'without' : 'but not'} enqueuesJobs access` : null,
    Boolean(wiring.models) !== Boolean(access.modelProviders) ? `models wired ${wiring.models ? 'without' : 'but not'} modelProviders access` : null,
    Boolean(wiring.outputs) !== Boolean(access.outputs) ? `outputs wired ${wiring.outputs ? 'without' : 'but not'} outputs access` : null,
    access.table === 'none' && (access.scan || access.recentIndex || (access.dueIndexes?.length ?? 0) > 0) ? 'index or scan access without table access' : null,
  ].filter((p): p is string => p !== null);
  if (problems.length > 0) throw new Error(`Inconsistent Lambda declaration: ${problems.join('; ')}`);
}

/**
 * A Lambda entry point that builds its dependencies and handler at the first invocation (importing
 * the module reads no config). Concurrent first calls share one build; a failed build (say Secrets
 * Manager answered 500) is not kept, so the next invocation tries again.
 */
export function lambdaEntry<H extends (...args: never[]) => unknown>(create: (deps: UseCaseDeps) => H, declaration: LambdaDeclaration): LambdaHandler<H> {
  checkDeclaration(declaration);
  const { access, ...wiring } = declaration;
  const build = onceUntilFailure(async () => create(await productionDeps(wiring)));
  const handler = async (...args: Parameters<H>): Promise<Awaited<ReturnType<H>>> => (await (await build())(...args)) as Awaited<ReturnType<H>>;
  return Object.assign(handler, { access, wiredPorts: { jobQueue: Boolean(wiring.jobQueue), payments: Boolean(wiring.payments), models: Boolean(wiring.models), outputs: Boolean(wiring.outputs) } });
}
