import fc from 'fast-check';
import type { Account } from '../../../lambdas/domain/account';
import { openAccount } from '../../../lambdas/domain/account';
import { periodContaining, periodStartAt } from '../../../lambdas/domain/billing-period';
import type { PlanId } from '../../../lambdas/domain/catalog';
import { PLANS } from '../../../lambdas/domain/catalog';
import type { PaidPlanId, SubscriptionFacts } from '../../../lambdas/domain/subscription';
import { applySubscriptionChange, endSubscription, grantPaidPeriod } from '../../../lambdas/domain/subscription';
import { dueSubscriptionGrant } from '../../../lambdas/domain/subscription-grant';
import type { Bucket, LedgerDraft, WalletChange } from '../../../lambdas/domain/wallet';
import { DAY_MS, NOW, NOW_MS, balanceOf, iso, replayLedger, sumBalances } from './arbitraries';

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

/** Oracle: floor(diff × remaining fraction of [S, E) at now), in exact integer arithmetic. */
function expectedProration(from: PlanId, to: PlanId, nowMs: number): number {
  const diff = BigInt(PLANS[to].monthlyCredits - PLANS[from].monthlyCredits);
  if (nowMs <= S_MS) return Number(diff);
  if (nowMs >= E_MS) return 0;
  return Number((diff * BigInt(E_MS - nowMs)) / BigInt(E_MS - S_MS));
}

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
        const result = applySubscriptionChange(Object.freeze(account), event, NOW);

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
          const result = applySubscriptionChange(account, event, NOW);
          if (result) {
            account = result.account;
            applied += 1;
          }
        }

        // assert
        const newest = Math.max(...offsets);
        expect(account.subscription.lastEventAt).toBe(iso(S_MS + newest));
        expect(account.version).toBe(1 + applied);
        for (const event of events.filter((e) => e.eventCreatedAt < iso(S_MS + newest))) expect(applySubscriptionChange(account, event, NOW)).toBeNull();
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
        const result = applySubscriptionChange(Object.freeze(account), event, NOW)!;

        // assert
        expect(result.account.plan).toBe(PAYING.has(status) ? plan : 'FREE');
        expect(result.change).toEqual({ buckets: account.buckets, entries: [] });
        expect(result.account.buckets).toEqual(account.buckets);
        expect(result.account.subscription).toEqual({ subscriptionId: 'sub_1', pendingPlan: null, lastEventAt: event.eventCreatedAt });
        expect(result.account.version).toBe(account.version + 1);
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

