import fc from 'fast-check';
import type { Charge, PaygTerms } from '../../../lambdas/domain/allocate-debit';
import { allocateDebit, debitWallet } from '../../../lambdas/domain/allocate-debit';
import { creditNonExpiring, grantSubscriptionCredits, restorePayment, takeBackPayment } from '../../../lambdas/domain/credit';
import { InsufficientCreditsError } from '../../../lambdas/domain/errors';
import { expireBuckets } from '../../../lambdas/domain/expiry';
import type { PaymentRecord } from '../../../lambdas/domain/payment-record';
import { refundedCreditsFor, takenBackCredits } from '../../../lambdas/domain/payment-record';
import { refundCharges } from '../../../lambdas/domain/refund';
import type { Bucket, LedgerDraft, WalletChange } from '../../../lambdas/domain/wallet';
import { DEBT_BUCKET_ID, PAYG_BUCKET_ID, TOPUP_BUCKET_ID, debtCredits, paygUsed } from '../../../lambdas/domain/wallet';
import { DAY_MS, NOW, NOW_MS, balanceOf, balancesOf, expectedSpendable, frozen, iso, replayLedger, sumBalances, walletArb } from './arbitraries';

const topupBucket = (balance: number): Bucket => ({ id: TOPUP_BUCKET_ID, type: 'topup', balance, expiresAt: null, createdAt: iso(NOW_MS - 2 * DAY_MS) });
const debtBucket = (owed: number): Bucket => ({ id: DEBT_BUCKET_ID, type: 'debt', balance: 0 - owed, expiresAt: null, createdAt: iso(NOW_MS - DAY_MS) });

/** walletArb plus, maybe, the top-up bucket and a debt (owed credits, 0 possible). */
const debtWalletArb = fc
  .record({ wallet: walletArb, topup: fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 800 }))), owed: fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 800 }))) })
  .map(({ wallet, topup, owed }) => ({
    buckets: [...wallet.buckets, ...(topup === null ? [] : [topupBucket(topup)]), ...(owed === null ? [] : [debtBucket(owed)])],
    paygLimitCredits: wallet.paygLimitCredits,
  }));

const creditsArb = fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 50 }));

/** Normalises -0 (jest tells it from 0). */
const n = (x: number | undefined) => (x === undefined ? undefined : x + 0);

function expectUntouchedExcept(before: readonly Bucket[], after: readonly Bucket[], ids: readonly string[]): void {
  for (const b of before.filter((x) => !ids.includes(x.id))) expect(after.find((x) => x.id === b.id)).toEqual(b);
  expect(after.filter((x) => !ids.includes(x.id))).toHaveLength(before.filter((x) => !ids.includes(x.id)).length);
}

