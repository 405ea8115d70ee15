/**
 * Pay-as-you-go: switched on by the owner, drawn once every bucket is empty (up to the plan's
 * limit), invoiced the next month through the payment simulator, settled once when paid. One
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

const generate = async (sub: string, model: string, count = 1) => t.call('POST', '/v1/generations', { token: await t.token(sub), body: { model, count, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } });
const billing = async (sub: string) => (await t.call('GET', '/v1/billing', { token: await t.token(sub) })).body;

test('switching PAYG on needs an owner and a plan with a PAYG limit', async () => {
  const owner = await t.token('payg-owner');
  expect((await t.call('PUT', '/v1/payg', { token: owner, body: { enabled: true } })).body.error.code).toBe('invalid_request'); // FREE
  await setPlan(t, 'payg-owner', 'PRO'); // a PAYG limit, and seats for a member
  const member = await addMember(t, 'payg-owner', 'payg-member');
  expect((await t.call('PUT', '/v1/payg', { token: member, body: { enabled: true } })).body.error.code).toBe('forbidden');
  expect((await t.call('PUT', '/v1/payg', { token: owner, body: { enabled: 'yes' } })).status).toBe(400);
  expect((await t.call('PUT', '/v1/payg', { token: owner, body: { enabled: true } })).body).toEqual({ enabled: true });
  expect((await billing('payg-owner')).balance.payg).toEqual({ enabled: true, limit: 5_000, used: 0 });
});

test('debits beyond the buckets draw PAYG up to its limit, then 402; next month it is invoiced and settled once', async () => {
  t.clock.set(new Date('2027-03-20T00:00:00.000Z'));
  const owner = await t.token('payg-user');
  await setPlan(t, 'payg-user', 'BEGINNER');
  await t.call('PUT', '/v1/payg', { token: owner, body: { enabled: true } });

  // 100 credits in the bucket; 8 Nano Banana Pro images at 15 → 120: 100 from the bucket, 20 PAYG (Veo: 60 a video).
  expect((await generate('payg-user', 'nano-banana-pro', 8)).body.charges).toEqual([
    { bucketId: expect.stringMatching(/^sub:/), bucketType: 'subscription', amount: 100 },
    { bucketId: 'payg', bucketType: 'payg', amount: 20 },
  ]);
  await t.settle();
  for (let i = 0; i < 8; i += 1) {
    expect((await generate('payg-user', 'veo-3.1')).status).toBe(202); // 20 + 8 × 60 = 500: exactly the limit
    await t.settle();
  }
  const refused = await generate('payg-user', 'gpt-image-2');
  expect(refused.status).toBe(402);
  expect((await billing('payg-user')).balance.payg).toEqual({ enabled: true, limit: 500, used: 500 });

  expect(await t.service.jobs['payg-invoicing']!()).toEqual({ due: 0, invoiced: 0, credits: 0, failures: 0 });
  t.clock.set(new Date('2027-04-01T00:00:01.000Z'));
  expect(await t.service.jobs['payg-invoicing']!()).toEqual({ due: 1, invoiced: 1, credits: 500, failures: 0 });
  expect(await t.service.jobs['payg-invoicing']!()).toEqual({ due: 0, invoiced: 0, credits: 0, failures: 0 });
  await t.settle();

  const after = await billing('payg-user');
  expect(after.balance.payg.used).toBe(0);
  expect(after.invoices).toEqual([{ id: expect.stringMatching(/^inv_payg_/), kind: 'payg', credits: 500, amount: { value: 500, currency: 'usd' }, status: 'paid', paymentId: expect.stringMatching(/^pi_/), createdAt: expect.any(String) }]);
  expect((await generate('payg-user', 'gpt-image-2')).status).toBe(202);
});

test('an unpaid PAYG invoice keeps its credits counted as used', async () => {
  t.clock.set(new Date('2027-05-10T00:00:00.000Z'));
  const owner = await t.token('payg-unpaid');
  await setPlan(t, 'payg-unpaid', 'BEGINNER');
  await t.call('PUT', '/v1/payg', { token: owner, body: { enabled: true } });
  await t.call('PUT', '/_local/card', { token: owner, body: { behaviour: 'decline' } });
  await generate('payg-unpaid', 'nano-banana-pro', 8);
  await t.settle();

  t.clock.set(new Date('2027-06-01T00:00:01.000Z'));
  await t.service.jobs['payg-invoicing']!();
  await t.settle();

  const after = await billing('payg-unpaid');
  expect(after.balance.payg.used).toBe(20);
  expect(after.invoices[0]).toMatchObject({ credits: 20, status: 'open' });
});

/** The accounts the invoicing job would visit now, in its order. */
async function dueNow(): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of t.service.deps.store.dueAccountIds('payg', t.clock.now())) ids.push(id);
  return ids;
}

