/**
 * The bench's service: the same composition as `npm start` (DynamoDB Local with its normal JIT,
 * the SQS emulator, the payment simulator) with a DynamoDB client that counts calls and consumed
 * capacity, so every figure comes from one engine in one run.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTable, makeDocumentClient, makeRawClient } from '../bin/local/dynamodb-clients';
import { startDynamoDbLocal } from '../bin/local/dynamodb-local';
import { createLocalGateway, signDevToken } from '../bin/local/gateway';
import { makeSqsClient, startSqsEmulator } from '../bin/local/sqs-emulator';
import { createJobQueues } from '../bin/local/sqs-queues';
import { SettableClock } from '../lambdas/adapters/clock';
import { cryptoRandomBytes, ulidIds } from '../lambdas/adapters/ids';
import { PaymentSimulator } from '../lambdas/adapters/payment-simulator';
import { SimulatedModels, TEST_LATENCY } from '../lambdas/adapters/simulated/simulated-models';
import { S3OutputStore } from '../lambdas/adapters/s3/output-store';
import { startLocalS3 } from '../bin/local/local-s3';
import { buildService } from '../lambdas/composition/composition';

export const BENCH_JWT_SECRET = 'bench-secret-bench-secret-bench-secret';
const WEBHOOK_SECRET = 'whsec_bench';

/** Counts DynamoDB calls by command and sums the capacity DynamoDB reports for each. */
export class CallMeter {
  calls: Record<string, number> = {};
  capacity = 0;
  reset(): void {
    this.calls = {};
    this.capacity = 0;
  }
  wrap(db: DynamoDBDocumentClient): DynamoDBDocumentClient {
    const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }, ...rest: unknown[]) => {
      this.calls[command.constructor.name] = (this.calls[command.constructor.name] ?? 0) + 1;
      if (!('ReturnConsumedCapacity' in command.input)) command.input.ReturnConsumedCapacity = 'TOTAL';
      try {
        const out = (await (db.send as (...a: unknown[]) => Promise<Record<string, unknown>>)(command, ...rest)) ?? {};
        this.capacity += sumCapacity(out.ConsumedCapacity);
        return out;
      } catch (error) {
        this.capacity += sumCapacity((error as Record<string, unknown>).ConsumedCapacity);
        throw error;
      }
    };
    return new Proxy(db, { get: (target, prop, receiver) => (prop === 'send' ? send : Reflect.get(target, prop, receiver)) });
  }
}

function sumCapacity(consumed: unknown): number {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce((sum: number, c: { CapacityUnits?: number }) => sum + (c.CapacityUnits ?? 0), 0);
}

export async function startBenchService() {
  const [engine, sqsEmulator] = await Promise.all([startDynamoDbLocal({ port: 0 }), startSqsEmulator()]);
  const raw = makeRawClient(engine.endpoint, { maxSockets: 600 });
  const tableName = 'bench';
  await createTable(raw, tableName);
  const plainDb = makeDocumentClient(engine.endpoint, raw);
  const meter = new CallMeter();
  const sqs = makeSqsClient(sqsEmulator.endpoint);
  const queues = await createJobQueues(sqs, { name: 'bench-jobs', visibilityTimeoutSeconds: 30, maxReceiveCount: 3 });
  const clock = new SettableClock();
  const payments = new PaymentSimulator(WEBHOOK_SECRET, () => clock.now(), 10);
  const s3 = await startLocalS3('bench-outputs');
  const service = buildService({
    db: meter.wrap(plainDb),
    tableName,
    sqs,
    jobsQueueUrl: queues.queueUrl,
    clock,
    ids: ulidIds(clock),
    randomBytes: cryptoRandomBytes,
    jobTimings: { leaseSeconds: 30, requeueAfterSeconds: 600, maxAgeSeconds: 3600, pollIntervalSeconds: 1 },
    models: new SimulatedModels({ latency: TEST_LATENCY, now: () => clock.now() }),
    outputs: new S3OutputStore({ client: s3.client, bucket: s3.bucket }),
    payments,
    providerWebhookSecret: WEBHOOK_SECRET,
    localMode: true,
  });
  const gateway = createLocalGateway({ routes: service.routes, jwtSecret: BENCH_JWT_SECRET, now: () => clock.now(), logError: () => {} });
  payments.connect(async (body, signature) => (await gateway({ method: 'POST', path: '/v1/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body })).statusCode);
  const token = (sub: string, groups?: string[], accountId?: string) => signDevToken(BENCH_JWT_SECRET, { sub, expiresInSeconds: 3600, now: clock.now(), ...(groups ? { groups } : {}), ...(accountId ? { account_id: accountId } : {}) });
  return {
    engine,
    plainDb,
    tableName,
    meter,
    sqs,
    queues,
    clock,
    payments,
    service,
    gateway,
    token,
    webhookSecret: WEBHOOK_SECRET,
    async stop() {
      sqs.destroy();
      raw.destroy();
      await sqsEmulator.stop();
      await s3.stop();
      await engine.stop();
    },
  };
}

export type BenchService = Awaited<ReturnType<typeof startBenchService>>;