describe('takeBackPayment', () => {
  test('takes min(unspent top-up, credits) from the top-up bucket and the rest into the (negative) debt bucket', () => {
    fc.assert(
      fc.property(debtWalletArb, creditsArb, ({ buckets }, credits) => {
        // prepare
        const topup = balanceOf(buckets, TOPUP_BUCKET_ID) ?? 0;
        const owedBefore = debtCredits(buckets);

        // act
        const change = takeBackPayment(frozen(buckets), { credits, reference: 'pi_1', now: NOW });

        // assert
        const unspent = Math.min(topup, credits);
        const owed = credits - unspent;
        const expected: LedgerDraft[] = [];
        if (unspent > 0) expected.push({ type: 'adjustment', amount: -unspent, bucketId: TOPUP_BUCKET_ID, bucketType: 'topup', balanceAfter: topup - unspent, reference: 'pi_1' });
        if (owed > 0) expected.push({ type: 'adjustment', amount: -owed, bucketId: DEBT_BUCKET_ID, bucketType: 'debt', balanceAfter: -owedBefore - owed, reference: 'pi_1' });
        expect(change.entries).toEqual(expected);
        expect(n(balanceOf(change.buckets, TOPUP_BUCKET_ID))).toBe(balanceOf(buckets, TOPUP_BUCKET_ID) === undefined ? undefined : topup - unspent);
        expect(n(debtCredits(change.buckets))).toBe(owedBefore + owed);
        expect(change.buckets.some((b) => b.id === DEBT_BUCKET_ID)).toBe(buckets.some((b) => b.id === DEBT_BUCKET_ID) || owed > 0);
        expect(sumBalances(change.buckets)).toBe(sumBalances(buckets) - credits);
        expectUntouchedExcept(buckets, change.buckets, [TOPUP_BUCKET_ID, DEBT_BUCKET_ID]);
        const ledger = replayLedger(buckets, change.entries);
        expect(ledger.mismatches).toEqual([]);
        expect(ledger.balances).toEqual(balancesOf(change.buckets));
      }),
    );
  });

  test('example: 300 credits bought, 220 spent, payment refunded in full → top-up 0, debt -220', () => {
    // prepare
    const bought = creditNonExpiring([], { kind: 'topup', amountCredits: 300, reference: 'pi_1', now: NOW });
    const spent = debitWallet(bought.buckets, { costCredits: 220, reference: 'job_1', now: NOW, payg: { enabled: false, limitCredits: 0 } });

    // act
    const change = takeBackPayment(spent.change.buckets, { credits: 300, reference: 'pi_1', now: NOW });

    // assert
    expect(change.entries.map((e) => [e.bucketId, e.amount, e.balanceAfter])).toEqual([
      [TOPUP_BUCKET_ID, -80, 0],
      [DEBT_BUCKET_ID, -220, -220],
    ]);
    expect(change.buckets.find((b) => b.id === DEBT_BUCKET_ID)).toEqual({ id: DEBT_BUCKET_ID, type: 'debt', balance: -220, expiresAt: null, createdAt: iso(NOW_MS) });
  });
});

describe('restorePayment and later credits pay the debt first', () => {
  test('restorePayment credits the top-up bucket, then moves min(debt, credits) out of it into the debt', () => {
    fc.assert(
      fc.property(debtWalletArb, creditsArb, ({ buckets }, credits) => {
        // prepare
        const topup = balanceOf(buckets, TOPUP_BUCKET_ID) ?? 0;
        const owed = debtCredits(buckets);

        // act
        const change = restorePayment(frozen(buckets), { credits, reference: 'pi_1', now: NOW });

        // assert
        const repay = Math.min(owed, credits);
        const expected: [string, string, number, number, string][] = [['adjustment', TOPUP_BUCKET_ID, credits, topup + credits, 'pi_1']];
        if (repay > 0) {
          expected.push(['adjustment', TOPUP_BUCKET_ID, -repay, topup + credits - repay, 'debt-repayment:pi_1']);
          expected.push(['adjustment', DEBT_BUCKET_ID, repay, -owed + repay, 'debt-repayment:pi_1']);
        }
        expect(change.entries.map((e) => [e.type, e.bucketId, e.amount, e.balanceAfter, e.reference])).toEqual(expected);
        expect(balanceOf(change.buckets, TOPUP_BUCKET_ID)).toBe(topup + credits - repay);
        expect(n(debtCredits(change.buckets))).toBe(owed - repay);
        expect(sumBalances(change.buckets)).toBe(sumBalances(buckets) + credits);
        expectUntouchedExcept(buckets, change.buckets, [TOPUP_BUCKET_ID, DEBT_BUCKET_ID]);
      }),
    );
  });

  test('a grant, coupon or top-up pays the debt first out of the credited bucket; the debt never turns positive', () => {
    const creditKindArb = fc.constantFrom('grant' as const, 'coupon' as const, 'topup' as const);
    fc.assert(
      fc.property(debtWalletArb, creditKindArb, creditsArb, ({ buckets }, kind, credits) => {
        // prepare
        const owed = debtCredits(buckets);

        // act
        const change =
          kind === 'grant'
            ? grantSubscriptionCredits(frozen(buckets), { periodStart: iso(NOW_MS + 7), periodEnd: iso(NOW_MS + 30 * DAY_MS), amountCredits: credits, now: NOW })
            : creditNonExpiring(frozen(buckets), { kind, amountCredits: credits, reference: 'ref_1', now: NOW });

        // assert
        const bucketId = kind === 'grant' ? `sub:${iso(NOW_MS + 7)}` : kind;
        const reference = kind === 'grant' ? `period:${iso(NOW_MS + 7)}` : 'ref_1';
        const before = balanceOf(buckets, bucketId) ?? 0;
        const repay = Math.min(owed, credits);
        const expected: [string, string, number, number, string][] = [[kind, bucketId, credits, before + credits, reference]];
        if (repay > 0) {
          expected.push(['adjustment', bucketId, -repay, before + credits - repay, `debt-repayment:${reference}`]);
          expected.push(['adjustment', DEBT_BUCKET_ID, repay, -owed + repay, `debt-repayment:${reference}`]);
        }
        expect(change.entries.map((e) => [e.type, e.bucketId, e.amount, e.balanceAfter, e.reference])).toEqual(expected);
        expect(n(debtCredits(change.buckets))).toBe(owed - repay);
        expect(balanceOf(change.buckets, DEBT_BUCKET_ID) ?? 0).toBeLessThanOrEqual(0);
        expectUntouchedExcept(buckets, change.buckets, [bucketId, DEBT_BUCKET_ID]);
      }),
    );
  });

  test('taking back a payment and restoring it (dispute won) with nothing spent in between leaves every balance as it was', () => {
    fc.assert(
      fc.property(walletArb, fc.option(fc.nat(800)), creditsArb, ({ buckets: base }, topup, credits) => {
        // prepare: no debt before
        const buckets = topup === null ? base : [...base, topupBucket(topup)];
        const taken = takeBackPayment(buckets, { credits, reference: 'pi_1', now: NOW });

        // act
        const restored = restorePayment(taken.buckets, { credits, reference: 'pi_1', now: NOW });

        // assert
        for (const b of restored.buckets) expect(b.balance).toBe(balanceOf(buckets, b.id) ?? 0);
        const ledger = replayLedger(buckets, [...taken.entries, ...restored.entries]);
        expect(ledger.mismatches).toEqual([]);
        expect(ledger.balances).toEqual(balancesOf(restored.buckets));
      }),
    );
  });
});

