import * as fs from 'node:fs';
import { HTTP_ROUTES } from '../../lambdas/handlers/http/routes';
import type { RouteSpec } from '../../lambdas/handlers/http/routes';
import { scheduledJobs } from '../../lambdas/handlers/schedule/jobs';
import type { UseCaseDeps } from '../../lambdas/use-cases/context';
import { DEAD_LETTER_FUNCTION, HTTP_FUNCTION_ACCESS, SCHEDULED_FUNCTION, WORKER_FUNCTION, httpFunctionSpecs, parseRouteEntry } from '../../lib/function-catalog';
import { SCHEDULED_JOBS } from '../../lib/scheduled-jobs';

describe('function catalog', () => {
  it('gives every route of the route table a function with a declared access', () => {
    const specs = httpFunctionSpecs();

    expect(specs.map((s) => s.name)).toEqual(HTTP_ROUTES.map((r) => r.functionName));
    expect(Object.keys(HTTP_FUNCTION_ACCESS).sort()).toEqual(HTTP_ROUTES.map((r) => r.functionName).sort());
  });

  it('points every function at an entry file that exports its handler', () => {
    const all = [...httpFunctionSpecs(), WORKER_FUNCTION, DEAD_LETTER_FUNCTION, SCHEDULED_FUNCTION];

    for (const spec of all) {
      expect(fs.existsSync(spec.entry)).toBe(true);
      expect(fs.readFileSync(spec.entry, 'utf8')).toMatch(new RegExp(`export (const|async function|function) ${spec.exportName}\\b`));
    }
  });

  it('reads `file.ts#export` entries', () => {
    expect(parseRouteEntry('auto-refill.ts#getHandler')).toEqual({ file: 'auto-refill.ts', exportName: 'getHandler' });
    expect(parseRouteEntry('get-balance.ts')).toEqual({ file: 'get-balance.ts', exportName: 'handler' });
    expect(() => parseRouteEntry('a.ts#b#c')).toThrow(/Malformed/);
  });

  it('stops synth on a route without an access entry, and on a stale entry', () => {
    const extra: RouteSpec = { ...HTTP_ROUTES[0]!, path: '/v1/new', functionName: 'new-thing' };

    expect(() => httpFunctionSpecs([...HTTP_ROUTES, extra])).toThrow(/new-thing.*has no entry in HTTP_FUNCTION_ACCESS/);
    expect(() => httpFunctionSpecs(HTTP_ROUTES.slice(1))).toThrow(/no route uses: get-pricing/);
  });

  it('sends only the jobs queue enqueuers SQS messages and only the Stripe users the secret', () => {
    const specs = [...httpFunctionSpecs(), WORKER_FUNCTION, DEAD_LETTER_FUNCTION, SCHEDULED_FUNCTION];

    expect(specs.filter((s) => s.access.enqueuesJobs).map((s) => s.name)).toEqual(['create-generation', 'run-job']);
    expect(specs.filter((s) => s.access.stripe).map((s) => s.name)).toEqual([
      'create-topup',
      'stripe-webhook',
      'get-auto-refill',
      'put-auto-refill',
      'post-subscription',
      'delete-subscription',
      'put-payg',
      'run-generations',
      'run-job',
    ]);
    expect(specs.filter((s) => s.access.table === 'read').map((s) => s.name)).toEqual(['list-ledger', 'list-generations', 'get-generation']);
  });

  it('schedules exactly the jobs run-job knows', () => {
    const known = Object.keys(scheduledJobs({} as UseCaseDeps)).sort();

    expect(SCHEDULED_JOBS.map((j) => j.name).sort()).toEqual(known);
  });
});
