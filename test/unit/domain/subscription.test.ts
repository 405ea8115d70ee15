import fc from 'fast-check';
import type { Account } from '../../../lambdas/domain/account';
import { openAccount } from '../../../lambdas/domain/account';
import { periodContaining, periodStartAt } from '../../../lambdas/domain/billing-period';
import type { PlanId } from '../../../lambdas/domain/catalog';
import { PLANS } from '../../../lambdas/domain/catalog';
import type { PaidPlanId, PaidUpgrade, SubscriptionFacts } from '../../../lambdas/domain/subscription';
import { applySubscriptionChange, endSubscription, grantPaidPeriod, grantPaidUpgrade, upgradeCredits } from '../../../lambdas/domain/subscription';
import { dueSubscriptionGrant } from '../../../lambdas/domain/subscription-grant';
import type { Bucket, LedgerDraft, WalletChange } from '../../../lambdas/domain/wallet';
import { DAY_MS, NOW, NOW_MS, balanceOf, iso, replayLedger, sumBalances, upgradeCreditsOracle } from './arbitraries';

const PAID: readonly PaidPlanId[] = ['BEGINNER', 'PRO', 'TEAM'];
const paidPlanArb = fc.constantFrom(...PAID);

/** The provider's current period: started 10 days before NOW, one month long. */
const S_MS = NOW_MS - 10 * DAY_MS;
const S = iso(S_MS);
const E = periodStartAt(new Date(S_MS), 1).toISOString();
const E_MS = Date.parse(E);
const NEXT_END = periodStartAt(new Date(S_MS), 2).toISOString();

function freeAccount(): Account {
  return openAccount('acc_1', new Date(S_MS - 20 * DAY_MS)).account;
}

/** An account on a paid plan whose current period [S, E) was already granted. */
function paidAccount(plan: PaidPlanId, overrides: Partial<Account> = {}): Account {
  const free = freeAccount();
  const grant: Bucket = { id: `sub:${S}`, type: 'subscription', balance: PLANS[plan].monthlyCredits, expiresAt: E, createdAt: S };
  return {
    ...free,
    version: 9,
    plan,
    currentPeriod: { start: S, end: E },
    nextGrantAt: null,
    buckets: [grant],
    subscription: { subscriptionId: 'sub_1', pendingPlan: null, lastEventAt: S },
    ...overrides,
  };
}

function facts(plan: PaidPlanId, overrides: Partial<SubscriptionFacts> = {}): SubscriptionFacts {
  return { subscriptionId: 'sub_1', accountId: 'acc_1', plan, status: 'active', periodStart: S, periodEnd: E, cancelAtPeriodEnd: false, eventCreatedAt: iso(NOW_MS), ...overrides };
}

/** Oracle for `upgradeCredits` over this file's period [S, E) unless told otherwise. */
function expectedUpgradeCredits(from: PaidPlanId, to: PaidPlanId, coveredFromMs: number, amountPaidCents: number, startMs = S_MS, endMs = E_MS): number {
  return upgradeCreditsOracle({ from, to, coveredFromMs, startMs, endMs, amountPaidCents });
}

/** What the provider charges for an upgrade at `atMs` (as Stripe: the new price's remaining time minus the old one's, each rounded). */
function prorationCents(from: PaidPlanId, to: PaidPlanId, atMs: number): number {
  const fraction = (E_MS - atMs) / (E_MS - S_MS);
  return Math.round(PLANS[to].priceCents * fraction) - Math.round(PLANS[from].priceCents * fraction);
}

function paidUpgrade(from: PaidPlanId, to: PaidPlanId, overrides: Partial<PaidUpgrade> = {}): PaidUpgrade {
  const coveredFromMs = Date.parse(overrides.coveredFrom ?? iso(NOW_MS));
  return { subscriptionId: 'sub_1', invoiceId: 'in_up_1', from, to, coveredFrom: iso(coveredFromMs), periodEnd: E, amountPaidCents: prorationCents(from, to, coveredFromMs), ...overrides };
}

const rank = (plan: PlanId) => PLANS[plan].monthlyCredits;
const UPGRADES: ReadonlyArray<[PaidPlanId, PaidPlanId]> = [['BEGINNER', 'PRO'], ['BEGINNER', 'TEAM'], ['PRO', 'TEAM']];
const upgradePairArb = fc.constantFrom(...UPGRADES);

const STATUSES = ['active', 'trialing', 'past_due', 'incomplete', 'incomplete_expired', 'unpaid', 'canceled'] as const;
const PAYING = new Set<string>(['active', 'trialing', 'past_due']);

