/**
 * Auto-refill through the real pieces: the debit asks a worker (via the jobs queue) to refill, the
 * worker charges the simulated saved card off-session, and the signed webhook credits it. One
 * customer the provider fails for every time is retried with backoff and stops no one else.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createRunBillingJobHandler } from '../../lambdas/handlers/schedule/run-billing-job';
import { BILLING_ACCOUNT_FAILURES_METRIC } from '../../lambdas/shared/service-identity';
import type { PaymentSimulator } from '../../lambdas/adapters/payment-simulator';
import { FaultyPayments } from '../support/faulty-payments';
import { addMember, newIdempotencyKey, setPlan } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

let t: TestService;
let faulty: FaultyPayments<PaymentSimulator>;
beforeEach(async () => {
  t = await startTestService({ payments: (simulator) => (faulty = new FaultyPayments(simulator)).gateway });
});
afterEach(async () => {
  jest.restoreAllMocks();
  await t.settle();
  await expectMoneyInvariants(t);
  await t.stop();
});

const settings = { enabled: true, thresholdCredits: 50, refillCredits: 200, monthlyCapCredits: 1000 };
const configure = (token: string, body: unknown) => t.call('PUT', '/v1/auto-refill', { token, body });
const generate = (token: string, model = 'seedance-2.0') => t.call('POST', '/v1/generations', { token, body: { model, count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } });
const billing = async (token: string) => (await t.call('GET', '/v1/billing', { token })).body;
const refills = async (token: string) => (await billing(token)).topups.filter((x: { purpose: string }) => x.purpose === 'auto_refill');

test('settings: the owner turns it on with the saved card; members and bad amounts are refused', async () => {
  const owner = await t.token('settings');
  await setPlan(t, 'settings', 'PRO');
  const member = await addMember(t, 'settings', 'settings-member');

  const on = await configure(owner, settings);

  expect(on.status).toBe(200);
  expect(on.body).toEqual({ ...settings, disabledReason: null, refillInFlight: false, creditsThisMonth: 0, card: { brand: 'visa', last4: '4242' } });
  expect((await configure(member, settings)).body.error.code).toBe('forbidden');
  expect((await configure(owner, { ...settings, refillCredits: 50 })).status).toBe(400);
  expect((await configure(owner, { ...settings, monthlyCapCredits: 100 })).status).toBe(400);
  expect((await configure(owner, { ...settings, extra: 1 })).status).toBe(400);
  expect((await t.call('GET', '/v1/auto-refill', { token: member })).body).toMatchObject({ enabled: true, thresholdCredits: 50, card: null });
});

test('a debit that crosses the threshold starts one refill, credited once by the webhook', async () => {
  const token = await t.token('refiller');
  await configure(token, settings);

  expect((await generate(token)).status).toBe(202); // 100 → 60: above 50
  await t.settle();
  expect(await refills(token)).toHaveLength(0);
  expect((await generate(token)).status).toBe(202); // 60 → 20: below 50
  await t.settle();

  const after = await billing(token);
  expect(after.balance.available).toBe(220);
  expect(after.topups).toEqual([expect.objectContaining({ purpose: 'auto_refill', credits: 200, status: 'succeeded' })]);
  expect(after.autoRefill).toMatchObject({ enabled: true, refillInFlight: false, creditsThisMonth: 200 });
});

test('ten concurrent debits crossing the threshold start exactly one refill', async () => {
  const token = await t.token('stampede-refill');
  await setPlan(t, 'stampede-refill', 'TEAM');
  await configure(token, { ...settings, thresholdCredits: 90, refillCredits: 500 });

  const responses = await Promise.all(Array.from({ length: 10 }, () => generate(token, 'gpt-image-2')));
  await t.settle();

  expect(responses.every((r) => r.status === 202)).toBe(true);
  expect(await refills(token)).toHaveLength(1);
  expect((await billing(token)).balance.available).toBe(100 - 50 + 500);
});

test.each([
  ['decline', 'card_declined'],
  ['require_action', 'authentication_required'],
])('a card that answers %s switches auto-refill off with the reason, and nothing retries', async (behaviour, reason) => {
  const token = await t.token(`refused-${behaviour}`);
  await configure(token, settings);
  expect((await t.call('PUT', '/_local/card', { token, body: { behaviour } })).status).toBe(200);

  for (let i = 0; i < 2; i += 1) {
    expect((await generate(token)).status).toBe(202);
    await t.settle(); // FREE runs one job at a time
  }
  t.clock.advance(3600);
  const sweep = await t.service.jobs['auto-refill']!();
  await t.settle();

  const after = await billing(await t.token(`refused-${behaviour}`));
  expect(after.autoRefill).toMatchObject({ enabled: false, disabledReason: reason, refillInFlight: false });
  expect(after.balance.available).toBe(20);
  expect(after.topups).toEqual([expect.objectContaining({ purpose: 'auto_refill', status: 'failed' })]);
  expect(sweep).toEqual({ due: 0, results: {}, failures: 0 });
});

test('the monthly cap and the cooldown hold further refills back; the sweep is the backstop', async () => {
  const token = await t.token('capped');
  await setPlan(t, 'capped', 'PRO');
  await configure(token, { enabled: true, thresholdCredits: 150, refillCredits: 100, monthlyCapCredits: 100 });

  // Turned on while already below the threshold: only the sweep can notice.
  expect(await t.service.jobs['auto-refill']!()).toEqual({ due: 1, results: { started: 1 }, failures: 0 });
  await t.settle();
  expect((await billing(token)).balance.available).toBe(200);

  expect((await generate(token)).status).toBe(202); // 200 → 160
  expect((await generate(token)).status).toBe(202); // 160 → 120: below 150, but the cooldown holds
  await t.settle();
  expect(await refills(token)).toHaveLength(1);

  t.clock.advance(601);
  expect(await t.service.jobs['auto-refill']!()).toEqual({ due: 1, results: { monthly_cap_reached: 1 }, failures: 0 });
  expect(await refills(await t.token('capped'))).toHaveLength(1);
});

test('a failure before the lock is recorded backs off exactly like one after it: the lock write failing for one account, the provider for another, a third refilled', async () => {
  const below = { enabled: true, thresholdCredits: 150, refillCredits: 200, monthlyCapCredits: 1000 };
  for (const sub of ['early-a', 'early-b', 'early-c']) expect((await configure(await t.token(sub), below)).status).toBe(200);
  const [lockFails, providerFails, healthy] = await dueNow();
  const customerId = await t.payments.ensureCustomer(providerFails!);
  faulty.failFor(customerId);
  // A persistent store error on one account's lock write (as DynamoDB answers for an item grown past 400 KB): before the fix it had no backoff and was tried on every run.
  const store = t.service.deps.store;
  const commit = store.commit.bind(store);
  let lockWrites = 0;
  let lockBroken = true;
  jest.spyOn(store, 'commit').mockImplementation(async (change) => {
    if (lockBroken && change.after.id === lockFails && change.before?.autoRefill.inFlight === null && change.after.autoRefill.inFlight !== null) {
      lockWrites += 1;
      throw Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException', $metadata: { httpStatusCode: 400, requestId: 'REQ-LOCK' } });
    }
    return commit(change);
  });
  const warn = jest.spyOn(Logger.prototype, 'warn');

  expect(await runSweep()).toEqual({ result: { due: 3, results: { started: 1 }, failures: 2 }, published: [2] });
  await t.settle();
  expect((await billing(await t.token(healthy!))).balance.available).toBe(300);
  const failed = warn.mock.calls.filter(([message]) => String(message).includes('billing failed for an account')).map(([, facts]) => facts);
  expect(failed).toEqual([
    expect.objectContaining({ job: 'auto-refill', accountId: lockFails, errorName: 'ValidationException', statusCode: 400 }),
    expect.objectContaining({ job: 'auto-refill', accountId: providerFails, errorCode: 'resource_missing' }),
  ]);
  // Both are held back by the same recorded backoff: the one without a lock by its retry time alone.
  for (const id of [lockFails!, providerFails!]) {
    const { retry } = (await store.loadAccount(id))!.autoRefill;
    expect(retry?.failures).toBe(1);
    expect(Date.parse(retry!.retryAt) - t.clock.now().getTime()).toBeGreaterThan(290_000);
  }
  expect((await store.loadAccount(lockFails!))!.autoRefill.inFlight).toBeNull();
  // A debit below the threshold does not ask for a refill during the backoff either.
  expect((await generate(await t.token(lockFails!), 'gpt-image-2')).status).toBe(202);
  await t.settle();
  expect([lockWrites, faulty.refused.get(customerId)]).toEqual([1, 1]);

  // Not before 5 minutes, then 10 after the second failure: the same schedule for both.
  t.clock.advance(299);
  expect(await t.service.jobs['auto-refill']!()).toEqual({ due: 0, results: {}, failures: 0 });
  t.clock.advance(2);
  expect(await t.service.jobs['auto-refill']!()).toEqual({ due: 2, results: {}, failures: 2 });
  t.clock.advance(599);
  expect(await t.service.jobs['auto-refill']!()).toEqual({ due: 0, results: {}, failures: 0 });
  expect([lockWrites, faulty.refused.get(customerId)]).toEqual([2, 2]);
  expect((await store.loadAccount(lockFails!))!.autoRefill.retry?.failures).toBe(2);

  lockBroken = false;
  faulty.heal(customerId);
  t.clock.advance(2);
  expect(await t.service.jobs['auto-refill']!()).toEqual({ due: 2, results: { started: 2 }, failures: 0 });
  await t.settle();
  for (const id of [lockFails!, providerFails!]) {
    const after = await store.loadAccount(id);
    expect(after!.autoRefill).toMatchObject({ inFlight: null, monthCredits: 200 });
    expect(after!.autoRefill.retry).toBeUndefined();
  }
  expect((await billing(await t.token(lockFails!))).balance.available).toBe(100 - 5 + 200);
});

/** The accounts the sweep would visit now, in its order. */
async function dueNow(): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of t.service.deps.store.dueAccountIds('refill', t.clock.now())) ids.push(id);
  return ids;
}

