/**
 * The billing page's top-ups are the most recent ones, newest first. Their sort keys are ids (a hash
 * of the Idempotency-Key), so only the `recent` local index knows their order.
 */
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

let t: TestService;
beforeEach(async () => {
  t = await startTestService();
});
afterEach(async () => {
  await expectMoneyInvariants(t);
  await t.stop();
});

test('GET /v1/billing lists the 20 most recent of 25 top-ups, newest first', async () => {
  t.clock.set(new Date('2027-05-01T10:00:00.000Z'));
  const token = await t.token('frequent-buyer');
  const created: string[] = [];
  for (let i = 0; i < 25; i += 1) {
    t.clock.advance(60);
    const response = await t.call('POST', '/v1/topups', { token, body: { credits: 100 + i }, headers: { 'idempotency-key': `buy-${i}` } });
    expect(response.status).toBe(201);
    created.push(response.body.id as string);
  }
  await t.settle();

  const billing = await t.call('GET', '/v1/billing', { token });

  expect(billing.status).toBe(200);
  const listed = billing.body.topups as Array<{ id: string; credits: number; createdAt: string }>;
  expect(listed.map((topup) => topup.id)).toEqual(created.slice(5).reverse());
  expect(listed.map((topup) => topup.credits)).toEqual(Array.from({ length: 20 }, (_, i) => 124 - i));
  // The ids alone would have listed them in another order.
  expect([...listed.map((topup) => topup.id)].sort().reverse()).not.toEqual(listed.map((topup) => topup.id));
});