describe('applySubscriptionChange: ordering', () => {
  test('an event older than the last applied one is ignored; an equal or newer one is applied', () => {
    fc.assert(
      fc.property(paidPlanArb, paidPlanArb, fc.constantFrom(...STATUSES), fc.oneof(fc.constantFrom(-1, 0, 1), fc.integer({ min: -DAY_MS, max: DAY_MS })), (current, plan, status, deltaMs) => {
        // prepare
        const account = paidAccount(current, { subscription: { subscriptionId: 'sub_1', pendingPlan: null, lastEventAt: iso(NOW_MS) } });
        const event = facts(plan, { status, eventCreatedAt: iso(NOW_MS + deltaMs) });

        // act
        const result = applySubscriptionChange(Object.freeze(account), event);

        // assert
        expect(result === null).toBe(deltaMs < 0);
        if (result) expect(result.account.subscription.lastEventAt).toBe(event.eventCreatedAt);
      }),
    );
  });

  test('whatever order events arrive in, lastEventAt ends at the newest one and every older event is then ignored', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 5 * DAY_MS }), { minLength: 1, maxLength: 8 }), fc.array(paidPlanArb, { minLength: 8, maxLength: 8 }), (offsets, plans) => {
        // prepare
        const events = offsets.map((offset, i) => facts(plans[i]!, { eventCreatedAt: iso(S_MS + offset) }));
        let account = freeAccount();
        let applied = 0;

        // act
        for (const event of events) {
          const result = applySubscriptionChange(account, event);
          if (result) {
            account = result.account;
            applied += 1;
          }
        }

        // assert
        const newest = Math.max(...offsets);
        expect(account.subscription.lastEventAt).toBe(iso(S_MS + newest));
        // The version is the store's: however many changes applied, none touched it.
        expect(account.version).toBe(1);
        expect(applied).toBeGreaterThan(0);
        for (const event of events.filter((e) => e.eventCreatedAt < iso(S_MS + newest))) expect(applySubscriptionChange(account, event)).toBeNull();
      }),
    );
  });
});

describe('applySubscriptionChange: first subscription', () => {
  test('sets the plan only when the subscription is active, trialing or past_due (incomplete keeps FREE); grants nothing by itself', () => {
    fc.assert(
      fc.property(paidPlanArb, fc.constantFrom(...STATUSES), fc.boolean(), (plan, status, cancelAtPeriodEnd) => {
        // prepare
        const account = freeAccount();
        const event = facts(plan, { status, cancelAtPeriodEnd });

        // act
        const result = applySubscriptionChange(Object.freeze(account), event)!;

        // assert
        expect(result.account.plan).toBe(PAYING.has(status) ? plan : 'FREE');
        expect(result.change).toEqual({ buckets: account.buckets, entries: [] });
        expect(result.account.buckets).toEqual(account.buckets);
        expect(result.account.subscription).toEqual({ subscriptionId: 'sub_1', pendingPlan: null, lastEventAt: event.eventCreatedAt });
        expect(result.account.version).toBe(account.version);
        if (PAYING.has(status)) {
          // paid periods are granted when their invoice is paid, never by the clock
          expect(result.account.cancelAtPeriodEnd).toBe(cancelAtPeriodEnd);
          expect(result.account).toMatchObject({ currentPeriod: { start: S, end: E }, nextGrantAt: null, status: status === 'past_due' ? 'past_due' : 'active' });
        } else {
          // not paid: the FREE plan's status, period and grant schedule go on untouched
          expect(result.account).toMatchObject({ status: account.status, currentPeriod: account.currentPeriod, nextGrantAt: account.nextGrantAt, cancelAtPeriodEnd: account.cancelAtPeriodEnd });
        }
      }),
    );
  });
});

const expectedStatus = (status: string) => (status === 'active' || status === 'trialing' ? 'active' : status === 'canceled' ? 'canceled' : 'past_due');

