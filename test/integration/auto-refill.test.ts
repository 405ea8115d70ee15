/**
 * Auto-refill through the real pieces: the debit asks a worker (via the jobs queue) to refill, the
 * worker charges the simulated saved card off-session, and the signed webhook credits it.
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

const settings = { enabled: true, thresholdCredits: 50, refillCredits: 200, monthlyCapCredits: 1000 };
const configure = (token: string, body: unknown) => t.call('PUT', '/v1/auto-refill', { token, body });
const generate = (token: string, model = 'seedance-2.0') => t.call('POST', '/v1/generations', { token, body: { model, count: 1 }, headers: { 'idempotency-key': newIdempotencyKey() } });
const billing = async (token: string) => (await t.call('GET', '/v1/billing', { token })).body;
const refills = async (token: string) => (await billing(token)).topups.filter((x: { purpose: string }) => x.purpose === 'auto_refill');

test('settings: the owner turns it on with the saved card; members and bad amounts are refused', async () => {
  const owner = await t.token('settings');
  const member = await t.token('settings-member', { account_id: 'settings', account_role: 'member' });

  const on = await configure(owner, settings);

  expect(on.status).toBe(200);
  expect(on.body).toEqual({ ...settings, disabledReason: null, refillInFlight: false, creditsThisMonth: 0, card: { brand: 'visa', last4: '4242' } });
  expect((await configure(member, settings)).status).toBe(403);
  expect((await configure(owner, { ...settings, refillCredits: 50 })).status).toBe(400);
  expect((await configure(owner, { ...settings, monthlyCapCredits: 100 })).status).toBe(400);
  expect((await configure(owner, { ...settings, extra: 1 })).status).toBe(400);
  expect((await t.call('GET', '/v1/auto-refill', { token: member })).body).toMatchObject({ enabled: true, thresholdCredits: 50 });
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
  expect(sweep).toEqual({ due: 0, results: {} });
});

test('the monthly cap and the cooldown hold further refills back; the sweep is the backstop', async () => {
  const token = await t.token('capped');
  await setPlan(t, 'capped', 'PRO');
  await configure(token, { enabled: true, thresholdCredits: 150, refillCredits: 100, monthlyCapCredits: 100 });

  // Turned on while already below the threshold: only the sweep can notice.
  expect(await t.service.jobs['auto-refill']!()).toEqual({ due: 1, results: { started: 1 } });
  await t.settle();
  expect((await billing(token)).balance.available).toBe(200);

  expect((await generate(token)).status).toBe(202); // 200 → 160
  expect((await generate(token)).status).toBe(202); // 160 → 120: below 150, but the cooldown holds
  await t.settle();
  expect(await refills(token)).toHaveLength(1);

  t.clock.advance(601);
  expect(await t.service.jobs['auto-refill']!()).toEqual({ due: 1, results: { monthly_cap_reached: 1 } });
  expect(await refills(await t.token('capped'))).toHaveLength(1);
});
