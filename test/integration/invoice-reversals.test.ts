/**
 * Issue 10, part 2: every payment can be reversed, not only top-ups. Subscription and PAYG invoice
 * payments are recorded with what they bought; refunds and disputes of them take it back once
 * (unspent credits leave their bucket, what was spent becomes a debt), a won dispute restores, a
 * reversed PAYG payment reopens the usage it settled as a debt; a reversal of a payment this
 * service never knew is retried for a bounded time, then acknowledged.
 */
import { UNKNOWN_PAYMENT_RETRY_HOURS } from '../../lambdas/use-cases/reverse-payment';
import { newIdempotencyKey, setPlan } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import { sign, stripeEvent } from '../support/stripe-events';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

let t: TestService;
beforeEach(async () => {
  t = await startTestService();
});
afterEach(async () => {
  await t.settle();
  await expectMoneyInvariants(t);
  await t.stop();
});

const billing = async (sub: string) => (await t.call('GET', '/v1/billing', { token: await t.token(sub) })).body;
const generate = async (sub: string, model: string, count = 1) => t.call('POST', '/v1/generations', { token: await t.token(sub), body: { model, count, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } });
const ledger = async (sub: string) => (await t.call('GET', '/v1/ledger?limit=100', { token: await t.token(sub) })).body.entries as Array<{ type: string; amount: number; bucketId: string; reference: string }>;

async function subscribedTo(sub: string, plan: string): Promise<{ paymentId: string; amountCents: number; bucketId: string }> {
  expect((await t.call('POST', '/v1/subscription', { token: await t.token(sub), body: { plan } })).status).toBe(200);
  await t.settle();
  const [invoice] = (await billing(sub)).invoices;
  const bucket = (await billing(sub)).balance.buckets.find((b: { id: string; balance: number }) => b.id.startsWith('sub:') && b.balance > 100);
  return { paymentId: invoice.paymentId, amountCents: invoice.amount.value, bucketId: bucket.id };
}

test('a refunded subscription payment takes its grant back: unspent credits leave its bucket, the spent ones become a debt, once; the subscription is past_due', async () => {
  t.clock.set(new Date('2027-02-01T00:00:00.000Z'));
  const { paymentId, amountCents, bucketId } = await subscribedTo('refunded-sub', 'BEGINNER');
  expect(paymentId).toMatch(/^pi_sim_/);
  const spent = await generate('refunded-sub', 'nano-banana-pro', 8); // 120 credits, drawn from the soonest-expiring buckets
  expect(spent.status).toBe(202);
  await t.settle();
  const spentFromGrant = (spent.body.charges as Array<{ bucketId: string; amount: number }>).filter((c) => c.bucketId === bucketId).reduce((sum, c) => sum + c.amount, 0);
  expect(spentFromGrant).toBeGreaterThan(0);

  t.payments.refund(paymentId, amountCents);
  t.payments.refund(paymentId, amountCents); // redelivered as a second event: no second effect
  await t.settle();

  const after = await billing('refunded-sub');
  expect(after.status).toBe('past_due');
  expect(after.balance.buckets.find((b: { id: string }) => b.id === bucketId)).toMatchObject({ balance: 0 });
  expect(after.debtCredits).toBe(spentFromGrant);
  const takeBacks = (await ledger('refunded-sub')).filter((e) => e.reference === paymentId);
  expect(takeBacks.map((e) => [e.bucketId, e.amount])).toEqual([
    ['debt', -spentFromGrant],
    [bucketId, -(1200 - spentFromGrant)],
  ]);
});

test('a dispute of a subscription payment holds the grant back; won, it comes back into its bucket and the subscription is active again', async () => {
  t.clock.set(new Date('2027-03-01T00:00:00.000Z'));
  const { paymentId, bucketId } = await subscribedTo('disputed-sub', 'PRO');
  const before = (await billing('disputed-sub')).balance.available;

  t.payments.dispute(paymentId, 'open');
  await t.settle();
  const held = await billing('disputed-sub');
  expect(held).toMatchObject({ status: 'past_due', balance: { available: before - 6000 } });

  t.payments.dispute(paymentId, 'won');
  await t.settle();
  const restored = await billing('disputed-sub');
  expect(restored).toMatchObject({ status: 'active', balance: { available: before }, debtCredits: 0 });
  expect(restored.balance.buckets.find((b: { id: string }) => b.id === bucketId)).toMatchObject({ balance: 6000 });
});