describe('applySubscriptionChange: upgrade', () => {
  test('a higher plan reported by the provider grants nothing and does not raise the plan, whatever the status: only its paid invoice does', () => {
    fc.assert(
      fc.property(upgradePairArb, fc.constantFrom(...STATUSES), fc.option(paidPlanArb), fc.boolean(), fc.boolean(), ([from, to], status, pendingPlan, cancelAtPeriodEnd, renewal) => {
        // prepare: the event reports the current period, or the next one (renewed at the higher price)
        const account = paidAccount(from, { subscription: { subscriptionId: 'sub_1', pendingPlan, lastEventAt: S } });
        const period = renewal ? { periodStart: E, periodEnd: NEXT_END } : { periodStart: S, periodEnd: E };
        const event = facts(to, { status, cancelAtPeriodEnd, ...period });

        // act
        const result = applySubscriptionChange(Object.freeze(account), event)!;

        // assert: only status and period bookkeeping
        expect(result.account.plan).toBe(from);
        expect(result.change).toEqual({ buckets: account.buckets, entries: [] });
        expect(result.account.buckets).toEqual(account.buckets);
        expect(result.account.subscription).toEqual({ subscriptionId: 'sub_1', pendingPlan, lastEventAt: event.eventCreatedAt });
        expect(result.account).toMatchObject({ version: account.version, status: expectedStatus(status), cancelAtPeriodEnd, nextGrantAt: null, currentPeriod: { start: period.periodStart, end: period.periodEnd } });
      }),
    );
  });

  test('no subscription event grants credits or raises a paid plan, for any plan in force, reported plan, status and period', () => {
    fc.assert(
      fc.property(fc.constantFrom<PlanId>('FREE', ...PAID), paidPlanArb, fc.constantFrom(...STATUSES), fc.option(paidPlanArb), fc.integer({ min: -2, max: 2 }), (current, plan, status, pendingPlan, periodShift) => {
        // prepare
        const account = current === 'FREE' ? freeAccount() : paidAccount(current, { subscription: { subscriptionId: 'sub_1', pendingPlan, lastEventAt: S } });
        const periodStart = periodStartAt(new Date(S_MS), periodShift).toISOString();
        const periodEnd = periodStartAt(new Date(S_MS), periodShift + 1).toISOString();

        // act
        const result = applySubscriptionChange(Object.freeze(account), facts(plan, { status, periodStart, periodEnd }))!;

        // assert
        expect(result.change.entries).toEqual([]);
        expect(result.account.buckets).toEqual(account.buckets);
        if (current !== 'FREE') expect(rank(result.account.plan)).toBeLessThanOrEqual(rank(current));
      }),
    );
  });
});

describe('upgradeCredits', () => {
  const coveredFromArb = fc.oneof(fc.constantFrom(S_MS, E_MS, S_MS + 1, E_MS - 1, S_MS - 1, E_MS + 1), fc.integer({ min: S_MS - DAY_MS, max: E_MS + DAY_MS }));
  const amountArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: -1_000, max: -1 }));
  const input = (from: PaidPlanId, to: PaidPlanId, coveredFromMs: number, amountPaidCents: number) => ({ from, to, coveredFrom: iso(coveredFromMs), periodStart: S, periodEnd: E, amountPaidCents });

  test('is the monthly difference for the covered time, capped by what the amount paid buys (BigInt oracle)', () => {
    fc.assert(
      fc.property(paidPlanArb, paidPlanArb, coveredFromArb, amountArb, (from, to, coveredFromMs, amount) => {
        expect(upgradeCredits(input(from, to, coveredFromMs, amount))).toBe(expectedUpgradeCredits(from, to, coveredFromMs, amount));
      }),
    );
  });

  test("the amount paid caps the grant at the plans' own rate; paying the full prorated difference buys the full proration", () => {
    fc.assert(
      fc.property(upgradePairArb, coveredFromArb, fc.integer({ min: 0, max: 20_000 }), ([from, to], coveredFromMs, amount) => {
        // prepare
        const dCredits = PLANS[to].monthlyCredits - PLANS[from].monthlyCredits;
        const dPrice = PLANS[to].priceCents - PLANS[from].priceCents;
        const covered = Math.min(Math.max(E_MS - coveredFromMs, 0), E_MS - S_MS);
        const fullPrice = Number((BigInt(dPrice) * BigInt(covered) + BigInt(E_MS - S_MS - 1)) / BigInt(E_MS - S_MS)); // ceil

        // act
        const capped = upgradeCredits(input(from, to, coveredFromMs, amount));
        const full = upgradeCredits(input(from, to, coveredFromMs, fullPrice));

        // assert
        expect(capped * dPrice).toBeLessThanOrEqual(amount * dCredits);
        expect(full).toBe(Number((BigInt(dCredits) * BigInt(covered)) / BigInt(E_MS - S_MS)));
        expect(upgradeCredits(input(from, to, coveredFromMs, amount + 1))).toBeGreaterThanOrEqual(capped);
      }),
    );
  });

  test('is a whole number ≥ 0 for any input (even a period that ends before it starts), and 0 for the same or a lower plan', () => {
    fc.assert(
      fc.property(paidPlanArb, paidPlanArb, coveredFromArb, amountArb, fc.integer({ min: -DAY_MS, max: 40 * DAY_MS }), (from, to, coveredFromMs, amount, lengthMs) => {
        // act
        const credits = upgradeCredits({ from, to, coveredFrom: iso(coveredFromMs), periodStart: S, periodEnd: iso(S_MS + lengthMs), amountPaidCents: amount });

        // assert
        expect(Number.isSafeInteger(credits)).toBe(true);
        expect(credits).toBeGreaterThanOrEqual(0);
        if (rank(to) <= rank(from) || lengthMs <= 0 || amount <= 0) expect(credits).toBe(0);
        expect(credits).toBeLessThanOrEqual(Math.max(rank(to) - rank(from), 0));
      }),
    );
  });

  test('example: BEGINNER → PRO with a quarter of the period left, paid in full, buys a quarter of 4800', () => {
    // prepare: a period of exactly 4 days, 1 day left; a quarter of $30 is 750 cents
    const start = iso(NOW_MS - 3 * DAY_MS);
    const end = iso(NOW_MS + DAY_MS);

    // act
    const paid = upgradeCredits({ from: 'BEGINNER', to: 'PRO', coveredFrom: iso(NOW_MS), periodStart: start, periodEnd: end, amountPaidCents: 750 });
    const short = upgradeCredits({ from: 'BEGINNER', to: 'PRO', coveredFrom: iso(NOW_MS), periodStart: start, periodEnd: end, amountPaidCents: 749 });

    // assert
    expect(paid).toBe(1200);
    expect(short).toBe(Math.floor((749 * 4800) / 3000));
  });
});

