import fc from 'fast-check';
import type { Account } from '../../../lambdas/domain/account';
import { openAccount } from '../../../lambdas/domain/account';
import { periodContaining } from '../../../lambdas/domain/billing-period';
import { PLAN_IDS } from '../../../lambdas/domain/catalog';
import { dueSubscriptionGrant } from '../../../lambdas/domain/subscription-grant';
import type { LedgerDraft } from '../../../lambdas/domain/wallet';
import { DAY_MS, NOW, NOW_MS } from './arbitraries';

const opened = (): Account => openAccount('acc_1', NOW).account;
const dueAt = (account: Account): number => Date.parse(account.nextGrantAt!);

describe('dueSubscriptionGrant', () => {
  test('nothing is due before nextGrantAt, nor when nextGrantAt is null', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 * DAY_MS }), (elapsedMs) => {
        const account = opened();
        const now = new Date(NOW_MS + elapsedMs);

        const result = dueSubscriptionGrant(account, now);

        expect(result === null).toBe(now.getTime() < dueAt(account));
        expect(dueSubscriptionGrant({ ...account, nextGrantAt: null }, now)).toBeNull();
      }),
    );
  });

  test('from nextGrantAt on, grants the period holding now exactly once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * DAY_MS }), (lateMs) => {
        // prepare
        const account = opened();
        const now = new Date(dueAt(account) + lateMs);
        const period = periodContaining(NOW, now);

        // act
        const first = dueSubscriptionGrant(account, now)!;
        const again = dueSubscriptionGrant(first.account, now);
        const stale = dueSubscriptionGrant({ ...first.account, nextGrantAt: account.nextGrantAt }, now)!;

        // assert
        expect(first.change.entries).toEqual([expect.objectContaining({ type: 'grant', amount: 100, bucketId: `sub:${period.start}`, balanceAfter: 100 })]);
        expect(first.account.buckets.find((b) => b.id === `sub:${period.start}`)?.expiresAt).toBe(period.end);
        expect(first.account).toMatchObject({ currentPeriod: period, nextGrantAt: period.end });
        expect(again).toBeNull();
        expect(stale.change.entries).toEqual([]);
        expect(stale.account.buckets).toEqual(first.account.buckets);
      }),
    );
  });

  test('over any timeline, each period the clock visits is granted once, missed periods never', () => {
    const timelineArb = fc.array(fc.integer({ min: 0, max: 50 * DAY_MS }), { maxLength: 25 });
    fc.assert(
      fc.property(timelineArb, (steps) => {
        // prepare
        let { account } = openAccount('acc_1', NOW);
        const grants: LedgerDraft[] = [];
        const visited = new Set([account.currentPeriod.start]);
        let nowMs = NOW_MS;

        // act
        for (const step of steps) {
          nowMs += step;
          visited.add(periodContaining(NOW, new Date(nowMs)).start);
          const due = dueSubscriptionGrant(account, new Date(nowMs));
          if (due) {
            account = due.account;
            grants.push(...due.change.entries);
          }
        }

        // assert
        expect(grants.map((e) => e.reference).sort()).toEqual([...visited].filter((s) => s !== NOW.toISOString()).map((s) => `period:${s}`).sort());
        expect(account.buckets.filter((b) => b.type === 'subscription')).toHaveLength(visited.size);
      }),
    );
  });

  test('skips paid plans: they are granted when their invoice is paid', () => {
    const account = opened();
    const now = new Date(dueAt(account));

    for (const plan of PLAN_IDS.filter((p) => p !== 'FREE')) {
      expect(dueSubscriptionGrant({ ...account, plan }, now)).toBeNull();
    }
    expect(dueSubscriptionGrant(account, now)).not.toBeNull();
  });
});
