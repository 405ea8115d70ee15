/**
 * The composition root: wires adapters into use cases and use cases into handlers. Lambda entry
 * files, the local stack and the tests all build the service here, so all three run the same code.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbCreditStore } from '../adapters/dynamodb/credit-store';
import type { Clock, IdSource, RandomBytes } from '../domain/ports';
import { HTTP_ROUTES } from '../handlers/http/routes';
import type { ScheduledJob } from '../handlers/schedule/jobs';
import { scheduledJobs } from '../handlers/schedule/jobs';
import type { UseCaseDeps } from '../use-cases/context';
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

export type { ScheduledJob };

export interface Service {
  readonly deps: UseCaseDeps;
  readonly routes: readonly HttpRoute[];
  readonly jobs: Readonly<Record<string, ScheduledJob>>;
  /** Resolves once all queued background work is done (trivial until the jobs pipeline lands). */
  settle(): Promise<void>;
}

export function buildService(deps: ServiceDeps): Service {
  const useCaseDeps: UseCaseDeps = { store: new DynamoDbCreditStore(deps.db, deps.tableName), clock: deps.clock, ids: deps.ids, randomBytes: deps.randomBytes };
  const routes = HTTP_ROUTES.map((r) => ({ method: r.method, path: r.path, auth: r.auth, functionName: r.functionName, handler: r.create(useCaseDeps) }));
  return { deps: useCaseDeps, routes, jobs: scheduledJobs(useCaseDeps), settle: async () => {} };
}