describe('grantPaidUpgrade', () => {
  const coveredFromArb = fc.oneof(fc.constantFrom(S_MS, NOW_MS, E_MS - 1), fc.integer({ min: S_MS, max: E_MS - 1 }));
  const bucketOf = (invoiceId: string, periodStart = S) => `sub:${periodStart}:upgrade:${invoiceId}`;

  test('an upgrade invoice paid in its period: grants upgradeCredits once into sub:<periodStart>:upgrade:<invoice>, expiring at period end; raises the plan and clears a pending downgrade', () => {
    fc.assert(
      fc.property(
        upgradePairArb,
        coveredFromArb,
        fc.integer({ min: 0, max: 3 * DAY_MS }),
        fc.option(fc.integer({ min: 0, max: 20_000 })),
        fc.constantFrom<PlanId | null>(null, 'BEGINNER'),
        fc.constantFrom<'active' | 'past_due'>('active', 'past_due'),
        ([from, to], coveredFromMs, delayMs, amount, pendingPlan, status) => {
          // prepare: delivered a little after the change, still inside the period
          const account = paidAccount(from, { status, subscription: { subscriptionId: 'sub_1', pendingPlan, lastEventAt: S } });
          const upgrade = paidUpgrade(from, to, { coveredFrom: iso(coveredFromMs), ...(amount === null ? {} : { amountPaidCents: amount }) });
          const now = new Date(Math.min(coveredFromMs + delayMs, E_MS - 1));

          // act
          const first = grantPaidUpgrade(Object.freeze(account), upgrade, now)!;
          const again = grantPaidUpgrade(first.account, upgrade, new Date(now.getTime() + delayMs));

          // assert
          const credits = expectedUpgradeCredits(from, to, coveredFromMs, upgrade.amountPaidCents);
          const bucketId = bucketOf('in_up_1');
          expect(first.credits).toBe(credits);
          expect(first.bucketId).toBe(credits > 0 ? bucketId : null);
          expect(first.change.entries).toEqual(credits > 0 ? [{ type: 'grant', amount: credits, bucketId, bucketType: 'subscription', balanceAfter: credits, reference: `upgrade:${to}:in_up_1` }] : []);
          expect(first.account.buckets).toEqual(credits > 0 ? [...account.buckets, { id: bucketId, type: 'subscription', balance: credits, expiresAt: E, createdAt: now.toISOString() }] : account.buckets);
          expect(first.change.buckets).toEqual(first.account.buckets);
          expect(first.account).toMatchObject({ plan: to, status: 'active', version: account.version, currentPeriod: account.currentPeriod, subscription: { subscriptionId: 'sub_1', pendingPlan: null, lastEventAt: S } });
          // once per invoice: a repeat grants nothing more
          if (credits > 0) expect(again).toBeNull();
          else expect(again?.change.entries ?? []).toEqual([]);
        },
      ),
    );
  });

  test('an invoice for a period that is over (an earlier period, or delivered after its end) grants 0 credits and raises nothing', () => {
    fc.assert(
      fc.property(upgradePairArb, fc.constantFrom('earlier period', 'delivered after the end', 'account renewed since'), fc.integer({ min: 0, max: 3 * DAY_MS }), ([from, to], when, lateMs) => {
        // prepare
        const PREV = periodStartAt(new Date(S_MS), -1).toISOString();
        const cases = {
          'earlier period': { account: paidAccount(from), upgrade: paidUpgrade(from, to, { coveredFrom: iso(Date.parse(PREV) + DAY_MS), periodEnd: S, amountPaidCents: 1_000 }), now: NOW },
          'delivered after the end': { account: paidAccount(from), upgrade: paidUpgrade(from, to), now: new Date(E_MS + lateMs) },
          'account renewed since': { account: paidAccount(from, { currentPeriod: { start: E, end: NEXT_END } }), upgrade: paidUpgrade(from, to), now: new Date(E_MS + lateMs) },
        };
        const { account, upgrade, now } = cases[when];

        // act
        const result = grantPaidUpgrade(Object.freeze(account), upgrade, now)!;

        // assert
        expect(result).toMatchObject({ credits: 0, bucketId: null });
        expect(result.change.entries).toEqual([]);
        expect(result.account.buckets).toEqual(account.buckets);
        expect(result.account.plan).toBe(from);
      }),
    );
  });

  test('an invoice for a plan not above the one in force still grants what it bought, without lowering the plan', () => {
    // prepare: PRO → TEAM was applied first; the earlier BEGINNER → PRO invoice arrives after it
    const account = paidAccount('TEAM');

    // act
    const result = grantPaidUpgrade(account, paidUpgrade('BEGINNER', 'PRO'), NOW)!;

    // assert
    expect(result.credits).toBe(expectedUpgradeCredits('BEGINNER', 'PRO', NOW_MS, prorationCents('BEGINNER', 'PRO', NOW_MS)));
    expect(result.credits).toBeGreaterThan(0);
    expect(result.account.plan).toBe('TEAM');
  });

  test('example: PRO with a pending downgrade to BEGINNER, then PRO → TEAM paid: TEAM, nothing pending', () => {
    // prepare
    const pending = applySubscriptionChange(paidAccount('PRO'), facts('BEGINNER'))!.account;

    // act
    const result = grantPaidUpgrade(pending, paidUpgrade('PRO', 'TEAM'), NOW)!;

    // assert
    expect(pending.subscription.pendingPlan).toBe('BEGINNER');
    expect(result.account.plan).toBe('TEAM');
    expect(result.account.subscription.pendingPlan).toBeNull();
  });

  test('two paid upgrade invoices in one period (BEGINNER → PRO, then PRO → TEAM), in either order: each grants its own bucket once; the plan ends TEAM', () => {
    fc.assert(
      fc.property(fc.integer({ min: S_MS, max: E_MS - 2 * DAY_MS }), fc.integer({ min: 1_000, max: DAY_MS }), fc.boolean(), (firstMs, gapMs, reversed) => {
        // prepare
        const account = paidAccount('BEGINNER');
        const toPro = paidUpgrade('BEGINNER', 'PRO', { invoiceId: 'in_up_1', coveredFrom: iso(firstMs) });
        const toTeam = paidUpgrade('PRO', 'TEAM', { invoiceId: 'in_up_2', coveredFrom: iso(firstMs + gapMs) });
        const order = reversed ? [toTeam, toPro] : [toPro, toTeam];
        const now = new Date(firstMs + gapMs + 1_000);
        const entries: LedgerDraft[] = [];

        // act
        let current = account;
        for (const upgrade of [...order, ...order]) {
          const result = grantPaidUpgrade(current, upgrade, now);
          if (!result) continue;
          current = result.account;
          entries.push(...result.change.entries);
        }

        // assert
        const proCredits = expectedUpgradeCredits('BEGINNER', 'PRO', firstMs, toPro.amountPaidCents);
        const teamCredits = expectedUpgradeCredits('PRO', 'TEAM', firstMs + gapMs, toTeam.amountPaidCents);
        const expected = [{ bucketId: bucketOf('in_up_1'), amount: proCredits }, { bucketId: bucketOf('in_up_2'), amount: teamCredits }].filter((g) => g.amount > 0);
        expect(entries.map((e) => ({ bucketId: e.bucketId, amount: e.amount })).sort((a, b) => a.bucketId.localeCompare(b.bucketId))).toEqual(expected);
        expect(entries.every((e) => e.type === 'grant')).toBe(true);
        expect(current.plan).toBe('TEAM');
        expect(balanceOf(current.buckets, bucketOf('in_up_1'))).toBe(proCredits || undefined);
        expect(balanceOf(current.buckets, bucketOf('in_up_2'))).toBe(teamCredits || undefined);
        const ledger = replayLedger(account.buckets, entries);
        expect(ledger.mismatches).toEqual([]);
        for (const b of current.buckets) expect(ledger.balances.get(b.id)).toBe(b.balance);
      }),
    );
  });

  test("with the provider's subscription event for the higher plan, in either order, the paid invoice gives the same plan and credits", () => {
    fc.assert(
      fc.property(upgradePairArb, coveredFromArb, ([from, to], coveredFromMs) => {
        // prepare
        const account = paidAccount(from);
        const event = facts(to, { eventCreatedAt: iso(coveredFromMs) });
        const upgrade = paidUpgrade(from, to, { coveredFrom: iso(coveredFromMs) });
        const now = new Date(coveredFromMs);

        // act
        const eventFirst = grantPaidUpgrade(applySubscriptionChange(account, event)!.account, upgrade, now)!.account;
        const invoiceFirst = applySubscriptionChange(grantPaidUpgrade(account, upgrade, now)!.account, event)!.account;

        // assert
        expect(eventFirst.plan).toBe(to);
        expect(invoiceFirst.plan).toBe(to);
        expect(eventFirst.buckets).toEqual(invoiceFirst.buckets);
      }),
    );
  });
});

