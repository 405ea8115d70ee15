/**
 * Paid plans through the payment simulator's subscription events (the same shapes Stripe sends):
 * subscribing, paid-period grants once, upgrades with a prorated grant, downgrades at renewal,
 * cancellation back to FREE, duplicate and out-of-order events.
 */
import { PLANS } from '../../lambdas/domain/catalog';
import { addMember, setPlan } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import { sign, stripeEvent } from '../support/stripe-events';
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

const subscribe = (token: string, plan: string) => t.call('POST', '/v1/subscription', { token, body: { plan } });
const billing = async (sub: string) => (await t.call('GET', '/v1/billing', { token: await t.token(sub) })).body;
const grants = async (sub: string) =>
  (await t.call('GET', '/v1/ledger?limit=100', { token: await t.token(sub) })).body.entries.filter((e: { type: string }) => e.type === 'grant').map((e: { amount: number }) => e.amount);

test('subscribing to PRO: plan, renewal date and the month’s credits, granted once', async () => {
  t.clock.set(new Date('2027-01-10T00:00:00.000Z'));
  const token = await t.token('pro');
  const response = await subscribe(token, 'PRO');
  await t.settle();

  expect(response.status).toBe(200);
  expect(response.body).toMatchObject({ plan: 'PRO', status: 'active', effective: 'now', subscriptionId: expect.stringMatching(/^sub_/) });
  const after = await billing('pro');
  expect(after).toMatchObject({ plan: { id: 'PRO', monthlyCredits: 6000 }, status: 'active', cancelAtPeriodEnd: false, renewsAt: expect.stringMatching(/^2027-02-10T00:00:0\d/) });
  expect(after.balance.available).toBe(100 + 6000);
  expect(await grants('pro')).toEqual([6000, 100]);
  expect(after.invoices).toEqual([expect.objectContaining({ kind: 'subscription', credits: 6000, status: 'paid', periodStart: expect.stringMatching(/^2027-01-10/), periodEnd: expect.stringMatching(/^2027-02-10/) })]);

  // A retried request is the same subscription, and nothing more is granted.
  expect((await subscribe(await t.token('pro'), 'PRO')).body.subscriptionId).toBe(response.body.subscriptionId);
  await t.settle();
  expect(await grants('pro')).toEqual([6000, 100]);
});

test('renewals grant each paid period once; the scheduler never grants a paid plan', async () => {
  t.clock.set(new Date('2027-01-31T00:00:00.000Z'));
  await subscribe(await t.token('renewing'), 'BEGINNER');
  await t.settle();

  t.clock.set(new Date('2027-03-01T00:00:00.000Z'));
  expect(t.payments.advanceTo(t.clock.now())).toBe(1);
  await t.settle();
  await t.service.jobs['expire-credits']!();
  expect(await t.service.jobs['subscription-grants']!()).toMatchObject({ granted: 0 });
  expect(await t.service.jobs['subscription-grants']!()).toMatchObject({ granted: 0 });

  const after = await billing('renewing');
  // Anchored on the 31st like Stripe: Jan 31 → Feb 28 → Mar 31, not Mar 28.
  expect(after.renewsAt).toMatch(/^2027-03-31T00:00:0\d/);
  expect(after.balance.available).toBe(1200);
  expect(await grants('renewing')).toEqual([1200, 1200, 100]);

  t.clock.set(new Date('2027-04-01T00:00:00.000Z'));
  expect(t.payments.advanceTo(t.clock.now())).toBe(1);
  await t.settle();
  await t.service.jobs['expire-credits']!();
  expect((await billing('renewing')).renewsAt).toMatch(/^2027-04-30T00:00:0\d/);
  expect(await grants('renewing')).toEqual([1200, 1200, 1200, 100]);
});

