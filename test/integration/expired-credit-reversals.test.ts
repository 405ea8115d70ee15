/**
 * Reversals after the period ended: credits that expired unused were never consumed. Refunding or
 * disputing a subscription payment after its bucket expired makes a debt only of what was spent,
 * and a dispute won after the expiry gives nothing back as spendable beyond that debt.
 */
import { newIdempotencyKey } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
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

type Entry = { type: string; amount: number; bucketId: string; reference: string };
const billing = async (sub: string) => (await t.call('GET', '/v1/billing', { token: await t.token(sub) })).body;
const ledger = async (sub: string) => (await t.call('GET', '/v1/ledger?limit=100', { token: await t.token(sub) })).body.entries as Entry[];

/** Subscribes to BEGINNER (1200 credits), spends 120 (8 Nano Banana Pro images), and returns the payment, the grant's bucket and how much of the spend came out of it. */
async function subscribedAndSpent(sub: string): Promise<{ paymentId: string; amountCents: number; bucketId: string; spentFromGrant: number }> {
  expect((await t.call('POST', '/v1/subscription', { token: await t.token(sub), body: { plan: 'BEGINNER' } })).status).toBe(200);
  await t.settle();
  const [invoice] = (await billing(sub)).invoices;
  const bucket = (await billing(sub)).balance.buckets.find((b: { id: string; balance: number }) => b.id.startsWith('sub:') && b.balance === 1200);
  const spent = await t.call('POST', '/v1/generations', { token: await t.token(sub), body: { model: 'nano-banana-pro', count: 8, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } });
  expect(spent.status).toBe(202);
  await t.settle();
  const spentFromGrant = (spent.body.charges as Array<{ bucketId: string; amount: number }>).filter((c) => c.bucketId === bucket.id).reduce((sum, c) => sum + c.amount, 0);
  expect(spentFromGrant).toBeGreaterThan(0);
  return { paymentId: invoice.paymentId, amountCents: invoice.amount.value, bucketId: bucket.id, spentFromGrant };
}

/** The period ends (no renewal is billed: the simulator's clock is not advanced) and the expiry job expires what is left. */
async function periodEndsAndCreditsExpire(sub: string, bucketId: string, at: string): Promise<void> {
  t.clock.set(new Date(at));
  await t.service.jobs['expire-credits']!();
  const expired = (await ledger(sub)).filter((e) => e.type === 'expire' && e.bucketId === bucketId);
  expect(expired).toHaveLength(1);
}

test('a subscription payment refunded after its period ended and its credits expired: only what was spent becomes a debt', async () => {
  t.clock.set(new Date('2027-06-01T00:00:00.000Z'));
  const { paymentId, amountCents, bucketId, spentFromGrant } = await subscribedAndSpent('refund-after-expiry');
  await periodEndsAndCreditsExpire('refund-after-expiry', bucketId, '2027-07-02T00:00:00.000Z');
  const expiredUnused = -(await ledger('refund-after-expiry')).find((e) => e.type === 'expire' && e.bucketId === bucketId)!.amount;
  expect(expiredUnused).toBe(1200 - spentFromGrant);

  t.payments.refund(paymentId, amountCents);
  await t.settle();

  const after = await billing('refund-after-expiry');
  // Before: the whole grant (1200) became a debt, the expired credits counted as spent.
  expect(after.debtCredits).toBe(spentFromGrant);
  expect((await ledger('refund-after-expiry')).filter((e) => e.reference === paymentId).map((e) => [e.bucketId, e.amount])).toEqual([['debt', -spentFromGrant]]);
  expect(after.status).toBe('past_due');
});

test('a dispute opened after the credits expired holds back only what was spent; won, the debt is gone and nothing expired comes back spendable', async () => {
  t.clock.set(new Date('2027-08-01T00:00:00.000Z'));
  const { paymentId, bucketId, spentFromGrant } = await subscribedAndSpent('dispute-after-expiry');
  await periodEndsAndCreditsExpire('dispute-after-expiry', bucketId, '2027-09-02T00:00:00.000Z');
  const before = (await billing('dispute-after-expiry')).balance.available;

  t.payments.dispute(paymentId, 'open');
  await t.settle();
  expect(await billing('dispute-after-expiry')).toMatchObject({ debtCredits: spentFromGrant, balance: { available: before } });

  t.payments.dispute(paymentId, 'won');
  await t.settle();

  const won = await billing('dispute-after-expiry');
  // Before: the 1200 came back into the top-up bucket, never expiring: 1200 − 120 spendable credits out of an expired period.
  expect(won).toMatchObject({ debtCredits: 0, balance: { available: before } });
  expect(won.balance.buckets.find((b: { id: string }) => b.id === 'topup')).toBeUndefined();
  const restored = (await ledger('dispute-after-expiry')).filter((e) => e.reference === paymentId || (e.type === 'expire' && e.bucketId === bucketId));
  expect(restored.map((e) => [e.type, e.bucketId, e.amount])).toEqual([
    ['expire', bucketId, -(1200 - spentFromGrant)],
    ['adjustment', bucketId, 1200 - spentFromGrant],
    ['adjustment', 'debt', spentFromGrant],
    ['adjustment', 'debt', -spentFromGrant],
    ['expire', bucketId, -(1200 - spentFromGrant)],
  ]);
});

test('a dispute opened while the credits were spendable and won after the period ended: the credits it held expire as they would have', async () => {
  t.clock.set(new Date('2027-10-01T00:00:00.000Z'));
  const { paymentId, bucketId, spentFromGrant } = await subscribedAndSpent('dispute-across-expiry');
  t.payments.dispute(paymentId, 'open');
  await t.settle();
  expect(await billing('dispute-across-expiry')).toMatchObject({ debtCredits: spentFromGrant });
  t.clock.set(new Date('2027-11-02T00:00:00.000Z'));
  await t.service.jobs['expire-credits']!();
  const before = (await billing('dispute-across-expiry')).balance.available;

  t.payments.dispute(paymentId, 'won');
  await t.settle();

  const won = await billing('dispute-across-expiry');
  expect(won).toMatchObject({ debtCredits: 0, balance: { available: before } });
  expect(won.balance.buckets.find((b: { id: string }) => b.id === 'topup')).toBeUndefined();
  expect((await ledger('dispute-across-expiry')).filter((e) => e.type === 'expire' && e.bucketId === bucketId).map((e) => e.amount)).toEqual([-(1200 - spentFromGrant)]);
});
