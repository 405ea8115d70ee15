/**
 * Issue 10, part 1: a plan change never grants credits that were not paid for. Each test is an
 * attack or a failure path run through the real API, webhook handler and payment simulator (which
 * answers like Stripe: an upgrade is invoiced and charged at once and applies only when paid; a
 * downgrade changes the price for the next period with nothing prorated).
 */
import { PLANS } from '../../lambdas/domain/catalog';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

let t: TestService;
beforeEach(async () => {
  t = await startTestService({ pollers: false });
});
afterEach(async () => {
  await t.settle();
  await expectMoneyInvariants(t);
  await t.stop();
});

const subscribe = async (sub: string, plan: string) => {
  const response = await t.call('POST', '/v1/subscription', { token: await t.token(sub), body: { plan } });
  await t.settle();
  return response;
};
const billing = async (sub: string) => (await t.call('GET', '/v1/billing', { token: await t.token(sub) })).body;
const card = async (sub: string, behaviour: 'succeed' | 'decline' | 'require_action') => {
  expect((await t.call('PUT', '/_local/card', { token: await t.token(sub), body: { behaviour } })).status).toBe(200);
};
const ledger = async (sub: string) => (await t.call('GET', '/v1/ledger?limit=100', { token: await t.token(sub) })).body.entries as Array<{ type: string; amount: number; bucketId: string }>;
const paidInvoices = async (sub: string) => ((await billing(sub)).invoices as Array<{ kind: string; credits: number; amount: { value: number }; status: string }>).filter((i) => i.kind === 'subscription' && i.status === 'paid');

/** Every credit granted to the account (FREE month included). */
const creditsGranted = async (sub: string) => (await ledger(sub)).filter((e) => e.type === 'grant').reduce((sum, e) => sum + e.amount, 0);

test('BEGINNER → TEAM → BEGINNER is no longer 25,099 credits for $9.99: the upgrade is charged now and the downgrade credits nothing back', async () => {
  t.clock.set(new Date('2027-03-01T00:00:00.000Z'));
  await subscribe('attacker', 'BEGINNER');
  t.clock.set(new Date('2027-03-11T00:00:00.000Z')); // 21 of 31 days left

  const upgraded = await subscribe('attacker', 'TEAM');
  const downgraded = await subscribe('attacker', 'BEGINNER');

  expect(upgraded.body).toMatchObject({ effective: 'now', message: null });
  expect(downgraded.body).toMatchObject({ effective: 'at_renewal' });
  const invoices = await paidInvoices('attacker');
  const charged = invoices.reduce((sum, i) => sum + i.amount.value, 0);
  const fraction = 21 / 31;
  // The upgrade's prorated difference was charged at once (no credit note came back with the downgrade).
  expect(charged).toBe(PLANS.BEGINNER.priceCents + Math.round(PLANS.TEAM.priceCents * fraction) - Math.round(PLANS.BEGINNER.priceCents * fraction));
  // Credits granted for the period never exceed what the paid invoices bought.
  const upgradeBought = Math.floor(((charged - PLANS.BEGINNER.priceCents) * (PLANS.TEAM.monthlyCredits - PLANS.BEGINNER.monthlyCredits)) / (PLANS.TEAM.priceCents - PLANS.BEGINNER.priceCents));
  expect((await creditsGranted('attacker')) - PLANS.FREE.monthlyCredits).toBeLessThanOrEqual(PLANS.BEGINNER.monthlyCredits + upgradeBought);
  // The paid-for plan stays until the renewal; then BEGINNER, with BEGINNER's credits.
  expect((await billing('attacker')).plan.id).toBe('TEAM');
  t.clock.set(new Date('2027-04-01T00:00:01.000Z'));
  t.payments.advanceTo(t.clock.now());
  await t.settle();
  const renewed = await billing('attacker');
  expect(renewed.plan.id).toBe('BEGINNER');
  expect((await paidInvoices('attacker')).at(0)).toMatchObject({ amount: { value: PLANS.BEGINNER.priceCents }, credits: PLANS.BEGINNER.monthlyCredits });
});

