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

const run = async (name: string) => (await t.service.jobs[name]!()) as Record<string, unknown>;

test('at period end the grant stops being spendable at once, then expire and grant jobs run once each', async () => {
  t.clock.set(new Date('2027-01-31T12:00:00.000Z'));
  const token = await t.token('monthly');
  const opened = await t.call('GET', '/v1/billing', { token });
  expect(opened.body.renewsAt).toMatch(/^2027-02-28T12:00:00\.\d{3}Z$/);
  await t.call('POST', '/v1/generations', { token, body: { model: 'nano-banana-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': 'k1' } });

  t.clock.set(new Date('2027-02-28T12:00:01.000Z'));
  const atExpiry = await t.call('GET', '/v1/balance', { token: await t.token('monthly') });
  expect(atExpiry.body.available).toBe(0);

  expect(await run('expire-credits')).toEqual({ accounts: 1, entries: 1, expiredCredits: 92 });
  expect(await run('expire-credits')).toEqual({ accounts: 0, entries: 0, expiredCredits: 0 });
  expect(await run('subscription-grants')).toEqual({ accounts: 1, granted: 1, grantedCredits: 100 });
  expect(await run('subscription-grants')).toEqual({ accounts: 0, granted: 0, grantedCredits: 0 });

  const billing = await t.call('GET', '/v1/billing', { token: await t.token('monthly') });
  expect(billing.body.renewsAt).toMatch(/^2027-03-31T12:00:00\.\d{3}Z$/);
  expect(billing.body.balance.available).toBe(100);
  expect(billing.body.recentLedger.map((e: { type: string; amount: number }) => [e.type, e.amount])).toEqual([
    ['grant', 100],
    ['expire', -92],
    ['debit', -8],
    ['grant', 100],
  ]);
});

test('jobs touch only due accounts (read from the sparse due indexes)', async () => {
  t.clock.set(new Date('2027-03-01T00:00:00.000Z'));
  await t.call('GET', '/v1/balance', { token: await t.token('early') });
  t.clock.set(new Date('2027-03-15T00:00:00.000Z'));
  await t.call('GET', '/v1/balance', { token: await t.token('late') });

  t.clock.set(new Date('2027-04-02T00:00:00.000Z'));
  expect(await run('expire-credits')).toMatchObject({ accounts: 1 });
  expect(await run('subscription-grants')).toMatchObject({ accounts: 1, granted: 1 });
  expect(await run('reconcile')).toEqual({ accounts: 2, mismatches: [], suspectedThenCleared: 0 });
});

test('overlapping runs of the grant job grant each period once', async () => {
  t.clock.set(new Date('2027-05-10T00:00:00.000Z'));
  for (let i = 0; i < 5; i += 1) await t.call('GET', '/v1/balance', { token: await t.token(`overlap-${i}`) });
  t.clock.set(new Date('2027-06-10T00:00:01.000Z'));

  const runs = await Promise.all([run('subscription-grants'), run('subscription-grants'), run('subscription-grants')]);

  expect(runs.reduce((sum, r) => sum + (r.granted as number), 0)).toBe(5);
});

test('an account idle for months is granted the current period only', async () => {
  t.clock.set(new Date('2027-01-10T00:00:00.000Z'));
  await t.call('GET', '/v1/balance', { token: await t.token('idle') });
  t.clock.set(new Date('2027-05-20T00:00:00.000Z'));

  await run('expire-credits');
  expect(await run('subscription-grants')).toMatchObject({ granted: 1, grantedCredits: 100 });

  const billing = await t.call('GET', '/v1/billing', { token: await t.token('idle') });
  expect(billing.body.renewsAt).toMatch(/^2027-06-10T00:00:00\.\d{3}Z$/);
  expect(billing.body.balance.available).toBe(100);
});