test("a reversed upgrade payment takes back the upgrade's own credits", async () => {
  t.clock.set(new Date('2027-04-01T00:00:00.000Z'));
  await subscribedTo('upgrade-refund', 'BEGINNER');
  t.clock.set(new Date('2027-04-16T00:00:00.000Z'));
  await t.call('POST', '/v1/subscription', { token: await t.token('upgrade-refund'), body: { plan: 'PRO' } });
  await t.settle();
  const upgrade = (await billing('upgrade-refund')).invoices.find((i: { periodStart: string }) => i.periodStart.startsWith('2027-04-16'));
  const before = (await billing('upgrade-refund')).balance.available;

  t.payments.refund(upgrade.paymentId, upgrade.amount.value);
  await t.settle();

  expect((await billing('upgrade-refund')).balance.available).toBe(before - upgrade.credits);
  expect((await ledger('upgrade-refund')).filter((e) => e.reference === upgrade.paymentId)).toEqual([expect.objectContaining({ bucketId: expect.stringContaining(':upgrade:'), amount: -upgrade.credits })]);
});

test('a disputed PAYG payment reopens the usage it settled as a debt; lost, it stays; the next credits pay it first', async () => {
  t.clock.set(new Date('2027-05-20T00:00:00.000Z'));
  const owner = await t.token('payg-disputed');
  await setPlan(t, 'payg-disputed', 'BEGINNER');
  await t.call('PUT', '/v1/payg', { token: owner, body: { enabled: true } });
  expect((await generate('payg-disputed', 'nano-banana-pro', 8)).status).toBe(202); // 100 from the bucket, 20 PAYG
  await t.settle();
  t.clock.set(new Date('2027-06-01T00:00:01.000Z'));
  await t.service.jobs['payg-invoicing']!();
  await t.settle();
  const [invoice] = (await billing('payg-disputed')).invoices;
  expect(invoice).toMatchObject({ kind: 'payg', status: 'paid', credits: 20, paymentId: expect.stringMatching(/^pi_sim_/) });

  t.payments.dispute(invoice.paymentId, 'open');
  t.payments.dispute(invoice.paymentId, 'lost');
  await t.settle();

  expect((await billing('payg-disputed')).debtCredits).toBe(20);
  const topup = await t.call('POST', '/v1/topups', { token: await t.token('payg-disputed'), body: { credits: 100 }, headers: { 'idempotency-key': newIdempotencyKey() } });
  expect(topup.status).toBe(201);
  await t.settle();
  const after = await billing('payg-disputed');
  expect(after.debtCredits).toBe(0);
  expect(after.balance.buckets.find((b: { id: string }) => b.id === 'topup')).toMatchObject({ balance: 80 });
});

test("a reversal of a payment this service never recorded: 503 while it may still arrive, acknowledged after the bound", async () => {
  const refund = (createdSecondsAgo: number) => {
    const payload = JSON.parse(stripeEvent('charge.refunded', { id: 'ch_foreign', object: 'charge', payment_intent: 'pi_not_ours', amount: 1000, amount_refunded: 1000 })) as { created: number };
    payload.created = Math.floor(t.clock.now().getTime() / 1000) - createdSecondsAgo;
    return JSON.stringify(payload);
  };
  const fresh = refund(60);
  expect(await t.postWebhook(fresh, sign(fresh))).toBe(503);

  const old = refund(UNKNOWN_PAYMENT_RETRY_HOURS * 3600 + 60);
  const answer = await t.call('POST', '/v1/webhooks/stripe', { rawBody: old, headers: { 'content-type': 'application/json', 'stripe-signature': sign(old) } });
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({ received: true, result: 'unknown_payment' });
});
