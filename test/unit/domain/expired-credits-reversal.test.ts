/**
 * Credits that expired unused were never consumed. Taking back a payment takes from its bucket what
 * the bucket still holds, counts what expired from that bucket as already gone (no debt for it),
 * and only what was really spent becomes a debt. A dispute won after the bucket expired gives back
 * as spendable only what the take-back made a debt; the rest expires again.
 */
import fc from 'fast-check';
import { debitWallet } from '../../../lambdas/domain/allocate-debit';
import { creditNonExpiring, grantSubscriptionCredits, restorePayment, takeBackPayment } from '../../../lambdas/domain/credit';
import { expireBuckets } from '../../../lambdas/domain/expiry';
import type { Bucket, LedgerDraft } from '../../../lambdas/domain/wallet';
import { DEBT_BUCKET_ID, TOPUP_BUCKET_ID, availableCredits, debtCredits } from '../../../lambdas/domain/wallet';
import { DAY_MS, NOW, NOW_MS, balanceOf, balancesOf, frozen, iso, replayLedger } from './arbitraries';

const PERIOD_START = iso(NOW_MS - 30 * DAY_MS);
const PERIOD_END = iso(NOW_MS - DAY_MS); // ended yesterday
const BUCKET = `sub:${PERIOD_START}`;
const DURING = new Date(NOW_MS - 2 * DAY_MS);
const NO_PAYG = { enabled: false, limitCredits: 0 };

/** A period's grant of `granted` credits, `spent` of them spent during the period; expired by the job unless `expiryRan` is false. */
function periodEnded(granted: number, spent: number, expiryRan = true): { buckets: readonly Bucket[]; entries: LedgerDraft[] } {
  const grant = grantSubscriptionCredits([], { periodStart: PERIOD_START, periodEnd: PERIOD_END, amountCredits: granted, now: new Date(NOW_MS - 30 * DAY_MS) });
  const entries = [...grant.entries];
  let buckets = grant.buckets;
  if (spent > 0) {
    const debit = debitWallet(buckets, { costCredits: spent, reference: 'job_1', now: DURING, payg: NO_PAYG });
    buckets = debit.change.buckets;
    entries.push(...debit.change.entries);
  }
  if (expiryRan) {
    const expiry = expireBuckets(buckets, NOW);
    buckets = expiry.buckets;
    entries.push(...expiry.entries);
  }
  return { buckets, entries };
}

const bucketOf = (buckets: readonly Bucket[]) => buckets.find((b) => b.id === BUCKET)!;

describe('takeBackPayment after the credited bucket expired', () => {
  test('example: 1200 granted, 300 spent, 900 expired; the payment refunded in full → a debt of 300, not 1200', () => {
    const { buckets } = periodEnded(1200, 300);
    expect(bucketOf(buckets)).toMatchObject({ balance: 0, expiredCredits: 900 });

    const change = takeBackPayment(frozen(buckets), { credits: 1200, reference: 'pi_1', now: NOW, from: BUCKET });

    expect(change.entries.map((e) => [e.type, e.bucketId, e.amount, e.balanceAfter])).toEqual([['adjustment', DEBT_BUCKET_ID, -300, -300]]);
    expect(change.owedCredits).toBe(300);
    expect(debtCredits(change.buckets)).toBe(300);
    // Counted once: the expired credits are gone from the count, so a later take-back cannot count them again.
    expect(bucketOf(change.buckets)).toMatchObject({ balance: 0, expiredCredits: 0 });
  });

  test('nothing spent: a full refund after expiry owes nothing and writes no entry', () => {
    const { buckets } = periodEnded(1200, 0);

    const change = takeBackPayment(buckets, { credits: 1200, reference: 'pi_1', now: NOW, from: BUCKET });

    expect(change.entries).toEqual([]);
    expect(change.owedCredits).toBe(0);
    expect(debtCredits(change.buckets)).toBe(0);
  });

  test('property: however a payment is taken back (in pieces, before or after the expiry job ran), the debt is exactly what was spent of it, never more at any step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
        fc.boolean(),
        (granted, spentShare, cuts, expiryRan) => {
          const spent = Math.floor(granted * spentShare);
          const { buckets: start, entries } = periodEnded(granted, spent, expiryRan);
          const points = [...new Set([0, ...cuts.map((c) => Math.floor(c * granted)), granted])].sort((a, b) => a - b);
          const pieces = points.slice(1).map((p, i) => p - points[i]!).filter((x) => x > 0);

          let buckets = start;
          let owed = 0;
          for (const [i, credits] of pieces.entries()) {
            const change = takeBackPayment(buckets, { credits, reference: `pi_1#${i}`, now: NOW, from: BUCKET });
            buckets = change.buckets;
            entries.push(...change.entries);
            owed += change.owedCredits;
            expect(debtCredits(buckets)).toBe(owed);
            expect(owed).toBeLessThanOrEqual(spent);
          }

          expect(owed).toBe(spent);
          expect(availableCredits(buckets, NOW)).toBe(0);
          expect(bucketOf(buckets).expiredCredits ?? 0).toBe(0);
          const ledger = replayLedger([], entries);
          expect(ledger.mismatches).toEqual([]);
          expect(ledger.balances).toEqual(balancesOf(buckets));
        },
      ),
    );
  });

  test('only the bucket the payment credited counts: what expired from another bucket is not this payment’s', () => {
    const { buckets } = periodEnded(1200, 300);

    const change = takeBackPayment(buckets, { credits: 500, reference: 'pi_topup', now: NOW }); // a top-up payment: from the top-up bucket

    expect(change.owedCredits).toBe(500);
    expect(bucketOf(change.buckets).expiredCredits).toBe(900);
  });
});

