/**
 * Dependencies as a deployed Lambda builds them: once per cold start, from the validated config.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '../adapters/clock';
import { DynamoDbCreditStore } from '../adapters/dynamodb/credit-store';
import { cryptoRandomBytes, ulidIds } from '../adapters/ids';
import { SimulatedProvider } from '../adapters/simulated-provider';
import { SqsJobQueue } from '../adapters/sqs/sqs-job-queue';
import type { UseCaseDeps } from '../use-cases/context';
import type { Config } from './config';
import { jobTimingsOf, readConfig } from './config';
import { PaymentSimulator } from '../adapters/payment-simulator';
import { StripePaymentGateway, createStripeClient } from '../adapters/stripe/stripe-payment-gateway';
import type { PaymentGateway } from '../domain/payment-gateway';

let cached: UseCaseDeps | undefined;

export function productionDeps(): UseCaseDeps {
  if (cached) return cached;
  const config = readConfig();
  const raw = new DynamoDBClient({ region: config.AWS_REGION, ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}) });
  const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const sqs = new SQSClient({ region: config.AWS_REGION, ...(config.SQS_ENDPOINT ? { endpoint: config.SQS_ENDPOINT } : {}) });
  const deps: UseCaseDeps = {
    store: new DynamoDbCreditStore(db, config.TABLE_NAME),
    clock: systemClock,
    ids: ulidIds(systemClock),
    randomBytes: cryptoRandomBytes,
    jobQueue: new SqsJobQueue(sqs, config.JOBS_QUEUE_URL),
    // No real model provider is wired yet: the simulated one stands in (params.simulate is refused outside local mode).
    provider: new SimulatedProvider(),
    jobTimings: jobTimingsOf(config),
    payments: paymentGatewayFor(config),
    providerWebhookSecret: config.STRIPE_WEBHOOK_SECRET,
    localMode: config.LOCAL_MODE,
  };
  cached = deps;
  return deps;
}

function paymentGatewayFor(config: Config): PaymentGateway {
  if (config.STRIPE_SECRET_KEY) {
    const priceIds = { BEGINNER: config.STRIPE_PRICE_BEGINNER ?? '', PRO: config.STRIPE_PRICE_PRO ?? '', TEAM: config.STRIPE_PRICE_TEAM ?? '' };
    return new StripePaymentGateway(createStripeClient({ secretKey: config.STRIPE_SECRET_KEY }), { priceIds });
  }
  // Local mode only (readConfig refuses a missing key elsewhere); nothing delivers its webhooks here.
  return new PaymentSimulator(config.STRIPE_WEBHOOK_SECRET, () => systemClock.now());
}

/** A Lambda entry point that builds its handler on first use, so importing the module reads no config. */
export function lambdaEntry<H extends (...args: never[]) => unknown>(create: (deps: UseCaseDeps) => H): H {
  let built: H | undefined;
  return ((...args: Parameters<H>) => (built ??= create(productionDeps()))(...args)) as H;
}