test('upgrade, downgrade, upgrade again in one period: the second upgrade undoes the downgrade, charges nothing and grants nothing more', async () => {
  t.clock.set(new Date('2027-05-01T00:00:00.000Z'));
  await subscribe('flipper', 'BEGINNER');
  t.clock.set(new Date('2027-05-16T00:00:00.000Z'));
  await subscribe('flipper', 'PRO');
  const afterFirstUpgrade = await creditsGranted('flipper');
  const invoicesAfterFirst = (await paidInvoices('flipper')).length;

  await subscribe('flipper', 'BEGINNER');
  const again = await subscribe('flipper', 'PRO');
  // And once more the same request: still nothing.
  await subscribe('flipper', 'PRO');

  expect(again.body).toMatchObject({ effective: 'now', message: null });
  expect(await creditsGranted('flipper')).toBe(afterFirstUpgrade);
  expect((await paidInvoices('flipper')).length).toBe(invoicesAfterFirst);
  const after = await billing('flipper');
  expect(after.plan.id).toBe('PRO');
  // No downgrade pending any more: the renewal is PRO.
  t.clock.set(new Date('2027-06-01T00:00:01.000Z'));
  t.payments.advanceTo(t.clock.now());
  await t.settle();
  expect((await billing('flipper')).plan.id).toBe('PRO');
  expect((await paidInvoices('flipper')).at(0)).toMatchObject({ credits: PLANS.PRO.monthlyCredits, amount: { value: PLANS.PRO.priceCents } });
});

test('PRO with a pending downgrade to BEGINNER, then TEAM: charged from PRO (the plan paid for), not from BEGINNER', async () => {
  t.clock.set(new Date('2027-07-01T00:00:00.000Z'));
  await subscribe('climber', 'PRO');
  await subscribe('climber', 'BEGINNER');
  t.clock.set(new Date('2027-07-16T12:00:00.000Z')); // 15.5 of 31 days left

  await subscribe('climber', 'TEAM');

  const upgrade = (await paidInvoices('climber')).find((i) => i.credits !== PLANS.PRO.monthlyCredits)!;
  expect(upgrade.amount.value).toBe(Math.round(PLANS.TEAM.priceCents / 2) - Math.round(PLANS.PRO.priceCents / 2));
  expect((await billing('climber')).plan.id).toBe('TEAM');
});

test('a declined upgrade leaves the plan and its credits as they were, says so, and applies once the card works', async () => {
  t.clock.set(new Date('2027-08-01T00:00:00.000Z'));
  await subscribe('declined', 'BEGINNER');
  const before = await billing('declined');
  t.clock.set(new Date('2027-08-11T00:00:00.000Z'));
  await card('declined', 'decline');

  const refused = await subscribe('declined', 'TEAM');

  expect(refused.status).toBe(200);
  expect(refused.body).toMatchObject({ plan: 'TEAM', effective: 'when_paid', clientSecret: expect.any(String), message: expect.stringContaining('stays BEGINNER') });
  const after = await billing('declined');
  expect(after.plan.id).toBe('BEGINNER');
  expect(after.balance).toEqual(before.balance);
  expect(await paidInvoices('declined')).toHaveLength(1);

  // The app confirms the open invoice with the client secret once the card works.
  await card('declined', 'succeed');
  expect(t.payments.confirm(refused.body.clientSecret)).toBe(true);
  await t.settle();
  expect((await billing('declined')).plan.id).toBe('TEAM');
  expect(await paidInvoices('declined')).toHaveLength(2);
});