describe('restorePayment (a dispute won) after the credited bucket expired', () => {
  test('disputed after expiry, won: the debt it made is cancelled, the expired credits expire again, nothing becomes spendable', () => {
    const { buckets } = periodEnded(1200, 300);
    const taken = takeBackPayment(buckets, { credits: 1200, reference: 'pi_1', now: NOW, from: BUCKET });

    const restored = restorePayment(taken.buckets, { credits: 1200, reference: 'pi_1', now: NOW, into: BUCKET, owed: taken.owedCredits });

    expect(restored.entries.map((e) => [e.type, e.bucketId, e.amount, e.balanceAfter, e.reference])).toEqual([
      ['adjustment', DEBT_BUCKET_ID, 300, 0, 'pi_1'],
      ['adjustment', BUCKET, 900, 900, 'pi_1'],
      ['expire', BUCKET, -900, 0, BUCKET],
    ]);
    expect(restored.owedRestored).toBe(300);
    expect(availableCredits(restored.buckets, NOW)).toBe(0);
    expect(debtCredits(restored.buckets)).toBe(0);
    expect(bucketOf(restored.buckets)).toMatchObject({ balance: 0, expiredCredits: 900 });
  });

  test('disputed while the bucket was live, won after it expired: the held credits expire as they would have; before, they came back as never-expiring top-up credits', () => {
    const grant = grantSubscriptionCredits([], { periodStart: PERIOD_START, periodEnd: PERIOD_END, amountCredits: 1200, now: new Date(NOW_MS - 30 * DAY_MS) });
    const spent = debitWallet(grant.buckets, { costCredits: 300, reference: 'job_1', now: DURING, payg: NO_PAYG }).change;
    const taken = takeBackPayment(spent.buckets, { credits: 1200, reference: 'pi_1', now: DURING, from: BUCKET });
    expect(taken.owedCredits).toBe(300);
    const expired = expireBuckets(taken.buckets, NOW); // nothing left to expire

    const restored = restorePayment(expired.buckets, { credits: 1200, reference: 'pi_1', now: NOW, into: BUCKET, owed: taken.owedCredits });

    expect(availableCredits(restored.buckets, NOW)).toBe(0);
    expect(balanceOf(restored.buckets, TOPUP_BUCKET_ID)).toBeUndefined();
    expect(debtCredits(restored.buckets)).toBe(0);
    expect(bucketOf(restored.buckets)).toMatchObject({ balance: 0, expiredCredits: 900 });
  });

  test('the debt it made was repaid meanwhile by other credits: those come back, spendable (top-up bucket); the rest expires', () => {
    const { buckets } = periodEnded(1200, 300);
    const taken = takeBackPayment(buckets, { credits: 1200, reference: 'pi_1', now: NOW, from: BUCKET });
    const repaid = creditNonExpiring(taken.buckets, { kind: 'topup', amountCredits: 500, reference: 'pi_2', now: NOW }); // 300 of it repay the debt
    expect([balanceOf(repaid.buckets, TOPUP_BUCKET_ID), debtCredits(repaid.buckets)]).toEqual([200, 0]);

    const restored = restorePayment(repaid.buckets, { credits: 1200, reference: 'pi_1', now: NOW, into: BUCKET, owed: taken.owedCredits });

    expect(balanceOf(restored.buckets, TOPUP_BUCKET_ID)).toBe(500);
    expect(availableCredits(restored.buckets, NOW)).toBe(500);
    expect(restored.owedRestored).toBe(300);
    expect(bucketOf(restored.buckets)).toMatchObject({ balance: 0, expiredCredits: 900 });
  });

  test('a record that does not know what its take-back owed: any debt is cancelled up to the credits, the rest expires, nothing spendable', () => {
    const { buckets } = periodEnded(1200, 300);
    const legacyTaken = takeBackPayment(buckets, { credits: 1200, reference: 'pi_1', now: NOW, from: BUCKET });

    const restored = restorePayment(legacyTaken.buckets, { credits: 1200, reference: 'pi_1', now: NOW, into: BUCKET });

    expect(debtCredits(restored.buckets)).toBe(0);
    expect(availableCredits(restored.buckets, NOW)).toBe(0);
    expect(restored.owedRestored).toBe(0);
  });

  test('a bucket still spendable: restored into it, paying any debt first (unchanged)', () => {
    const grant = grantSubscriptionCredits([], { periodStart: iso(NOW_MS - DAY_MS), periodEnd: iso(NOW_MS + 29 * DAY_MS), amountCredits: 1200, now: new Date(NOW_MS - DAY_MS) });
    const bucketId = `sub:${iso(NOW_MS - DAY_MS)}`;
    const spent = debitWallet(grant.buckets, { costCredits: 300, reference: 'job_1', now: NOW, payg: NO_PAYG }).change;
    const taken = takeBackPayment(spent.buckets, { credits: 1200, reference: 'pi_1', now: NOW, from: bucketId });

    const restored = restorePayment(taken.buckets, { credits: 1200, reference: 'pi_1', now: NOW, into: bucketId, owed: taken.owedCredits });

    expect(balanceOf(restored.buckets, bucketId)).toBe(900);
    expect(debtCredits(restored.buckets)).toBe(0);
    expect(restored.owedRestored).toBe(300);
  });
});