test('an upgrade mid-period is invoiced now and granted from its paid invoice, expiring at period end', async () => {
  t.clock.set(new Date('2027-04-01T00:00:00.000Z'));
  await subscribe(await t.token('upgrader'), 'PRO');
  await t.settle();
  t.clock.set(new Date('2027-04-16T00:00:00.000Z')); // 15 of 30 days left

  const response = await subscribe(await t.token('upgrader'), 'TEAM');
  await t.settle();

  expect(response.body).toMatchObject({ effective: 'now', message: null });
  const after = await billing('upgrader');
  expect(after.plan.id).toBe('TEAM');
  const [upgradeGrant, ...earlier] = await grants('upgrader');
  expect(earlier).toEqual([6000, 100]);
  // Half the difference, no more than the prorated invoice bought at the plans' rate.
  const upgradeInvoice = after.invoices.find((i: { periodStart: string }) => i.periodStart.startsWith('2027-04-16'));
  expect(upgradeInvoice).toMatchObject({ kind: 'subscription', status: 'paid', paymentId: expect.stringMatching(/^pi_sim_/), amount: { value: Math.round((PLANS.TEAM.priceCents - PLANS.PRO.priceCents) / 2) } });
  const bought = Math.floor((upgradeInvoice.amount.value * (PLANS.TEAM.monthlyCredits - PLANS.PRO.monthlyCredits)) / (PLANS.TEAM.priceCents - PLANS.PRO.priceCents));
  expect(upgradeGrant).toBe(Math.min(Math.floor((PLANS.TEAM.monthlyCredits - PLANS.PRO.monthlyCredits) / 2), bought));
  expect(upgradeInvoice.credits).toBe(upgradeGrant);
  expect(after.balance.buckets).toContainEqual({ id: expect.stringMatching(/^sub:2027-04-01T00:00:0.*:upgrade:in_sim_/), type: 'subscription', balance: upgradeGrant, expiresAt: expect.stringMatching(/^2027-05-01T00:00:0\d/) });
});

test('a downgrade waits for the renewal', async () => {
  t.clock.set(new Date('2027-06-01T00:00:00.000Z'));
  await subscribe(await t.token('downgrader'), 'TEAM');
  await t.settle();

  const response = await subscribe(await t.token('downgrader'), 'BEGINNER');
  await t.settle();
  expect(response.body.effective).toBe('at_renewal');
  expect((await billing('downgrader')).plan.id).toBe('TEAM');

  t.clock.set(new Date('2027-07-01T00:00:01.000Z'));
  t.payments.advanceTo(t.clock.now());
  await t.settle();
  expect((await billing('downgrader')).plan.id).toBe('BEGINNER');
  expect(await grants('downgrader')).toEqual([1200, 25000, 100]);
});

test('cancelling keeps the plan until the period ends, then the account is FREE with a FREE grant', async () => {
  t.clock.set(new Date('2027-08-01T00:00:00.000Z'));
  await subscribe(await t.token('leaver'), 'PRO');
  await t.settle();

  const cancelled = await t.call('DELETE', '/v1/subscription', { token: await t.token('leaver') });
  await t.settle();
  expect(cancelled.body).toEqual({ cancelAtPeriodEnd: true, endsAt: expect.stringMatching(/^2027-09-01T00:00:0\d/) });
  expect(await billing('leaver')).toMatchObject({ plan: { id: 'PRO' }, cancelAtPeriodEnd: true });

  t.clock.set(new Date('2027-09-01T00:00:01.000Z'));
  t.payments.advanceTo(t.clock.now());
  await t.settle();
  await t.service.jobs['expire-credits']!();

  const after = await billing('leaver');
  expect(after).toMatchObject({ plan: { id: 'FREE' }, cancelAtPeriodEnd: false, balance: { available: 100 } });
  expect((await t.call('DELETE', '/v1/subscription', { token: await t.token('leaver') })).status).toBe(409);
});