describe('allocateDebit with a debt', () => {
  /** Oracle: spendable credits plus PAYG headroom, where a debt uses headroom up like PAYG usage. */
  function capacityWithDebt(buckets: readonly Bucket[], payg: PaygTerms): { spendable: number; headroom: number } {
    const used = -(balanceOf(buckets, PAYG_BUCKET_ID) ?? 0);
    const owed = -(balanceOf(buckets, DEBT_BUCKET_ID) ?? 0);
    return { spendable: sumBalances(expectedSpendable(buckets, NOW).filter((b) => b.type !== 'debt')), headroom: payg.enabled ? Math.max(payg.limitCredits - used - owed, 0) : 0 };
  }

  test('PAYG headroom is limit − used − debt: a cost within it is charged (PAYG at most the headroom), one above it throws', () => {
    fc.assert(
      fc.property(debtWalletArb, fc.boolean(), fc.integer({ min: 1, max: 3000 }), ({ buckets, paygLimitCredits }, enabled, cost) => {
        // prepare
        const payg: PaygTerms = { enabled, limitCredits: paygLimitCredits };
        const { spendable, headroom } = capacityWithDebt(buckets, payg);

        // act
        const attempt = () => allocateDebit(frozen(buckets), cost, NOW, payg);

        // assert
        if (cost > spendable + headroom) {
          expect(attempt).toThrow(InsufficientCreditsError);
          return;
        }
        const charges = attempt();
        expect(charges.reduce((s, c) => s + c.amount, 0)).toBe(cost);
        expect(charges.some((c) => c.bucketId === DEBT_BUCKET_ID)).toBe(false);
        const paygCharge = charges.find((c) => c.bucketId === PAYG_BUCKET_ID)?.amount ?? 0;
        expect(paygCharge).toBe(Math.max(cost - spendable, 0));
        expect(paygCharge).toBeLessThanOrEqual(headroom);
      }),
    );
  });

  test('example: limit 500, 100 used, 350 owed → only 50 more on PAYG', () => {
    const buckets = [{ id: PAYG_BUCKET_ID, type: 'payg' as const, balance: -100, expiresAt: null, createdAt: iso(NOW_MS) }, debtBucket(350)];
    const payg = { enabled: true, limitCredits: 500 };

    expect(allocateDebit(buckets, 50, NOW, payg)).toEqual([{ bucketId: PAYG_BUCKET_ID, bucketType: 'payg', amount: 50 }]);
    expect(() => allocateDebit(buckets, 51, NOW, payg)).toThrow(InsufficientCreditsError);
    expect(() => allocateDebit([debtBucket(600)], 1, NOW, payg)).toThrow(InsufficientCreditsError);
    // a debt does not block spending credits that are there
    expect(allocateDebit([topupBucket(10), debtBucket(600)], 10, NOW, payg)).toEqual([{ bucketId: TOPUP_BUCKET_ID, bucketType: 'topup', amount: 10 }]);
  });
});

