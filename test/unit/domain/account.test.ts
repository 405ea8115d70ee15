import fc from 'fast-check';
import { openAccount, paygTermsOf } from '../../../lambdas/domain/account';
import { PLANS, PLAN_IDS } from '../../../lambdas/domain/catalog';
import { DAY_MS, NOW } from './arbitraries';

const openedAtArb = fc.date({ min: new Date('2000-01-01T00:00:00.000Z'), max: new Date('2100-01-01T00:00:00.000Z'), noInvalidDate: true });

describe('openAccount', () => {
  test('opens on FREE at version 1 with one 100-credit subscription bucket expiring at the period end', () => {
    fc.assert(
      fc.property(openedAtArb, (now) => {
        // act
        const { account, change } = openAccount('acc_1', now);

        // assert
        const start = now.toISOString();
        const { end } = account.currentPeriod;
        expect(account).toMatchObject({ id: 'acc_1', version: 1, plan: 'FREE', status: 'active', createdAt: start, periodAnchor: start, nextGrantAt: end, paygEnabled: false, activeJobs: 0, cancelAtPeriodEnd: false });
        expect(account.currentPeriod.start).toBe(start);
        expect(Date.parse(end) - now.getTime()).toBeGreaterThanOrEqual(28 * DAY_MS);
        expect(account.buckets).toEqual([{ id: `sub:${start}`, type: 'subscription', balance: PLANS.FREE.monthlyCredits, expiresAt: end, createdAt: start }]);
        expect(change.buckets).toEqual(account.buckets);
        expect(change.entries).toEqual([{ type: 'grant', amount: 100, bucketId: `sub:${start}`, bucketType: 'subscription', balanceAfter: 100, reference: `period:${start}` }]);
      }),
    );
  });
});

describe('paygTermsOf', () => {
  test('PAYG is enabled only when the account opted in and the plan has a limit', () => {
    const { account } = openAccount('acc_1', NOW);

    for (const plan of PLAN_IDS) {
      for (const paygEnabled of [true, false]) {
        const terms = paygTermsOf({ ...account, plan, paygEnabled });

        expect(terms).toEqual({ enabled: paygEnabled && PLANS[plan].paygLimitCredits > 0, limitCredits: PLANS[plan].paygLimitCredits });
      }
    }
    expect(paygTermsOf({ ...account, plan: 'FREE', paygEnabled: true }).enabled).toBe(false);
  });
});