test('redelivered and out-of-order subscription events change nothing twice', async () => {
  t.clock.set(new Date('2027-10-01T00:00:00.000Z'));
  const token = await t.token('reordered');
  await t.call('GET', '/v1/balance', { token });
  const now = Math.floor(t.clock.now().getTime() / 1000);
  const subscription = (plan: string, created: number) => ({
    id: 'sub_reordered',
    object: 'subscription',
    status: 'active',
    cancel_at_period_end: false,
    metadata: { account_id: 'reordered', plan },
    items: { data: [{ current_period_start: now, current_period_end: now + 31 * 86400 }] },
    created,
  });
  const newer = JSON.parse(stripeEvent('customer.subscription.updated', subscription('TEAM', now))) as { created: number };
  newer.created = now + 10;
  const older = JSON.parse(stripeEvent('customer.subscription.created', subscription('PRO', now))) as { created: number };
  older.created = now;
  const paid = stripeEvent('invoice.paid', { id: 'in_1', object: 'invoice', billing_reason: 'subscription_create', parent: { subscription_details: { subscription: 'sub_reordered', metadata: { account_id: 'reordered' } } }, lines: { data: [{ period: { start: now, end: now + 31 * 86400 } }] } });

  const deliver = (payload: string) => t.postWebhook(payload, sign(payload));
  expect(await deliver(paid)).toBe(503); // the invoice before its subscription: Stripe retries it
  expect(await deliver(JSON.stringify(newer))).toBe(200);
  expect(await deliver(JSON.stringify(older))).toBe(200);
  expect(await deliver(paid)).toBe(200);
  expect(await deliver(paid)).toBe(200);
  const secondEventSamePeriod = paid.replace(/"id":"evt_[^"]+"/, '"id":"evt_other"');
  expect(await deliver(secondEventSamePeriod)).toBe(200);

  const after = await billing('reordered');
  expect(after.plan.id).toBe('TEAM');
  expect(await grants('reordered')).toEqual([25000, 100]);
});

test('members cannot subscribe; FREE and unknown plans are refused', async () => {
  const owner = await t.token('shop');
  await setPlan(t, 'shop', 'PRO');
  const member = await addMember(t, 'shop', 'm');
  expect((await subscribe(member, 'TEAM')).body.error.code).toBe('forbidden');
  expect((await t.call('DELETE', '/v1/subscription', { token: member })).body.error.code).toBe('forbidden');
  expect((await subscribe(owner, 'FREE')).status).toBe(400);
  expect((await subscribe(owner, 'GOLD')).status).toBe(400);
  expect((await t.call('DELETE', '/v1/subscription', { token: owner })).body.error.code).toBe('no_subscription');
});

test('an invoice paid while the subscription is still incomplete is retried until it is active, then granted once', async () => {
  const token = await t.token('incomplete');
  await t.call('GET', '/v1/balance', { token });
  const now = Math.floor(t.clock.now().getTime() / 1000);
  const subscription = (status: string) => ({
    id: 'sub_incomplete',
    object: 'subscription',
    status,
    cancel_at_period_end: false,
    metadata: { account_id: 'incomplete', plan: 'PRO' },
    items: { data: [{ current_period_start: now, current_period_end: now + 30 * 86400 }] },
  });
  const deliver = (payload: string) => t.postWebhook(payload, sign(payload));
  const paid = stripeEvent('invoice.paid', { id: 'in_incomplete', object: 'invoice', billing_reason: 'subscription_create', amount_paid: 3999, parent: { subscription_details: { subscription: 'sub_incomplete', metadata: { account_id: 'incomplete' } } }, lines: { data: [{ period: { start: now, end: now + 30 * 86400 } }] } });

  expect(await deliver(stripeEvent('customer.subscription.created', subscription('incomplete')))).toBe(200);
  expect(await deliver(paid)).toBe(503);
  expect((await billing('incomplete')).plan.id).toBe('FREE');
  expect(await deliver(stripeEvent('customer.subscription.updated', subscription('active')))).toBe(200);
  expect(await deliver(paid)).toBe(200);

  expect((await billing('incomplete')).plan.id).toBe('PRO');
  expect(await grants('incomplete')).toEqual([6000, 100]);
});
