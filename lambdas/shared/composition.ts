/**
 * The composition root: wires adapters into use cases and use cases into handlers. Lambda entry
 * files, the local stack and the tests all build the service here, so all three run the same code.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock, IdSource, RandomBytes } from '../domain/ports';
import type { HttpRoute } from './http-route';

export interface ServiceDeps {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly randomBytes: RandomBytes;
  /** Local stack and tests only: enables local-only behaviour. */
  readonly localMode: boolean;
}

/** A scheduled job (EventBridge in AWS, `POST /_local/jobs/{name}` locally). */
export type ScheduledJob = () => Promise<unknown>;

export interface Service {
  readonly routes: readonly HttpRoute[];
  readonly jobs: Readonly<Record<string, ScheduledJob>>;
  /** Resolves once all queued background work is done (trivial until the jobs pipeline lands). */
  settle(): Promise<void>;
}

export function buildService(_deps: ServiceDeps): Service {
  return { routes: [], jobs: {}, settle: async () => {} };
}