describe('applySubscriptionChange: upgrade', () => {
  const upgradeArb = fc
    .tuple(fc.constantFrom<[PaidPlanId, PaidPlanId]>(['BEGINNER', 'PRO'], ['BEGINNER', 'TEAM'], ['PRO', 'TEAM']), fc.oneof(fc.constantFrom(S_MS, E_MS, S_MS + 1, E_MS - 1), fc.integer({ min: S_MS - DAY_MS, max: E_MS + DAY_MS })))
    .map(([[from, to], nowMs]) => ({ from, to, nowMs }));

  test('takes effect at once and grants floor(difference × remaining fraction) into sub:<periodStart>:<plan>, expiring at period end', () => {
    fc.assert(
      fc.property(upgradeArb, ({ from, to, nowMs }) => {
        // prepare
        const account = paidAccount(from, { subscription: { subscriptionId: 'sub_1', pendingPlan: 'BEGINNER', lastEventAt: S } });
        const now = new Date(nowMs);

        // act
        const result = applySubscriptionChange(Object.freeze(account), facts(to), now)!;

        // assert
        const credits = expectedProration(from, to, nowMs);
        const bucketId = `sub:${S}:${to}`;
        expect(result.account.plan).toBe(to);
        expect(result.account.subscription.pendingPlan).toBeNull();
        expect(result.change.entries).toEqual(credits > 0 ? [{ type: 'grant', amount: credits, bucketId, bucketType: 'subscription', balanceAfter: credits, reference: `upgrade:${to}:${S}` }] : []);
        expect(result.account.buckets).toEqual(credits > 0 ? [...account.buckets, { id: bucketId, type: 'subscription', balance: credits, expiresAt: E, createdAt: iso(nowMs) }] : account.buckets);
        expect(result.change.buckets).toEqual(result.account.buckets);
      }),
    );
  });

  test('the prorated grant happens once: a repeated event or an already granted bucket grants nothing more', () => {
    fc.assert(
      fc.property(upgradeArb, fc.integer({ min: 0, max: DAY_MS }), ({ from, to, nowMs }, laterMs) => {
        // prepare
        const account = paidAccount(from);
        const first = applySubscriptionChange(account, facts(to), new Date(nowMs))!;
        const granted = sumBalances(first.account.buckets);

        // act
        const repeated = applySubscriptionChange(first.account, facts(to, { eventCreatedAt: iso(NOW_MS + laterMs) }), new Date(nowMs + laterMs))!;
        // a wallet that already holds this upgrade's bucket (the same upgrade applied before)
        const replayed = applySubscriptionChange({ ...account, buckets: first.account.buckets }, facts(to), new Date(nowMs))!;

        // assert
        expect(repeated.change.entries).toEqual([]);
        expect(sumBalances(repeated.account.buckets)).toBe(granted);
        expect(replayed.change.entries).toEqual([]);
        expect(replayed.account.plan).toBe(to);
      }),
    );
  });

  test('example: BEGINNER → PRO with a quarter of the period left grants a quarter of 4800', () => {
    // prepare: a period of exactly 4 days, 1 day left
    const start = iso(NOW_MS - 3 * DAY_MS);
    const end = iso(NOW_MS + DAY_MS);
    const account = paidAccount('BEGINNER', { currentPeriod: { start, end } });

    // act
    const result = applySubscriptionChange(account, facts('PRO', { periodStart: start, periodEnd: end }), NOW)!;

    // assert
    expect(result.change.entries).toEqual([expect.objectContaining({ type: 'grant', amount: 1200, bucketId: `sub:${start}:PRO`, reference: `upgrade:PRO:${start}` })]);
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
        const result = applySubscriptionChange(Object.freeze(account), facts(to, { periodStart, periodEnd }), NOW)!;

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
    const pending = applySubscriptionChange(paidAccount('PRO'), facts('BEGINNER'), NOW)!.account;

    const back = applySubscriptionChange(pending, facts('PRO', { eventCreatedAt: iso(NOW_MS + 1) }), NOW)!;

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
        const period = { subscriptionId: 'sub_1', start: E, end: NEXT_END };

        // act
        const first = grantPaidPeriod(Object.freeze(account), period, now)!;
        const again = grantPaidPeriod(first.account, period, new Date(now.getTime() + 1));

        // assert
        const credits = PLANS[plan].monthlyCredits;
        expect(first.change.entries).toEqual([{ type: 'grant', amount: credits, bucketId: `sub:${E}`, bucketType: 'subscription', balanceAfter: credits, reference: `period:${E}` }]);
        expect(first.account.buckets).toEqual([...account.buckets, { id: `sub:${E}`, type: 'subscription', balance: credits, expiresAt: NEXT_END, createdAt: now.toISOString() }]);
        expect(first.account).toMatchObject({ plan, version: account.version + 1, currentPeriod: { start: E, end: NEXT_END } });
        expect(again).toBeNull();
        // the current period was already granted: its invoice (redelivered) grants nothing
        expect(grantPaidPeriod(account, { subscriptionId: 'sub_1', start: S, end: E }, now)).toBeNull();
      }),
    );
  });

  test('a pending downgrade takes effect with the renewal it waited for, not with a payment for an earlier period', () => {
    fc.assert(
      fc.property(fc.constantFrom<[PaidPlanId, PaidPlanId]>(['PRO', 'BEGINNER'], ['TEAM', 'BEGINNER'], ['TEAM', 'PRO']), ([from, to]) => {
        // prepare
        const pending = applySubscriptionChange(paidAccount(from), facts(to), NOW)!.account;
        const earlier = { ...pending, buckets: [] };

        // act
        const renewal = grantPaidPeriod(pending, { subscriptionId: 'sub_1', start: E, end: NEXT_END }, new Date(E_MS))!;
        const current = grantPaidPeriod(earlier, { subscriptionId: 'sub_1', start: S, end: E }, NOW)!;

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

    const result = grantPaidPeriod(account, { subscriptionId: 'sub_1', start: S, end: E }, NOW)!;

    expect(result.change.entries.map((e) => [e.bucketId, e.amount])).toEqual([[`sub:${S}`, PLANS.PRO.monthlyCredits]]);
    expect(result.account.currentPeriod).toEqual({ start: E, end: NEXT_END });
  });

  test('a FREE account gets no paid grant', () => {
    expect(grantPaidPeriod({ ...freeAccount(), subscription: { subscriptionId: 'sub_1', pendingPlan: null, lastEventAt: S } }, { subscriptionId: 'sub_1', start: E, end: NEXT_END }, NOW)).toBeNull();
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
          version: account.version + 1,
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
  test('FREE → BEGINNER → upgrade to PRO → downgrade to BEGINNER at renewal → cancelled back to FREE; the ledger explains the wallet', () => {
    // prepare
    let account = freeAccount();
    const entries: LedgerDraft[] = [];
    const apply = (result: { account: Account; change: WalletChange } | null) => {
      expect(result).not.toBeNull();
      account = result!.account;
      entries.push(...result!.change.entries);
    };
    const before = account.buckets;
    const midPeriod = new Date(S_MS + (E_MS - S_MS) / 2);

    // act
    apply(applySubscriptionChange(account, facts('BEGINNER', { eventCreatedAt: S }), new Date(S_MS)));
    apply(grantPaidPeriod(account, { subscriptionId: 'sub_1', start: S, end: E }, new Date(S_MS)));
    apply(applySubscriptionChange(account, facts('PRO', { eventCreatedAt: iso(midPeriod.getTime()) }), midPeriod));
    apply(applySubscriptionChange(account, facts('BEGINNER', { eventCreatedAt: iso(midPeriod.getTime() + 1) }), midPeriod));
    apply(grantPaidPeriod(account, { subscriptionId: 'sub_1', start: E, end: NEXT_END }, new Date(E_MS)));
    apply(endSubscription(account, { eventCreatedAt: NEXT_END }, new Date(NEXT_END)));

    // assert
    expect(entries.map((e) => [e.type, e.bucketId, e.amount])).toEqual([
      ['grant', `sub:${S}`, 1200],
      ['grant', `sub:${S}:PRO`, 2400],
      ['grant', `sub:${E}`, 1200],
      ['grant', `sub:${NEXT_END}`, 100],
    ]);
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
    const account = paidAccount('BEGINNER', { currentPeriod: { start, end }, buckets: [] });

    // act
    const result = applySubscriptionChange(account, facts('PRO', { periodStart: start, periodEnd: end }), new Date('2026-04-05T03:28:30.000Z'))!;

    // assert
    expect(result.change.entries.map((e) => e.amount)).toEqual([55]);
  });

  test('a subscription that never gets paid (incomplete, then expired) leaves the FREE grants going', () => {
    // prepare
    const account = freeAccount();

    // act
    const incomplete = applySubscriptionChange(account, facts('BEGINNER', { status: 'incomplete' }), NOW)!.account;
    const expired = applySubscriptionChange(incomplete, facts('BEGINNER', { status: 'incomplete_expired', eventCreatedAt: iso(NOW_MS + 1000) }), NOW)!.account;

    // assert
    expect(expired).toMatchObject({ plan: 'FREE', status: 'active', nextGrantAt: account.nextGrantAt, currentPeriod: account.currentPeriod });
    expect(dueSubscriptionGrant(expired, new Date(Date.parse(account.nextGrantAt!) + 1000))).not.toBeNull();
  });
});