/** Runs the sweep as EventBridge does (the run-billing-job handler) and returns its result and the BillingAccountFailures values it published. */
async function runSweep(): Promise<{ result: unknown; published: unknown[] }> {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const result = await createRunBillingJobHandler(t.service.deps)({ job: 'auto-refill' });
    const emf = lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    return { result, published: emf.filter((r) => BILLING_ACCOUNT_FAILURES_METRIC in r).map((r) => r[BILLING_ACCOUNT_FAILURES_METRIC]) };
  } finally {
    write.mockRestore();
  }
}

test('a customer the provider fails for every time stops no one: the others are refilled, it is retried with backoff, then refilled once the fault is gone', async () => {
  const below = { enabled: true, thresholdCredits: 150, refillCredits: 200, monthlyCapCredits: 1000 }; // FREE holds 100: below at once, only the sweep notices
  for (const sub of ['sweep-a', 'sweep-b', 'sweep-c']) expect((await configure(await t.token(sub), below)).status).toBe(200);
  const visited = await dueNow();
  expect([...visited].sort()).toEqual(['sweep-a', 'sweep-b', 'sweep-c']);
  const failing = visited[1]!; // the middle one: accounts after it must still be refilled
  const customerId = await t.payments.ensureCustomer(failing);
  faulty.failFor(customerId);
  const warn = jest.spyOn(Logger.prototype, 'warn');

  // The run succeeds (so the scheduler does not retry it) and publishes its failure count.
  expect(await runSweep()).toEqual({ result: { due: 3, results: { started: 2 }, failures: 1 }, published: [1] });
  await t.settle();

  for (const other of visited.filter((id) => id !== failing)) {
    const after = await billing(await t.token(other));
    expect(after.balance.available).toBe(300);
    expect(after.topups).toEqual([expect.objectContaining({ purpose: 'auto_refill', credits: 200, status: 'succeeded' })]);
  }
  // Logged with the account and the error's name, type and code: never its message or the object (they carry customer details).
  const logged = warn.mock.calls.filter(([message]) => String(message).includes('billing failed for an account'));
  expect(logged).toEqual([[expect.any(String), { job: 'auto-refill', accountId: failing, errorName: 'StripeInvalidRequestError', errorType: 'StripeInvalidRequestError', errorCode: 'resource_missing', statusCode: 404, requestId: 'req_faulty_test' }]]);
  expect(JSON.stringify(warn.mock.calls)).not.toContain(customerId);

  // The failed refill holds its lock until its retry time: a debit below the threshold does not ask for another one.
  const token = await t.token(failing);
  expect((await billing(token)).autoRefill).toMatchObject({ refillInFlight: true, enabled: true, disabledReason: null });
  expect((await generate(token, 'gpt-image-2')).status).toBe(202);
  await t.settle();
  expect(faulty.refused.get(customerId)).toBe(1);

  // Backoff: not before 5 minutes after the first failure, then 10 after the second.
  t.clock.advance(299);
  expect(await runSweep()).toEqual({ result: { due: 0, results: {}, failures: 0 }, published: [0] });
  t.clock.advance(2);
  expect(await t.service.jobs['auto-refill']!()).toEqual({ due: 1, results: {}, failures: 1 });
  t.clock.advance(599);
  expect(await t.service.jobs['auto-refill']!()).toEqual({ due: 0, results: {}, failures: 0 });
  expect(faulty.refused.get(customerId)).toBe(2);

  faulty.heal(customerId);
  t.clock.advance(2);
  expect(await t.service.jobs['auto-refill']!()).toEqual({ due: 1, results: { started: 1 }, failures: 0 });
  await t.settle();
  const healed = await billing(token);
  expect(healed.balance.available).toBe(100 - 5 + 200);
  expect(healed.topups).toEqual([expect.objectContaining({ purpose: 'auto_refill', credits: 200, status: 'succeeded' })]);
  expect(healed.autoRefill).toMatchObject({ refillInFlight: false, creditsThisMonth: 200 });
  // Success forgets the failures: the next failure starts again at 5 minutes.
  expect((await t.service.deps.store.loadAccount(failing))!.autoRefill.retry).toBeUndefined();
});
