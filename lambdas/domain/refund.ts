import type { Charge } from './allocate-debit';
import type { Bucket, Posting, WalletChange } from './wallet';
import { isExpired, post } from './wallet';

/**
 * Returns exactly what a debit took, to exactly the buckets it took it from. A refund into a bucket
 * that has expired meanwhile is still recorded, then expires with the bucket at once, so the ledger
 * shows where the credits went and no expired credit becomes spendable.
 */
export function refundCharges(
  buckets: readonly Bucket[],
  input: { charges: readonly Charge[]; reference: string; now: Date; paygLimitCredits: number },
): WalletChange {
  const byId = new Map(buckets.map((b) => [b.id, b]));
  const postings: Posting[] = [];
  for (const charge of input.charges) {
    const bucket = byId.get(charge.bucketId);
    if (!bucket) throw new Error(`refund to unknown bucket ${charge.bucketId}`);
    postings.push({ type: 'refund', bucketId: charge.bucketId, amount: charge.amount, reference: input.reference });
    if (isExpired(bucket, input.now)) {
      const balanceAfterRefund = bucket.balance + charge.amount;
      byId.set(bucket.id, { ...bucket, balance: 0 });
      postings.push({ type: 'expire', bucketId: bucket.id, amount: -balanceAfterRefund, reference: bucket.id });
    }
  }
  return post(buckets, postings, { paygLimitCredits: input.paygLimitCredits });
}