describe('applySubscriptionChange: downgrade', () => {
  const downgradeArb = fc.constantFrom<[PaidPlanId, PaidPlanId]>(['PRO', 'BEGINNER'], ['TEAM', 'BEGINNER'], ['TEAM', 'PRO']);

  test('waits for the renewal (pendingPlan); takes effect when the event period starts at or after the current period end', () => {
    fc.assert(
      fc.property(downgradeArb, fc.oneof(fc.constantFrom(-1, 0, 1), fc.integer({ min: -20 * DAY_MS, max: 20 * DAY_MS })), ([from, to], startOffsetMs) => {
        // prepare
        const account = paidAccount(from);
        const periodStart = iso(E_MS + startOffsetMs);
        const periodEnd = periodStartAt(new Date(E_MS + startOffsetMs), 1).toISOString();

        // act
        const result = applySubscriptionChange(Object.freeze(account), facts(to, { periodStart, periodEnd }))!;

        // assert
        const renewed = startOffsetMs >= 0;
        expect(result.account.plan).toBe(renewed ? to : from);
        expect(result.account.subscription.pendingPlan).toBe(renewed ? null : to);
        expect(result.change.entries).toEqual([]);
        expect(result.account.buckets).toEqual(account.buckets);
        expect(result.account.currentPeriod).toEqual({ start: periodStart, end: periodEnd });
      }),
    );
  });

  test('going back to the plan in force cancels a pending downgrade', () => {
    const pending = applySubscriptionChange(paidAccount('PRO'), facts('BEGINNER'))!.account;

    const back = applySubscriptionChange(pending, facts('PRO', { eventCreatedAt: iso(NOW_MS + 1) }))!;

    expect(pending.subscription.pendingPlan).toBe('BEGINNER');
    expect(back.account.plan).toBe('PRO');
    expect(back.account.subscription.pendingPlan).toBeNull();
    expect(back.change.entries).toEqual([]);
  });
});

