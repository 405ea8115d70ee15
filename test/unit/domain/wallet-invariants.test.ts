/**
 * Random histories of wallet operations, starting from an empty wallet: the ledger must explain every
 * balance, and no bucket may ever go below its floor.
 */
import fc from 'fast-check';
import type { Charge, PaygTerms } from '../../../lambdas/domain/allocate-debit';
import { debitWallet } from '../../../lambdas/domain/allocate-debit';
import { creditNonExpiring, grantSubscriptionCredits } from '../../../lambdas/domain/credit';
import { InsufficientCreditsError } from '../../../lambdas/domain/errors';
import { expireBuckets } from '../../../lambdas/domain/expiry';
import { refundCharges } from '../../../lambdas/domain/refund';
import type { Bucket, LedgerDraft, WalletChange } from '../../../lambdas/domain/wallet';
import { DAY_MS, NOW_MS, capacity, iso } from './arbitraries';

type Op =
  | { kind: 'grant'; amount: number; lifeMs: number }
  | { kind: 'credit'; target: 'coupon' | 'topup'; amount: number }
  | { kind: 'debit'; cost: number; payg: boolean }
  | { kind: 'refund'; pick: number }
  | { kind: 'advance'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('grant' as const), amount: fc.integer({ min: 1, max: 300 }), lifeMs: fc.integer({ min: 1, max: 10 * DAY_MS }) }),
  fc.record({ kind: fc.constant('credit' as const), target: fc.constantFrom('coupon' as const, 'topup' as const), amount: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ kind: fc.constant('debit' as const), cost: fc.integer({ min: 1, max: 400 }), payg: fc.boolean() }),
  fc.record({ kind: fc.constant('refund' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 * DAY_MS })) }),
);

interface History {
  buckets: readonly Bucket[];
  entries: LedgerDraft[];
  debits: { charges: Charge[]; refunded: boolean }[];
  nowMs: number;
  grants: number;
}

function apply(h: History, op: Op, paygLimitCredits: number): void {
  const now = new Date(h.nowMs);
  let change: WalletChange | null = null;
  switch (op.kind) {
    case 'grant':
      change = grantSubscriptionCredits(h.buckets, { periodStart: iso(NOW_MS + h.grants * DAY_MS), periodEnd: iso(h.nowMs + op.lifeMs), amountCredits: op.amount, now });
      h.grants += 1;
      break;
    case 'credit':
      change = creditNonExpiring(h.buckets, { kind: op.target, amountCredits: op.amount, reference: `ref-${h.entries.length}`, now });
      break;
    case 'debit': {
      const payg: PaygTerms = { enabled: op.payg, limitCredits: paygLimitCredits };
      const before = h.buckets;
      try {
        const debit = debitWallet(h.buckets, { costCredits: op.cost, reference: `job-${h.debits.length}`, now, payg });
        h.debits.push({ charges: debit.charges, refunded: false });
        change = debit.change;
      } catch (error) {
        expect(error).toBeInstanceOf(InsufficientCreditsError);
        expect(op.cost).toBeGreaterThan(capacity(before, now, payg));
      }
      break;
    }
    case 'refund': {
      const debit = h.debits[op.pick % (h.debits.length || 1)];
      if (!debit || debit.refunded) break;
      debit.refunded = true;
      change = refundCharges(h.buckets, { charges: debit.charges, reference: 'refund', now, paygLimitCredits });
      break;
    }
    case 'advance':
      h.nowMs += op.ms;
      change = expireBuckets(h.buckets, new Date(h.nowMs));
      break;
  }
  if (change) {
    h.buckets = change.buckets;
    h.entries.push(...change.entries);
  }
}

const historyArb = fc.record({ ops: fc.array(opArb, { maxLength: 40 }), paygLimitCredits: fc.constantFrom(0, 100, 500) });

function run(ops: readonly Op[], paygLimitCredits: number, afterEach: (h: History) => void = () => {}): History {
  const h: History = { buckets: Object.freeze([]), entries: [], debits: [], nowMs: NOW_MS, grants: 0 };
  for (const op of ops) {
    apply(h, op, paygLimitCredits);
    afterEach(h);
  }
  return h;
}

describe('wallet invariants over random histories', () => {
  test('no bucket ever goes below its floor (0, or minus the PAYG limit)', () => {
    fc.assert(
      fc.property(historyArb, ({ ops, paygLimitCredits }) => {
        run(ops, paygLimitCredits, (h) => {
          for (const b of h.buckets) expect(b.balance).toBeGreaterThanOrEqual(b.type === 'payg' ? -paygLimitCredits : 0);
        });
      }),
    );
  });

  test('every bucket balance is the sum of its entries, and each balanceAfter is the running sum', () => {
    fc.assert(
      fc.property(historyArb, ({ ops, paygLimitCredits }) => {
        // act
        const h = run(ops, paygLimitCredits);

        // assert
        const running = new Map<string, number>();
        for (const e of h.entries) {
          const next = (running.get(e.bucketId) ?? 0) + e.amount;
          running.set(e.bucketId, next);
          expect(e.balanceAfter).toBe(next);
          expect(e.amount).not.toBe(0);
        }
        for (const b of h.buckets) expect(b.balance).toBe(running.get(b.id) ?? 0);
        expect([...running.keys()].every((id) => h.buckets.some((b) => b.id === id))).toBe(true);
      }),
    );
  });

  test('entries add with grant/coupon/topup/refund, take with debit/expire; refunds return exactly the refunded charges', () => {
    fc.assert(
      fc.property(historyArb, ({ ops, paygLimitCredits }) => {
        // act
        const h = run(ops, paygLimitCredits);

        // assert
        const adds = new Set(['grant', 'coupon', 'topup', 'refund']);
        for (const e of h.entries) expect(e.amount > 0).toBe(adds.has(e.type));
        const refunded = h.entries.filter((e) => e.type === 'refund').reduce((s, e) => s + e.amount, 0);
        const charged = h.debits.filter((d) => d.refunded).flatMap((d) => d.charges).reduce((s, c) => s + c.amount, 0);
        expect(refunded).toBe(charged);
      }),
    );
  });
});