describe('payments taken back and restored, over random histories', () => {
  type Op =
    | { kind: 'grant'; amount: number; lifeMs: number }
    | { kind: 'credit'; target: 'coupon' | 'topup'; amount: number }
    | { kind: 'debit'; cost: number; payg: boolean }
    | { kind: 'refund'; pick: number }
    | { kind: 'takeBack'; credits: number }
    | { kind: 'restore'; pick: number }
    | { kind: 'advance'; ms: number };

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('grant' as const), amount: fc.integer({ min: 1, max: 300 }), lifeMs: fc.integer({ min: 1, max: 10 * DAY_MS }) }),
    fc.record({ kind: fc.constant('credit' as const), target: fc.constantFrom('coupon' as const, 'topup' as const), amount: fc.integer({ min: 1, max: 300 }) }),
    fc.record({ kind: fc.constant('debit' as const), cost: fc.integer({ min: 1, max: 400 }), payg: fc.boolean() }),
    fc.record({ kind: fc.constant('refund' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('takeBack' as const), credits: fc.integer({ min: 1, max: 400 }) }),
    fc.record({ kind: fc.constant('restore' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 4 * DAY_MS }) }),
  );

  test('the ledger explains every balance; the debt is never positive, credit buckets never negative, PAYG plus debt within the limit after each PAYG debit', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), fc.constantFrom(0, 100, 500), (ops, limit) => {
        // prepare
        let buckets: readonly Bucket[] = [];
        const entries: LedgerDraft[] = [];
        const debits: { charges: Charge[]; refunded: boolean }[] = [];
        const takenBack: { credits: number; restored: boolean }[] = [];
        let nowMs = NOW_MS;

        for (const [i, op] of ops.entries()) {
          const now = new Date(nowMs);
          const owedBefore = debtCredits(buckets);
          let change: WalletChange | null = null;
          let credited = 0;
          // act
          switch (op.kind) {
            case 'grant':
              change = grantSubscriptionCredits(buckets, { periodStart: iso(NOW_MS + i), periodEnd: iso(nowMs + op.lifeMs), amountCredits: op.amount, now });
              credited = op.amount;
              break;
            case 'credit':
              change = creditNonExpiring(buckets, { kind: op.target, amountCredits: op.amount, reference: `ref_${i}`, now });
              credited = op.amount;
              break;
            case 'debit': {
              const payg = { enabled: op.payg, limitCredits: limit };
              try {
                const debit = debitWallet(buckets, { costCredits: op.cost, reference: `job_${i}`, now, payg });
                debits.push({ charges: debit.charges, refunded: false });
                change = debit.change;
                if (debit.charges.some((c) => c.bucketId === PAYG_BUCKET_ID)) expect(paygUsed(change.buckets) + debtCredits(change.buckets)).toBeLessThanOrEqual(limit);
              } catch (error) {
                expect(error).toBeInstanceOf(InsufficientCreditsError);
              }
              break;
            }
            case 'refund': {
              const debit = debits[op.pick % (debits.length || 1)];
              if (!debit || debit.refunded) break;
              debit.refunded = true;
              change = refundCharges(buckets, { charges: debit.charges, reference: `refund_${i}`, now, paygLimitCredits: limit });
              break;
            }
            case 'takeBack':
              change = takeBackPayment(buckets, { credits: op.credits, reference: `pi_${i}`, now });
              takenBack.push({ credits: op.credits, restored: false });
              expect(sumBalances(change.buckets)).toBe(sumBalances(buckets) - op.credits);
              break;
            case 'restore': {
              const payment = takenBack[op.pick % (takenBack.length || 1)];
              if (!payment || payment.restored) break;
              payment.restored = true;
              change = restorePayment(buckets, { credits: payment.credits, reference: `pi_restored_${i}`, now });
              credited = payment.credits;
              break;
            }
            case 'advance':
              nowMs += op.ms;
              change = expireBuckets(buckets, new Date(nowMs));
              break;
          }
          if (change) {
            buckets = change.buckets;
            entries.push(...change.entries);
          }

          // assert
          if (credited > 0) expect(n(debtCredits(buckets))).toBe(owedBefore - Math.min(owedBefore, credited));
          for (const b of buckets) {
            if (b.type === 'debt') expect(b.balance).toBeLessThanOrEqual(0);
            else if (b.type === 'payg') expect(b.balance).toBeGreaterThanOrEqual(-limit);
            else expect(b.balance).toBeGreaterThanOrEqual(0);
          }
        }
        const ledger = replayLedger([], entries);
        expect(ledger.mismatches).toEqual([]);
        expect(ledger.balances).toEqual(balancesOf(buckets));
        expect(entries.every((e) => e.amount !== 0)).toBe(true);
      }),
    );
  });
});