describe('grantPaidPeriod', () => {
  test("grants the plan's monthly credits once per period, expiring at its end; a repeat returns null", () => {
    fc.assert(
      fc.property(paidPlanArb, fc.integer({ min: 0, max: 5 * DAY_MS }), (plan, lateMs) => {
        // prepare: the renewal period [E, NEXT_END) is paid, on time or late
        const account = paidAccount(plan);
        const now = new Date(E_MS + lateMs);
        const period = { subscriptionId: 'sub_1', start: E, end: NEXT_END, plan: null };

        // act
        const first = grantPaidPeriod(Object.freeze(account), period, now)!;
        const again = grantPaidPeriod(first.account, period, new Date(now.getTime() + 1));

        // assert
        const credits = PLANS[plan].monthlyCredits;
        expect(first.change.entries).toEqual([{ type: 'grant', amount: credits, bucketId: `sub:${E}`, bucketType: 'subscription', balanceAfter: credits, reference: `period:${E}` }]);
        expect(first.account.buckets).toEqual([...account.buckets, { id: `sub:${E}`, type: 'subscription', balance: credits, expiresAt: NEXT_END, createdAt: now.toISOString() }]);
        expect(first.account).toMatchObject({ plan, version: account.version, currentPeriod: { start: E, end: NEXT_END } });
        expect(again).toBeNull();
        // the current period was already granted: its invoice (redelivered) grants nothing
        expect(grantPaidPeriod(account, { subscriptionId: 'sub_1', start: S, end: E, plan: null }, now)).toBeNull();
      }),
    );
  });

  test('a pending downgrade takes effect with the renewal it waited for, not with a payment for an earlier period', () => {
    fc.assert(
      fc.property(fc.constantFrom<[PaidPlanId, PaidPlanId]>(['PRO', 'BEGINNER'], ['TEAM', 'BEGINNER'], ['TEAM', 'PRO']), ([from, to]) => {
        // prepare
        const pending = applySubscriptionChange(paidAccount(from), facts(to))!.account;
        const earlier = { ...pending, buckets: [] };

        // act
        const renewal = grantPaidPeriod(pending, { subscriptionId: 'sub_1', start: E, end: NEXT_END, plan: null }, new Date(E_MS))!;
        const current = grantPaidPeriod(earlier, { subscriptionId: 'sub_1', start: S, end: E, plan: null }, NOW)!;

        // assert
        expect(renewal.change.entries.map((e) => e.amount)).toEqual([PLANS[to].monthlyCredits]);
        expect(renewal.account.plan).toBe(to);
        expect(renewal.account.subscription.pendingPlan).toBeNull();
        expect(current.change.entries.map((e) => e.amount)).toEqual([PLANS[from].monthlyCredits]);
        expect(current.account.plan).toBe(from);
        expect(current.account.subscription.pendingPlan).toBe(to);
        expect(current.account.currentPeriod).toEqual({ start: S, end: E });
      }),
    );
  });

  test('an invoice for a period older than the current one grants it without moving the current period back', () => {
    const account = paidAccount('PRO', { currentPeriod: { start: E, end: NEXT_END }, buckets: [] });

    const result = grantPaidPeriod(account, { subscriptionId: 'sub_1', start: S, end: E, plan: null }, NOW)!;

    expect(result.change.entries.map((e) => [e.bucketId, e.amount])).toEqual([[`sub:${S}`, PLANS.PRO.monthlyCredits]]);
    expect(result.account.currentPeriod).toEqual({ start: E, end: NEXT_END });
  });

  test("the invoice's plan, when the provider names it, is what is granted and the plan set, whatever is in force or pending", () => {
    fc.assert(
      fc.property(paidPlanArb, fc.option(paidPlanArb), paidPlanArb, (current, pendingPlan, invoicePlan) => {
        // prepare: the renewal [E, NEXT_END) is paid at the provider's price
        const account = paidAccount(current, { subscription: { subscriptionId: 'sub_1', pendingPlan, lastEventAt: S } });

        // act
        const result = grantPaidPeriod(account, { subscriptionId: 'sub_1', start: E, end: NEXT_END, plan: invoicePlan }, new Date(E_MS))!;

        // assert
        expect(result.change.entries.map((e) => [e.bucketId, e.amount])).toEqual([[`sub:${E}`, PLANS[invoicePlan].monthlyCredits]]);
        expect(result.account.plan).toBe(invoicePlan);
        expect(result.account.subscription.pendingPlan).toBe(pendingPlan === invoicePlan ? null : pendingPlan);
      }),
    );
  });

  test('a FREE account gets no paid grant', () => {
    expect(grantPaidPeriod({ ...freeAccount(), subscription: { subscriptionId: 'sub_1', pendingPlan: null, lastEventAt: S } }, { subscriptionId: 'sub_1', start: E, end: NEXT_END, plan: null }, NOW)).toBeNull();
  });
});