/** Runs the job as EventBridge does (the run-billing-job handler) and returns its result and the BillingAccountFailures values it published. */
async function runInvoicing(): Promise<{ result: unknown; published: unknown[] }> {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const result = await createRunBillingJobHandler(t.service.deps)({ job: 'payg-invoicing' });
    const emf = lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    return { result, published: emf.filter((r) => BILLING_ACCOUNT_FAILURES_METRIC in r).map((r) => r[BILLING_ACCOUNT_FAILURES_METRIC]) };
  } finally {
    write.mockRestore();
  }
}

test('a customer the provider fails for every time stops no one: the others are invoiced, it is retried with backoff, then invoiced once the fault is gone', async () => {
  t.clock.set(new Date('2027-03-20T00:00:00.000Z'));
  for (const sub of ['payg-a', 'payg-b', 'payg-c']) {
    await setPlan(t, sub, 'BEGINNER');
    expect((await t.call('PUT', '/v1/payg', { token: await t.token(sub), body: { enabled: true } })).status).toBe(200);
    expect((await generate(sub, 'nano-banana-pro', 8)).status).toBe(202); // 100 from the bucket, 20 PAYG
    await t.settle();
  }
  t.clock.set(new Date('2027-04-01T00:00:01.000Z'));
  const visited = await dueNow();
  expect([...visited].sort()).toEqual(['payg-a', 'payg-b', 'payg-c']);
  const failing = visited[1]!; // the middle one: accounts after it must still be invoiced
  const customerId = await t.payments.ensureCustomer(failing);
  faulty.failFor(customerId);
  const warn = jest.spyOn(Logger.prototype, 'warn');

  // The run succeeds (so the scheduler does not retry it) and publishes its failure count.
  expect(await runInvoicing()).toEqual({ result: { due: 3, invoiced: 2, credits: 40, failures: 1 }, published: [1] });
  await t.settle();

  for (const other of visited.filter((id) => id !== failing)) {
    expect((await billing(other)).invoices).toEqual([expect.objectContaining({ credits: 20, status: 'paid' })]);
  }
  // Recorded before the provider call, so nothing is lost: its usage is on an invoice that waits to be sent.
  expect((await billing(failing)).invoices).toEqual([expect.objectContaining({ credits: 20, status: 'pending' })]);
  // Logged with the account and the error's name, type and code: never its message or the object (they carry customer details).
  const logged = warn.mock.calls.filter(([message]) => String(message).includes('billing failed for an account'));
  expect(logged).toEqual([[expect.any(String), { job: 'payg-invoicing', accountId: failing, errorName: 'StripeInvalidRequestError', errorType: 'StripeInvalidRequestError', errorCode: 'resource_missing', statusCode: 404, requestId: 'req_faulty_test' }]]);
  expect(JSON.stringify(warn.mock.calls)).not.toContain(customerId);

  // Backoff: not before 5 minutes after the first failure, then 10 after the second.
  t.clock.advance(299);
  expect(await runInvoicing()).toEqual({ result: { due: 0, invoiced: 0, credits: 0, failures: 0 }, published: [0] });
  t.clock.advance(2);
  expect(await t.service.jobs['payg-invoicing']!()).toEqual({ due: 1, invoiced: 0, credits: 0, failures: 1 });
  t.clock.advance(599);
  expect(await t.service.jobs['payg-invoicing']!()).toEqual({ due: 0, invoiced: 0, credits: 0, failures: 0 });
  expect(faulty.refused.get(customerId)).toBe(2);

  faulty.heal(customerId);
  t.clock.advance(2);
  expect(await t.service.jobs['payg-invoicing']!()).toEqual({ due: 1, invoiced: 1, credits: 20, failures: 0 });
  await t.settle();
  expect((await billing(failing)).invoices).toEqual([expect.objectContaining({ credits: 20, status: 'paid' })]);
  expect((await billing(failing)).balance.payg.used).toBe(0);
  // Success forgets the failures: the next failure starts again at 5 minutes.
  expect((await t.service.deps.store.loadAccount(failing))!.payg.retry).toBeUndefined();
  expect(await t.service.jobs['payg-invoicing']!()).toEqual({ due: 0, invoiced: 0, credits: 0, failures: 0 });
});
