/**
 * Shared generators and oracles for the domain property tests. The oracles restate the rules in the
 * simplest possible way, independently of the implementation under test.
 */
import fc from 'fast-check';
import type { PaygTerms } from '../../../lambdas/domain/allocate-debit';
import type { PlanId } from '../../../lambdas/domain/catalog';
import { PLANS } from '../../../lambdas/domain/catalog';
import type { GenerationJob } from '../../../lambdas/domain/generation';
import type { Bucket, BucketType, LedgerDraft } from '../../../lambdas/domain/wallet';
import { PAYG_BUCKET_ID, compareDrainOrder } from '../../../lambdas/domain/wallet';

export const DAY_MS = 86_400_000;
export const NOW_MS = Date.parse('2026-03-15T12:00:00.000Z');
export const NOW = new Date(NOW_MS);

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Expiry instants around NOW, with ties and the exact instant of NOW (already expired) made likely. */
const expiryArb: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom(-1, 0, 1),
    fc.integer({ min: -3, max: 3 }).map((d) => d * DAY_MS),
    fc.integer({ min: -40 * DAY_MS, max: 40 * DAY_MS }),
  )
  .map((offset) => iso(NOW_MS + offset));

const spendBucketArb = fc.record({
  type: fc.constantFrom<BucketType>('subscription', 'subscription', 'coupon', 'topup'),
  balance: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 500 })),
  expiresAt: fc.option(expiryArb, { freq: 3 }),
  createdAt: fc.integer({ min: -3, max: 0 }).map((d) => iso(NOW_MS + d * DAY_MS)),
});

export interface WalletSample {
  readonly buckets: Bucket[];
  readonly paygLimitCredits: number;
}

/** Any mix of buckets in storage order, with at most one PAYG bucket inside its limit. */
export const walletArb: fc.Arbitrary<WalletSample> = fc
  .record({
    spend: fc.array(spendBucketArb, { maxLength: 7 }),
    paygLimitCredits: fc.constantFrom(0, 50, 500),
    paygUsedFraction: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
    paygAt: fc.nat(),
  })
  .map(({ spend, paygLimitCredits, paygUsedFraction, paygAt }) => {
    const buckets: Bucket[] = spend.map((b, i) => ({ id: `${b.type}-${i}`, ...b }));
    if (paygUsedFraction !== null) {
      const payg: Bucket = { id: PAYG_BUCKET_ID, type: 'payg', balance: 0 - Math.floor(paygUsedFraction * paygLimitCredits), expiresAt: null, createdAt: iso(NOW_MS - DAY_MS) };
      buckets.splice(paygAt % (buckets.length + 1), 0, payg);
    }
    return { buckets, paygLimitCredits };
  });

/** Oracle: non-PAYG buckets with credits whose expiry is strictly after `now`, in drain order. */
export function expectedSpendable(buckets: readonly Bucket[], now: Date): Bucket[] {
  return buckets
    .filter((b) => b.type !== 'payg' && b.balance > 0 && (b.expiresAt === null || Date.parse(b.expiresAt) > now.getTime()))
    .sort(compareDrainOrder);
}

export function sumBalances(buckets: readonly Bucket[]): number {
  return buckets.reduce((sum, b) => sum + b.balance, 0);
}

export function paygHeadroom(buckets: readonly Bucket[], payg: PaygTerms): number {
  if (!payg.enabled) return 0;
  const used = -(buckets.find((b) => b.id === PAYG_BUCKET_ID)?.balance ?? 0);
  return Math.max(payg.limitCredits - used, 0);
}

/** What a debit at `now` can take at most: spendable credits plus PAYG headroom. */
export function capacity(buckets: readonly Bucket[], now: Date, payg: PaygTerms): number {
  return sumBalances(expectedSpendable(buckets, now)) + paygHeadroom(buckets, payg);
}

export function balanceOf(buckets: readonly Bucket[], id: string): number | undefined {
  return buckets.find((b) => b.id === id)?.balance;
}

export function entriesFor(entries: readonly LedgerDraft[], bucketId: string): LedgerDraft[] {
  return entries.filter((e) => e.bucketId === bucketId);
}

/** Freezes buckets so that any mutation by the code under test throws. */
export function frozen(buckets: readonly Bucket[]): readonly Bucket[] {
  return Object.freeze(buckets.map((b) => Object.freeze({ ...b })));
}

export const HOUR_MS = 3_600_000;

/**
 * Oracle: replays ledger entries over the balances of `before` (missing buckets start at 0). Returns
 * the balances the entries explain and every entry whose balanceAfter is not the running sum.
 */
export function replayLedger(before: readonly Bucket[], entries: readonly LedgerDraft[]): { balances: Map<string, number>; mismatches: LedgerDraft[] } {
  const balances = new Map(before.map((b) => [b.id, b.balance]));
  const mismatches: LedgerDraft[] = [];
  for (const e of entries) {
    const next = (balances.get(e.bucketId) ?? 0) + e.amount;
    balances.set(e.bucketId, next);
    if (e.balanceAfter !== next) mismatches.push(e);
  }
  return { balances, mismatches };
}

/** Balances by bucket id, for comparing whole wallets. */
export function balancesOf(buckets: readonly Bucket[]): Map<string, number> {
  return new Map(buckets.map((b) => [b.id, b.balance]));
}

/**
 * Oracle for an upgrade's prorated invoice, in exact integer arithmetic: the monthly credit
 * difference for the covered part of [startMs, endMs), never more than the amount paid buys at the
 * plans' own rate (amount × Δcredits / Δprice), never negative; 0 when `to` is not a higher plan.
 */
export function upgradeCreditsOracle(input: { from: PlanId; to: PlanId; coveredFromMs: number; startMs: number; endMs: number; amountPaidCents: number }): number {
  const credits = BigInt(PLANS[input.to].monthlyCredits - PLANS[input.from].monthlyCredits);
  const price = BigInt(PLANS[input.to].priceCents - PLANS[input.from].priceCents);
  if (credits <= 0n || price <= 0n || input.endMs <= input.startMs) return 0;
  const covered = BigInt(Math.min(Math.max(input.endMs - input.coveredFromMs, 0), input.endMs - input.startMs));
  const prorated = (credits * covered) / BigInt(input.endMs - input.startMs);
  const bought = input.amountPaidCents > 0 ? (BigInt(input.amountPaidCents) * credits) / price : 0n;
  return Number(prorated < bought ? prorated : bought);
}

/** A queued generation job of `acc_1` a minute old (two Nano Banana 2 images, paid from the top-up), with overrides. */
export function jobFixture(overrides: Partial<GenerationJob> = {}): GenerationJob {
  return {
    id: 'job_1',
    accountId: 'acc_1',
    status: 'queued',
    model: 'nano-banana-2',
    count: 2,
    credits: 16,
    charges: [{ bucketId: 'topup', bucketType: 'topup', amount: 16 }],
    params: { prompt: 'a banana' },
    createdAt: iso(NOW_MS - 60_000),
    updatedAt: iso(NOW_MS - 60_000),
    version: 1,
    attempts: 0,
    leaseUntil: null,
    dueAt: iso(NOW_MS - 1),
    ...overrides,
  };
}