describe('endSubscription', () => {
  test('back to FREE with a FREE month from now; nextGrantAt is its end; stale events and FREE accounts are ignored', () => {
    fc.assert(
      fc.property(paidPlanArb, fc.boolean(), fc.integer({ min: 0, max: 40 * DAY_MS }), fc.integer({ min: -DAY_MS, max: DAY_MS }), (plan, pendingDowngrade, laterMs, eventDeltaMs) => {
        // prepare
        const account = paidAccount(plan, { cancelAtPeriodEnd: true, subscription: { subscriptionId: 'sub_1', pendingPlan: pendingDowngrade ? 'BEGINNER' : null, lastEventAt: iso(NOW_MS) } });
        const now = new Date(NOW_MS + laterMs);
        const event = { eventCreatedAt: iso(NOW_MS + eventDeltaMs) };

        // act
        const result = endSubscription(Object.freeze(account), event, now);

        // assert
        if (eventDeltaMs < 0) {
          expect(result).toBeNull();
          return;
        }
        const period = periodContaining(now, now);
        const bucketId = `sub:${now.toISOString()}`;
        expect(result!.account).toMatchObject({
          plan: 'FREE',
          status: 'active',
          cancelAtPeriodEnd: false,
          periodAnchor: now.toISOString(),
          currentPeriod: period,
          nextGrantAt: period.end,
          version: account.version,
          subscription: { subscriptionId: null, pendingPlan: null, lastEventAt: event.eventCreatedAt },
        });
        expect(result!.change.entries).toEqual([{ type: 'grant', amount: PLANS.FREE.monthlyCredits, bucketId, bucketType: 'subscription', balanceAfter: PLANS.FREE.monthlyCredits, reference: `period:${period.start}` }]);
        expect(result!.account.buckets.find((b) => b.id === bucketId)?.expiresAt).toBe(period.end);
        expect(endSubscription(result!.account, event, now)).toBeNull();
        // the clock grants the following FREE month on time
        const next = dueSubscriptionGrant(result!.account, new Date(period.end))!;
        expect(next.change.entries.map((e) => [e.bucketId, e.amount])).toEqual([[`sub:${period.end}`, PLANS.FREE.monthlyCredits]]);
      }),
    );
  });
});