describe('payment record arithmetic', () => {
  const paymentArb = fc.record({ credits: fc.integer({ min: 1, max: 1_000_000 }), amountCents: fc.integer({ min: 1, max: 100_000_000 }) });
  const payment = (p: Partial<PaymentRecord>): PaymentRecord => ({
    paymentId: 'pi_1',
    accountId: 'acc_1',
    topupId: 'top_1',
    credits: 1000,
    amountCents: 1000,
    refundedCredits: 0,
    disputedCredits: 0,
    creditedAt: iso(NOW_MS),
    updatedAt: iso(NOW_MS),
    version: 1,
    ...p,
  });

  test('refundedCreditsFor rounds down, never exceeds the credits, grows with the amount refunded, and a full refund takes all', () => {
    fc.assert(
      fc.property(paymentArb, fc.double({ min: 0, max: 1.5, noNaN: true }), fc.double({ min: 0, max: 1.5, noNaN: true }), ({ credits, amountCents }, f1, f2) => {
        // prepare
        const p = payment({ credits, amountCents });
        const [lo, hi] = [Math.floor(amountCents * Math.min(f1, f2)), Math.floor(amountCents * Math.max(f1, f2))];

        // act
        const taken = refundedCreditsFor(p, lo);

        // assert: exact integer oracle
        const exact = Number((BigInt(credits) * BigInt(lo)) / BigInt(amountCents));
        expect(taken).toBe(Math.min(credits, exact));
        expect(taken).toBeGreaterThanOrEqual(0);
        expect(taken).toBeLessThanOrEqual(credits);
        expect(refundedCreditsFor(p, hi)).toBeGreaterThanOrEqual(taken);
        expect(refundedCreditsFor(p, amountCents)).toBe(credits);
        expect(refundedCreditsFor(p, 0)).toBe(0);
      }),
    );
  });

  test('examples: 999 cents for 1000 credits, refund of 1 cent; free payments take nothing back', () => {
    expect(refundedCreditsFor(payment({ credits: 1000, amountCents: 999 }), 1)).toBe(1);
    expect(refundedCreditsFor(payment({ credits: 1000, amountCents: 3000 }), 2)).toBe(0);
    expect(refundedCreditsFor(payment({ credits: 1000, amountCents: 3000 }), 2999)).toBe(999);
    expect(refundedCreditsFor(payment({ credits: 1000, amountCents: 0 }), 500)).toBe(0);
  });

  test('takenBackCredits is refunded + disputed, capped at the credits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.nat(10_000), fc.nat(10_000), (credits, refundedCredits, disputedCredits) => {
        const taken = takenBackCredits(payment({ credits, refundedCredits, disputedCredits }));

        expect(taken).toBe(Math.min(credits, refundedCredits + disputedCredits));
        expect(taken).toBeLessThanOrEqual(credits);
      }),
    );
  });
});
