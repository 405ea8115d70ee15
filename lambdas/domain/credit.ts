import type { Bucket, LedgerEntryType, WalletChange } from './wallet';
import { COUPON_BUCKET_ID, TOPUP_BUCKET_ID, post, withBucket } from './wallet';

/** Credits a subscription grant into a bucket of its own that expires at the period's end. */
export function grantSubscriptionCredits(
  buckets: readonly Bucket[],
  input: { periodStart: string; periodEnd: string; amountCredits: number; now: Date },
): WalletChange {
  const bucketId = subscriptionBucketId(input.periodStart);
  if (buckets.some((b) => b.id === bucketId)) throw new Error(`period ${input.periodStart} was already granted`);
  const withGrant = withBucket(buckets, { id: bucketId, type: 'subscription', expiresAt: input.periodEnd, createdAt: input.now.toISOString() });
  return post(withGrant, [{ type: 'grant', bucketId, amount: input.amountCredits, reference: `period:${input.periodStart}` }], { paygLimitCredits: 0 });
}

export function subscriptionBucketId(periodStart: string): string {
  return `sub:${periodStart}`;
}

/** Credits that never expire: coupon redemptions and top-ups, each into its single bucket. */
export function creditNonExpiring(
  buckets: readonly Bucket[],
  input: { kind: 'coupon' | 'topup'; amountCredits: number; reference: string; now: Date },
): WalletChange {
  const bucketId = input.kind === 'coupon' ? COUPON_BUCKET_ID : TOPUP_BUCKET_ID;
  const type: LedgerEntryType = input.kind;
  const withTarget = withBucket(buckets, { id: bucketId, type: input.kind, expiresAt: null, createdAt: input.now.toISOString() });
  return post(withTarget, [{ type, bucketId, amount: input.amountCredits, reference: input.reference }], { paygLimitCredits: 0 });
}
