import { InsufficientCreditsError } from './errors';
import type { Bucket, BucketType, WalletChange } from './wallet';
import { PAYG_BUCKET_ID, availableCredits, debtCredits, paygUsed, post, spendableBuckets, withBucket } from './wallet';

/** What one debit took from one bucket: kept with the job so a refund can return exactly this. */
export interface Charge {
  readonly bucketId: string;
  readonly bucketType: BucketType;
  readonly amount: number;
}

export interface PaygTerms {
  readonly enabled: boolean;
  readonly limitCredits: number;
}

/**
 * Splits a cost over the buckets in drain order, then PAYG headroom when enabled (less any debt).
 * All or nothing: if the credits cannot cover the cost, it throws and takes nothing.
 */
export function allocateDebit(buckets: readonly Bucket[], costCredits: number, now: Date, payg: PaygTerms): Charge[] {
  if (!Number.isSafeInteger(costCredits) || costCredits <= 0) throw new Error(`cost must be a positive integer, got ${costCredits}`);
  const charges: Charge[] = [];
  let remaining = costCredits;
  for (const bucket of spendableBuckets(buckets, now)) {
    if (remaining === 0) break;
    const amount = Math.min(bucket.balance, remaining);
    charges.push({ bucketId: bucket.id, bucketType: bucket.type, amount });
    remaining -= amount;
  }
  if (remaining > 0 && payg.enabled) {
    // A debt (credits spent, then taken back) uses up PAYG headroom like PAYG usage does.
    const used = paygUsed(buckets) + debtCredits(buckets);
    const amount = Math.min(Math.max(payg.limitCredits - used, 0), remaining);
    if (amount > 0) {
      charges.push({ bucketId: PAYG_BUCKET_ID, bucketType: 'payg', amount });
      remaining -= amount;
    }
  }
  if (remaining > 0) throw new InsufficientCreditsError(costCredits, availableCredits(buckets, now));
  return charges;
}

/** Allocates and posts a debit: one `debit` entry per bucket charged. */
export function debitWallet(
  buckets: readonly Bucket[],
  input: { costCredits: number; reference: string; now: Date; payg: PaygTerms },
): { charges: Charge[]; change: WalletChange } {
  const charges = allocateDebit(buckets, input.costCredits, input.now, input.payg);
  const withPayg = charges.some((c) => c.bucketId === PAYG_BUCKET_ID)
    ? withBucket(buckets, { id: PAYG_BUCKET_ID, type: 'payg', expiresAt: null, createdAt: input.now.toISOString() })
    : buckets;
  const change = post(
    withPayg,
    charges.map((c) => ({ type: 'debit', bucketId: c.bucketId, amount: -c.amount, reference: input.reference })),
    { paygLimitCredits: input.payg.limitCredits },
  );
  return { charges, change };
}

/**
 * What a debit would take from where, without taking it: the quote shown before Generate. The
 * generation itself allocates again at the time it is paid, so this is advice, never a reservation.
 */
export function previewDebit(buckets: readonly Bucket[], costCredits: number, now: Date, payg: PaygTerms): { affordable: boolean; charges: Charge[] } {
  try {
    return { affordable: true, charges: allocateDebit(buckets, costCredits, now, payg) };
  } catch (error) {
    if (error instanceof InsufficientCreditsError) return { affordable: false, charges: [] };
    throw error;
  }
}
