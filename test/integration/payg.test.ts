/**
 * Pay-as-you-go: switched on by the owner, drawn once every bucket is empty (up to the plan's
 * limit), invoiced the next month through the payment simulator, settled once when paid.
 */
import { newIdempotencyKey, setPlan } from '../support/fixtures';
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

const generate = async (sub: string, model: string, count = 1) => t.call('POST', '/v1/generations', { token: await t.token(sub), body: { model, count }, headers: { 'idempotency-key': newIdempotencyKey() } });
const billing = async (sub: string) => (await t.call('GET', '/v1/billing', { token: await t.token(sub) })).body;

test('switching PAYG on needs an owner and a plan with a PAYG limit', async () => {
  const owner = await t.token('payg-owner');
  const member = await t.token('payg-member', { account_id: 'payg-owner', account_role: 'member' });
  expect((await t.call('PUT', '/v1/payg', { token: owner, body: { enabled: true } })).body.error.code).toBe('invalid_request'); // FREE
  await setPlan(t, 'payg-owner', 'BEGINNER');
  expect((await t.call('PUT', '/v1/payg', { token: member, body: { enabled: true } })).status).toBe(403);
  expect((await t.call('PUT', '/v1/payg', { token: owner, body: { enabled: 'yes' } })).status).toBe(400);
  expect((await t.call('PUT', '/v1/payg', { token: owner, body: { enabled: true } })).body).toEqual({ enabled: true });
  expect((await billing('payg-owner')).balance.payg).toEqual({ enabled: true, limit: 500, used: 0 });
});

test('debits beyond the buckets draw PAYG up to its limit, then 402; next month it is invoiced and settled once', async () => {
  t.clock.set(new Date('2027-03-20T00:00:00.000Z'));
  const owner = await t.token('payg-user');
  await setPlan(t, 'payg-user', 'BEGINNER');
  await t.call('PUT', '/v1/payg', { token: owner, body: { enabled: true } });

  // 100 credits in the bucket; Veo is 60 a video. 2 → 120: 100 from the bucket, 20 PAYG.
  expect((await generate('payg-user', 'veo-3.1', 2)).body.charges).toEqual([
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

  expect(await t.service.jobs['payg-invoicing']!()).toEqual({ due: 0, invoiced: 0, credits: 0 });
  t.clock.set(new Date('2027-04-01T00:00:01.000Z'));
  expect(await t.service.jobs['payg-invoicing']!()).toEqual({ due: 1, invoiced: 1, credits: 500 });
  expect(await t.service.jobs['payg-invoicing']!()).toEqual({ due: 0, invoiced: 0, credits: 0 });
  await t.settle();

  const after = await billing('payg-user');
  expect(after.balance.payg.used).toBe(0);
  expect(after.invoices).toEqual([{ id: expect.stringMatching(/^inv_payg_/), kind: 'payg', credits: 500, amount: { value: 500, currency: 'usd' }, status: 'paid', createdAt: expect.any(String) }]);
  expect((await generate('payg-user', 'gpt-image-2')).status).toBe(202);
});

test('an unpaid PAYG invoice keeps its credits counted as used', async () => {
  t.clock.set(new Date('2027-05-10T00:00:00.000Z'));
  const owner = await t.token('payg-unpaid');
  await setPlan(t, 'payg-unpaid', 'BEGINNER');
  await t.call('PUT', '/v1/payg', { token: owner, body: { enabled: true } });
  await t.call('PUT', '/_local/card', { token: owner, body: { behaviour: 'decline' } });
  await generate('payg-unpaid', 'veo-3.1', 2);
  await t.settle();

  t.clock.set(new Date('2027-06-01T00:00:01.000Z'));
  await t.service.jobs['payg-invoicing']!();
  await t.settle();

  const after = await billing('payg-unpaid');
  expect(after.balance.payg.used).toBe(20);
  expect(after.invoices[0]).toMatchObject({ credits: 20, status: 'open' });
});
