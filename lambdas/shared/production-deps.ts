/**
 * Dependencies as a deployed Lambda builds them: once per cold start, from the validated config.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '../adapters/clock';
import { DynamoDbCreditStore } from '../adapters/dynamodb/credit-store';
import { cryptoRandomBytes, ulidIds } from '../adapters/ids';
import type { UseCaseDeps } from '../use-cases/context';
import { readConfig } from './config';

let cached: UseCaseDeps | undefined;

export function productionDeps(): UseCaseDeps {
  if (cached) return cached;
  const config = readConfig();
  const raw = new DynamoDBClient({ region: config.AWS_REGION, ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}) });
  const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  cached = { store: new DynamoDbCreditStore(db, config.TABLE_NAME), clock: systemClock, ids: ulidIds(systemClock), randomBytes: cryptoRandomBytes };
  return cached;
}

/** A Lambda entry point that builds its handler on first use, so importing the module reads no config. */
export function lambdaEntry<H extends (...args: never[]) => unknown>(create: (deps: UseCaseDeps) => H): H {
  let built: H | undefined;
  return ((...args: Parameters<H>) => (built ??= create(productionDeps()))(...args)) as H;
}