describe('a subscription from start to end', () => {
  test('FREE → BEGINNER → upgrade to PRO (granted from its paid invoice) → downgrade to BEGINNER at renewal → cancelled back to FREE; the ledger explains the wallet', () => {
    // prepare
    let account = freeAccount();
    const entries: LedgerDraft[] = [];
    const apply = (result: { account: Account; change: WalletChange } | null) => {
      expect(result).not.toBeNull();
      account = result!.account;
      entries.push(...result!.change.entries);
    };
    const before = account.buckets;
    const midMs = S_MS + (E_MS - S_MS) / 2;
    const upgrade = paidUpgrade('BEGINNER', 'PRO', { coveredFrom: iso(midMs) });

    // act
    apply(applySubscriptionChange(account, facts('BEGINNER', { eventCreatedAt: S })));
    apply(grantPaidPeriod(account, { subscriptionId: 'sub_1', start: S, end: E, plan: 'BEGINNER' }, new Date(S_MS)));
    // the provider reports the higher price: nothing yet
    apply(applySubscriptionChange(account, facts('PRO', { eventCreatedAt: iso(midMs) })));
    const beforeInvoice = { plan: account.plan, credits: sumBalances(account.buckets) };
    // its prorated invoice is paid: half of $30 (1500 cents) buys half of 4800
    apply(grantPaidUpgrade(account, upgrade, new Date(midMs + 1_000)));
    expect(grantPaidUpgrade(account, upgrade, new Date(midMs + 2_000))).toBeNull();
    apply(applySubscriptionChange(account, facts('BEGINNER', { eventCreatedAt: iso(midMs + 1_000) })));
    const downgraded = account;
    apply(applySubscriptionChange(account, facts('BEGINNER', { periodStart: E, periodEnd: NEXT_END, eventCreatedAt: E })));
    apply(grantPaidPeriod(account, { subscriptionId: 'sub_1', start: E, end: NEXT_END, plan: 'BEGINNER' }, new Date(E_MS)));
    apply(endSubscription(account, { eventCreatedAt: NEXT_END }, new Date(NEXT_END)));

    // assert
    expect(beforeInvoice).toEqual({ plan: 'BEGINNER', credits: sumBalances(before) + 1200 });
    expect(upgrade.amountPaidCents).toBe(1500);
    expect(downgraded).toMatchObject({ plan: 'PRO', subscription: { pendingPlan: 'BEGINNER' } });
    expect(entries.map((e) => [e.type, e.bucketId, e.amount])).toEqual([
      ['grant', `sub:${S}`, 1200],
      ['grant', `sub:${S}:upgrade:in_up_1`, 2400],
      ['grant', `sub:${E}`, 1200],
      ['grant', `sub:${NEXT_END}`, 100],
    ]);
    expect(account.buckets.find((b) => b.id === `sub:${S}:upgrade:in_up_1`)?.expiresAt).toBe(E);
    expect(account).toMatchObject({ plan: 'FREE', nextGrantAt: periodStartAt(new Date(NEXT_END), 1).toISOString(), subscription: { subscriptionId: null, pendingPlan: null } });
    const ledger = replayLedger(before, entries);
    expect(ledger.mismatches).toEqual([]);
    for (const b of account.buckets) expect(ledger.balances.get(b.id)).toBe(balanceOf(account.buckets, b.id));
  });
});

describe('regressions', () => {
  test('an upgrade whose exact proration is a whole number grants all of it (no float rounding down)', () => {
    // prepare: BEGINNER → PRO with 30,690 s left of a 2,678,400 s period: 4,800 × 30,690 / 2,678,400 = 55 exactly
    const start = '2026-03-05T12:00:00.000Z';
    const end = '2026-04-05T12:00:00.000Z';
    const coveredFrom = '2026-04-05T03:28:30.000Z';
    const account = paidAccount('BEGINNER', { currentPeriod: { start, end }, buckets: [] });
    // what the provider charges: round(3999 × f) − round(999 × f) = 46 − 11 cents, which buys 56
    const upgrade = paidUpgrade('BEGINNER', 'PRO', { coveredFrom, periodEnd: end, amountPaidCents: 35 });

    // act
    const credits = upgradeCredits({ ...upgrade, periodStart: start, periodEnd: end });
    const result = grantPaidUpgrade(account, upgrade, new Date(coveredFrom))!;

    // assert
    expect(credits).toBe(55);
    expect(result.change.entries.map((e) => e.amount)).toEqual([55]);
  });

  test('a subscription that never gets paid (incomplete, then expired) leaves the FREE grants going', () => {
    // prepare
    const account = freeAccount();

    // act
    const incomplete = applySubscriptionChange(account, facts('BEGINNER', { status: 'incomplete' }))!.account;
    const expired = applySubscriptionChange(incomplete, facts('BEGINNER', { status: 'incomplete_expired', eventCreatedAt: iso(NOW_MS + 1000) }))!.account;

    // assert
    expect(expired).toMatchObject({ plan: 'FREE', status: 'active', nextGrantAt: account.nextGrantAt, currentPeriod: account.currentPeriod });
    expect(dueSubscriptionGrant(expired, new Date(Date.parse(account.nextGrantAt!) + 1000))).not.toBeNull();
  });
});
