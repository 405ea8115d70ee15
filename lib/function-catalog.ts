/**
 * Every Lambda function of the service and what it may touch. HTTP functions come from the route
 * table the local gateway also serves (lambdas/handlers/http/routes.ts); every function's access is
 * the one declaration in its entry file (`lambdaEntry(create, { access, ...ports })`), which also
 * checks the ports it wires agree with it. The CDK app grants exactly that access.
 */
import * as path from 'node:path';
import { handler as preTokenGeneration } from '../lambdas/handlers/cognito/pre-token-generation';
import { HTTP_ROUTES } from '../lambdas/handlers/http/routes';
import type { RouteSpec } from '../lambdas/handlers/http/routes';
import { handler as failDeadLetters } from '../lambdas/handlers/queue/fail-dead-letters';
import { handler as runGenerations } from '../lambdas/handlers/queue/run-generations';
import { handler as runBillingJob } from '../lambdas/handlers/schedule/run-billing-job';
import { handler as runJob } from '../lambdas/handlers/schedule/run-job';
import type { DueIndexName, FunctionAccess, TableAccess } from '../lambdas/shared/function-access';

export type { DueIndexName, FunctionAccess, TableAccess };

const LAMBDAS_DIR = path.join(__dirname, '..', 'lambdas');

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

export function httpFunctionSpecs(routes: readonly RouteSpec[] = HTTP_ROUTES): HttpFunctionSpec[] {
  const names = new Set(routes.map((r) => r.functionName));
  if (names.size !== routes.length) throw new Error('Two HTTP routes share a functionName');
  return routes.map((route) => {
    const { file, exportName } = parseRouteEntry(route.entry);
    return { name: route.functionName, entry: path.join(LAMBDAS_DIR, 'handlers', 'http', file), exportName, access: route.deployed.access, route };
  });
}

/** The jobs queue's worker: claims and finishes jobs, starts auto-refills (Stripe, off-session). */
export const WORKER_FUNCTION: FunctionSpec = {
  name: 'run-generations',
  entry: path.join(LAMBDAS_DIR, 'handlers', 'queue', 'run-generations.ts'),
  exportName: 'handler',
  access: runGenerations.access,
};

/** The jobs DLQ's consumer: fails and refunds jobs whose deliveries ran out. */
export const DEAD_LETTER_FUNCTION: FunctionSpec = {
  name: 'fail-dead-letters',
  entry: path.join(LAMBDAS_DIR, 'handlers', 'queue', 'fail-dead-letters.ts'),
  exportName: 'handler',
  access: failDeadLetters.access,
};

/**
 * The ledger's scheduled jobs (`{ "job": name }`): read the due indexes, scan for reconcile,
 * re-enqueue stuck jobs. No Stripe.
 */
export const SCHEDULED_FUNCTION: FunctionSpec = {
  name: 'run-job',
  entry: path.join(LAMBDAS_DIR, 'handlers', 'schedule', 'run-job.ts'),
  exportName: 'handler',
  access: runJob.access,
};

/** The scheduled jobs that charge through Stripe: auto-refill sweep, PAYG invoicing. No queue, no scan. */
export const BILLING_JOB_FUNCTION: FunctionSpec = {
  name: 'run-billing-job',
  entry: path.join(LAMBDAS_DIR, 'handlers', 'schedule', 'run-billing-job.ts'),
  exportName: 'handler',
  access: runBillingJob.access,
};

/**
 * The user pool's pre-token-generation trigger (V2_0): puts the team wallet a member is in into
 * `account_id`. It may only GetItem users' team links. It lives in the stateful stack, next to the
 * pool it is attached to and the table it reads (lib/constructs/team-claims-trigger.ts), so it is not
 * one of the service stack's functions below.
 */
export const PRE_TOKEN_FUNCTION: FunctionSpec = {
  name: 'pre-token-generation',
  entry: path.join(LAMBDAS_DIR, 'handlers', 'cognito', 'pre-token-generation.ts'),
  exportName: 'handler',
  access: preTokenGeneration.access,
};

/** Every function of the service stack (the Cognito trigger, PRE_TOKEN_FUNCTION, is the stateful stack's). */
export function allFunctionSpecs(): FunctionSpec[] {
  return [...httpFunctionSpecs(), WORKER_FUNCTION, DEAD_LETTER_FUNCTION, SCHEDULED_FUNCTION, BILLING_JOB_FUNCTION];
}
