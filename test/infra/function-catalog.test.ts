import * as fs from 'node:fs';
import { HTTP_ROUTES } from '../../lambdas/handlers/http/routes';
import type { RouteSpec } from '../../lambdas/handlers/http/routes';
import { billingJobs, ledgerJobs } from '../../lambdas/handlers/schedule/jobs';
import type { UseCaseDeps } from '../../lambdas/use-cases/context';
import { lambdaEntry } from '../../lambdas/composition/production-deps';
import type { FunctionSpec } from '../../lib/function-catalog';
import { WORKER_FUNCTION, allFunctionSpecs, httpFunctionSpecs, parseRouteEntry } from '../../lib/function-catalog';
import { BILLING_JOBS, LEDGER_JOBS } from '../../lib/scheduled-jobs';

describe('function catalog', () => {
  it("gives every route of the route table a function whose access is its entry's own declaration", async () => {
    const specs = httpFunctionSpecs();

    expect(specs.map((s) => s.name)).toEqual(HTTP_ROUTES.map((r) => r.functionName));
    for (const spec of specs) {
      const entry = (await import(spec.entry)) as Record<string, { access?: unknown }>;
      expect(spec.access).toBe(entry[spec.exportName]!.access);
    }
  });

  it('points every function at an entry file that exports its handler', () => {
    const all = allFunctionSpecs();

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

  it('stops synth on two routes sharing a function', () => {
    const twin: RouteSpec = { ...HTTP_ROUTES[0]!, path: '/v1/new' };

    expect(() => httpFunctionSpecs([...HTTP_ROUTES, twin])).toThrow(/share a functionName/);
  });

  it('refuses a declaration whose ports and access disagree, at import (so synth and every test fail)', () => {
    const create = () => async () => 'ok';
    const stripe = async () => ({ payments: {} as never, webhookSecrets: {} as never });
    expect(() => lambdaEntry(create, { access: { table: 'read-write' }, payments: stripe })).toThrow(/payments wired without stripe access/);
    expect(() => lambdaEntry(create, { access: { table: 'read-write', stripe: true } })).toThrow(/payments wired but not stripe access/);
    expect(() => lambdaEntry(create, { access: { table: 'read-write', enqueuesJobs: true } })).toThrow(/jobQueue wired but not enqueuesJobs/);
    expect(() => lambdaEntry(create, { access: { table: 'none', scan: true } })).toThrow(/without table access/);
    expect(() => lambdaEntry(create, { access: { table: 'read', outputs: 'read' } })).toThrow(/outputs wired but not outputs access/);
    expect(() => lambdaEntry(create, { access: { table: 'read-write', modelProviders: true } })).toThrow(/models wired but not modelProviders access/);
  });

  it('sends only the jobs queue enqueuers SQS messages and only the Stripe users the secret', () => {
    const specs = allFunctionSpecs();

    // The worker enqueues too: a running video's next poll is a delayed message.
    expect(specs.filter((s) => s.access.enqueuesJobs).map((s) => s.name)).toEqual(['create-generation', 'run-generations', 'run-job']);
    expect(specs.filter((s) => s.access.stripe).map((s) => s.name)).toEqual([
      'create-topup',
      'stripe-webhook',
      'get-auto-refill',
      'put-auto-refill',
      'post-subscription',
      'delete-subscription',
      'put-payg',
      'run-generations',
      'run-billing-job',
    ]);
    // Read-only roles only where no path writes (test/integration/iam-policy checks the real calls).
    expect(specs.filter((s) => s.access.table === 'read').map((s) => s.name)).toEqual(['list-generations', 'get-generation', 'get-usage']);
  });

  it('lets only the worker write outputs, the generation routes sign URLs for them, and only generation code call the providers', () => {
    const specs = allFunctionSpecs();
    const generationRoute = (s: FunctionSpec) => HTTP_ROUTES.some((r) => r.functionName === s.name && r.path.startsWith('/v1/generations'));

    expect(specs.filter((s) => s.access.outputs === 'write').map((s) => s.name)).toEqual([WORKER_FUNCTION.name]);
    expect(specs.filter((s) => s.access.outputs === 'read').map((s) => s.name)).toEqual(expect.arrayContaining(['list-generations', 'get-generation']));
    for (const s of specs.filter((spec) => spec.access.outputs === 'read')) expect([s.name, generationRoute(s)]).toEqual([s.name, true]);
    const callers = specs.filter((s) => s.access.modelProviders);
    expect(callers.map((s) => s.name)).toContain(WORKER_FUNCTION.name);
    for (const s of callers) expect([s.name, s === WORKER_FUNCTION || (generationRoute(s) && s.access.table === 'read-write')]).toEqual([s.name, true]);
  });

  it('schedules exactly the jobs each runner knows', () => {
    expect(LEDGER_JOBS.map((j) => j.name).sort()).toEqual(Object.keys(ledgerJobs({} as UseCaseDeps)).sort());
    expect(BILLING_JOBS.map((j) => j.name).sort()).toEqual(Object.keys(billingJobs({} as UseCaseDeps)).sort());
  });

  // The grants say what a function may touch; the entry file's wiring says what it builds. They must agree:
  // a Stripe function without the secret's grant fails at its first cold start, and a grant without use is a hole.
  it.each(allFunctionSpecs().map((s) => [s.name, s] as const))('wires %s with exactly the ports its access grants', async (_name, spec: FunctionSpec) => {
    const entry = (await import(spec.entry)) as Record<string, { wiredPorts?: { jobQueue: boolean; payments: boolean; models: boolean; outputs: boolean } }>;
    const wired = entry[spec.exportName]?.wiredPorts;

    expect(wired).toBeDefined();
    expect(wired!.payments).toBe(spec.access.stripe === true);
    expect(wired!.jobQueue).toBe(spec.access.enqueuesJobs === true);
    expect(wired!.models).toBe(spec.access.modelProviders === true);
    expect(wired!.outputs).toBe(spec.access.outputs !== undefined);
  });
});
