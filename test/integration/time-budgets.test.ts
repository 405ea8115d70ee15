/**
 * Time budgets (lambdas/shared/time-budget.ts): a hot account whose writes keep conflicting answers
 * 409 write_conflict in our words before its function's timeout, instead of running its retries
 * until Lambda kills it and API Gateway answers a bare 500. The gateway here enforces a short
 * function timeout the way Lambda does.
 */
import { AWS_INTEGRATION_FAILURE } from '../../bin/local/gateway';
import { createRunJobHandler } from '../../lambdas/handlers/schedule/run-job';
import { log } from '../../lambdas/shared/logger';
import { JOB_UNIT_RESERVE_MS } from '../../lambdas/shared/time-budget';
import type { FaultPlan } from '../support/fault-injection';
import { withFaults } from '../support/fault-injection';
import { newIdempotencyKey } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

const SHORT_TIMEOUT_MS = 3_000;

let t: TestService;
let plan: FaultPlan = { next: () => null };
beforeAll(async () => {
  t = await startTestService({ pollers: false, functionTimeoutMs: SHORT_TIMEOUT_MS, db: (db) => withFaults(db, { next: (call) => plan.next(call) }).client });
});
afterAll(async () => {
  plan = { next: () => null };
  await expectMoneyInvariants(t);
  await t.stop();
});

test('every transaction conflicting: 409 write_conflict within the function timeout, nothing charged; the retry with the key then succeeds once', async () => {
  const token = await t.token('hot-account');
  expect((await t.call('GET', '/v1/balance', { token })).body.available).toBe(100);
  let transactions = 0;
  plan = {
    next: () => {
      transactions += 1;
      return 'transaction_conflict';
    },
  };
  const key = newIdempotencyKey();
  const generate = () => t.call('POST', '/v1/generations', { token, body: { model: 'gpt-image-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': key } });

  const started = Date.now();
  const refused = await generate();
  const took = Date.now() - started;
  plan = { next: () => null };

  // Ours, not the gateway's timeout answer: the retries stopped while there was time to say why.
  expect(refused.status).toBe(409);
  expect(refused.body).toMatchObject({ error: { code: 'write_conflict' } });
  expect(refused.body).not.toEqual(JSON.parse(AWS_INTEGRATION_FAILURE.body));
  expect(took).toBeLessThan(SHORT_TIMEOUT_MS);
  // It did retry (more than once) before giving up, and fewer than the 40 attempts a long budget allows.
  expect(transactions).toBeGreaterThan(1);
  expect(transactions).toBeLessThan(40);
  expect((await t.call('GET', '/v1/balance', { token })).body.available).toBe(100);

  const retried = await generate();
  expect(retried.status).toBe(202);
  expect((await t.call('GET', '/v1/balance', { token })).body.available).toBe(95);
});

test('a handler still running at the function timeout gets the answer API Gateway gives, as in AWS', async () => {
  const token = await t.token('slow-reader');
  plan = { next: () => null };
  const route = t.service.routes.find((r) => r.method === 'GET' && r.path === '/v1/balance')!;
  const original = route.handler;
  (route as { handler: typeof original }).handler = async (event, context) => {
    await new Promise((resolve) => setTimeout(resolve, SHORT_TIMEOUT_MS + 500));
    return original(event, context);
  };
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const answer = await t.call('GET', '/v1/balance', { token });
    expect(answer.status).toBe(AWS_INTEGRATION_FAILURE.statusCode);
    expect(answer.body).toEqual({ message: 'Internal Server Error' });
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('GET /v1/balance timed out after 3000 ms'), null);
  } finally {
    logged.mockRestore();
    (route as { handler: typeof original }).handler = original;
  }
});

test('a scheduled job run with too little time left stops before its next account; the rest stays due and the next run does it', async () => {
  plan = { next: () => null };
  t.clock.set(new Date('2027-05-01T00:00:00.000Z'));
  for (const sub of ['due-a', 'due-b']) await t.call('GET', '/v1/balance', { token: await t.token(sub) });
  t.clock.set(new Date('2027-06-02T00:00:00.000Z'));
  const runJob = createRunJobHandler(t.service.deps);
  const warned = jest.spyOn(log(), 'warn');

  const cut = await runJob({ job: 'subscription-grants' }, { getRemainingTimeInMillis: () => JOB_UNIT_RESERVE_MS.ledger - 1 });
  expect(cut).toMatchObject({ granted: 0 });
  expect(warned).toHaveBeenCalledWith(expect.stringMatching(/stopped before the function deadline/), expect.objectContaining({ job: 'subscription-grants', done: 0 }));

  // Every due account (these two and the earlier tests' accounts) is granted by the next run.
  const full = (await runJob({ job: 'subscription-grants' }, { getRemainingTimeInMillis: () => 600_000 })) as { accounts: number; granted: number };
  expect(full.granted).toBeGreaterThanOrEqual(2);
  expect(full.granted).toBe(full.accounts);
  warned.mockRestore();
});