describe('an unpaid subscription never pins the account', () => {
  test('declined first invoice → incomplete with a client secret; after fixing the card, the app confirms it: one subscription, one grant', async () => {
    await card('unpaid', 'decline');
    const first = await subscribe('unpaid', 'PRO');
    expect(first.body).toMatchObject({ status: 'incomplete', effective: 'when_paid', clientSecret: expect.any(String), message: expect.stringContaining('not paid') });
    expect((await billing('unpaid')).plan.id).toBe('FREE');
    // Asking again while still declined: the same subscription, a client secret to pay it.
    const again = await subscribe('unpaid', 'PRO');
    expect(again.body).toMatchObject({ subscriptionId: first.body.subscriptionId, status: 'incomplete', clientSecret: expect.any(String) });

    await card('unpaid', 'succeed');
    expect(t.payments.confirm(again.body.clientSecret)).toBe(true);
    await t.settle();
    const paid = await subscribe('unpaid', 'PRO');

    expect(paid.body).toMatchObject({ subscriptionId: first.body.subscriptionId, status: 'active', effective: 'now' });
    expect((await billing('unpaid')).plan.id).toBe('PRO');
    expect(await paidInvoices('unpaid')).toEqual([expect.objectContaining({ credits: PLANS.PRO.monthlyCredits })]);
  });

  test('an incomplete subscription is replaced by another plan (the old one abandoned, its late events ignored)', async () => {
    await card('switcher', 'decline');
    const first = await subscribe('switcher', 'TEAM');
    await card('switcher', 'succeed');

    const second = await subscribe('switcher', 'BEGINNER');

    expect(second.body.subscriptionId).not.toBe(first.body.subscriptionId);
    expect(second.body).toMatchObject({ status: 'active', effective: 'now' });
    const after = await billing('switcher');
    expect(after.plan.id).toBe('BEGINNER');
    expect(await paidInvoices('switcher')).toEqual([expect.objectContaining({ credits: PLANS.BEGINNER.monthlyCredits })]);
  });

  test('an incomplete subscription that expired (23 h) is followed by a new one; cancelling an unpaid one abandons it', async () => {
    t.clock.set(new Date('2027-09-01T00:00:00.000Z'));
    await card('expired', 'decline');
    const first = await subscribe('expired', 'PRO');
    t.clock.set(new Date('2027-09-02T00:00:00.000Z'));
    expect(t.payments.advanceTo(t.clock.now())).toBe(1);
    await t.settle();
    await card('expired', 'succeed');

    const second = await subscribe('expired', 'PRO');

    expect(second.body.subscriptionId).not.toBe(first.body.subscriptionId);
    expect(second.body.status).toBe('active');
    expect((await billing('expired')).plan.id).toBe('PRO');

    await card('abandoner', 'decline');
    await subscribe('abandoner', 'PRO');
    const cancelled = await t.call('DELETE', '/v1/subscription', { token: await t.token('abandoner') });
    await t.settle();
    expect(cancelled.status).toBe(200);
    await card('abandoner', 'succeed');
    expect((await subscribe('abandoner', 'PRO')).body).toMatchObject({ status: 'active', effective: 'now' });
    expect((await billing('abandoner')).plan.id).toBe('PRO');
  });

  test('a subscription cancelled and ended, then the same plan again: a new paid subscription at the first request (the old one is never replayed)', async () => {
    t.clock.set(new Date('2027-10-01T00:00:00.000Z'));
    const first = await subscribe('returning', 'PRO');
    expect(first.body).toMatchObject({ status: 'active', effective: 'now' });
    expect((await t.call('DELETE', '/v1/subscription', { token: await t.token('returning') })).status).toBe(200);
    t.clock.set(new Date('2027-11-01T00:00:01.000Z'));
    t.payments.advanceTo(t.clock.now());
    await t.settle();
    expect((await billing('returning')).plan.id).toBe('FREE');

    const again = await subscribe('returning', 'PRO');

    expect(again.body).toMatchObject({ status: 'active', effective: 'now' });
    expect(again.body.subscriptionId).not.toBe(first.body.subscriptionId);
    expect((await billing('returning')).plan.id).toBe('PRO');
  });
});
