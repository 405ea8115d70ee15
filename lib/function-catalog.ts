/**
 * Every Lambda function of the service and what it may touch. HTTP functions come from the route
 * table the local gateway also serves (lambdas/handlers/http/routes.ts); this file adds what the
 * route table cannot know: each function's access, read from its use cases. A route without an
 * entry here, or an entry without a route, stops synth.
 */
import * as path from 'node:path';
import { HTTP_ROUTES } from '../lambdas/handlers/http/routes';
import type { RouteSpec } from '../lambdas/handlers/http/routes';
import type { DUE_INDEXES } from '../lambdas/adapters/dynamodb/table-schema';

export type DueIndexName = keyof typeof DUE_INDEXES;

const LAMBDAS_DIR = path.join(__dirname, '..', 'lambdas');

export type TableAccess = 'none' | 'read' | 'read-write';

export interface FunctionAccess {
  /** Items of the table: `read` is GetItem/BatchGetItem/Query; `read-write` adds PutItem/UpdateItem/ConditionCheckItem (what TransactWriteItems needs). Nothing may delete. */
  readonly table: TableAccess;
  /** The sparse due-time indexes it queries (scheduled jobs), by name. @default none */
  readonly dueIndexes?: readonly DueIndexName[];
  /** Queries the `recent` index (an account's latest top-ups and invoices, for billing). @default false */
  readonly recentIndex?: boolean;
  /** Scans the table (the reconcile job's full pass). @default false */
  readonly scan?: boolean;
  /** Sends to the jobs queue: generation jobs or auto-refill requests. @default false */
  readonly enqueuesJobs?: boolean;
  /** Talks to Stripe (API key) or verifies its webhooks (signing secret): reads the Stripe secret. @default false */
  readonly stripe?: boolean;
}

/**
 * Access of each HTTP function, by the use cases its handler calls. GETs that call
 * `getOrOpenAccount` write: the first request of a user opens the account.
 */
export const HTTP_FUNCTION_ACCESS: Readonly<Record<string, FunctionAccess>> = {
  'get-pricing': { table: 'none' },
  'create-quote': { table: 'read-write' },
  'get-balance': { table: 'read-write' },
  // Opens the account on a first request, like the balance: its ledger starts with the opening grant.
  'list-ledger': { table: 'read-write' },
  'create-generation': { table: 'read-write', enqueuesJobs: true },
  'list-generations': { table: 'read' },
  'get-generation': { table: 'read' },
  'redeem-coupon': { table: 'read-write' },
  'create-coupons': { table: 'read-write' },
  'create-topup': { table: 'read-write', stripe: true },
  'stripe-webhook': { table: 'read-write', stripe: true },
  'get-auto-refill': { table: 'read-write', stripe: true },
  'put-auto-refill': { table: 'read-write', stripe: true },
  'post-subscription': { table: 'read-write', stripe: true },
  'delete-subscription': { table: 'read-write', stripe: true },
  'put-payg': { table: 'read-write', stripe: true },
  'get-billing': { table: 'read-write', recentIndex: true },
};

export interface FunctionSpec {
  /** Kebab-case, unique: names the construct, its log group and its alarms. */
  readonly name: string;
  /** Absolute path of the entry file. */
  readonly entry: string;
  /** The exported handler. */
  readonly exportName: string;
  readonly access: FunctionAccess;
}

export interface HttpFunctionSpec extends FunctionSpec {
  readonly route: RouteSpec;
}

/** `get-balance.ts` or `auto-refill.ts#getHandler`, relative to lambdas/handlers/http/. */
export function parseRouteEntry(entry: string): { file: string; exportName: string } {
  const [file, exportName = 'handler', ...rest] = entry.split('#');
  if (!file || rest.length > 0 || !/^[A-Za-z_$][\w$]*$/.test(exportName)) throw new Error(`Malformed route entry "${entry}"`);
  return { file, exportName };
}

export function httpFunctionSpecs(routes: readonly RouteSpec[] = HTTP_ROUTES, accessByName: Readonly<Record<string, FunctionAccess>> = HTTP_FUNCTION_ACCESS): HttpFunctionSpec[] {
  const names = new Set(routes.map((r) => r.functionName));
  if (names.size !== routes.length) throw new Error('Two HTTP routes share a functionName');
  const stale = Object.keys(accessByName).filter((n) => !names.has(n));
  if (stale.length > 0) throw new Error(`HTTP_FUNCTION_ACCESS lists functions no route uses: ${stale.join(', ')}`);
  return routes.map((route) => {
    const access = accessByName[route.functionName];
    if (!access) throw new Error(`Route ${route.method} ${route.path} (${route.functionName}) has no entry in HTTP_FUNCTION_ACCESS: say what it may access`);
    const { file, exportName } = parseRouteEntry(route.entry);
    return { name: route.functionName, entry: path.join(LAMBDAS_DIR, 'handlers', 'http', file), exportName, access, route };
  });
}

/** The jobs queue's worker: claims and finishes jobs, starts auto-refills (Stripe, off-session). */
export const WORKER_FUNCTION: FunctionSpec = {
  name: 'run-generations',
  entry: path.join(LAMBDAS_DIR, 'handlers', 'queue', 'run-generations.ts'),
  exportName: 'handler',
  access: { table: 'read-write', stripe: true },
};

/** The jobs DLQ's consumer: fails and refunds jobs whose deliveries ran out. */
export const DEAD_LETTER_FUNCTION: FunctionSpec = {
  name: 'fail-dead-letters',
  entry: path.join(LAMBDAS_DIR, 'handlers', 'queue', 'fail-dead-letters.ts'),
  exportName: 'handler',
  access: { table: 'read-write' },
};

/**
 * The ledger's scheduled jobs (`{ "job": name }`): read the due indexes, scan for reconcile,
 * re-enqueue stuck jobs. No Stripe.
 */
export const SCHEDULED_FUNCTION: FunctionSpec = {
  name: 'run-job',
  entry: path.join(LAMBDAS_DIR, 'handlers', 'schedule', 'run-job.ts'),
  exportName: 'handler',
  access: { table: 'read-write', dueIndexes: ['grantDue', 'expiryDue', 'jobDue'], scan: true, enqueuesJobs: true },
};

/** The scheduled jobs that charge through Stripe: auto-refill sweep, PAYG invoicing. No queue, no scan. */
export const BILLING_JOB_FUNCTION: FunctionSpec = {
  name: 'run-billing-job',
  entry: path.join(LAMBDAS_DIR, 'handlers', 'schedule', 'run-billing-job.ts'),
  exportName: 'handler',
  access: { table: 'read-write', dueIndexes: ['refillDue', 'paygDue'], stripe: true },
};

/** Every function of the service. */
export function allFunctionSpecs(): FunctionSpec[] {
  return [...httpFunctionSpecs(), WORKER_FUNCTION, DEAD_LETTER_FUNCTION, SCHEDULED_FUNCTION, BILLING_JOB_FUNCTION];
}
