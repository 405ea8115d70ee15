import type { Bucket, Posting, WalletChange } from './wallet';
import { isExpired, post } from './wallet';

/** Zeroes every expired bucket that still holds credits, with one `expire` entry each. */
export function expireBuckets(buckets: readonly Bucket[], now: Date): WalletChange {
  const postings: Posting[] = buckets
    .filter((b) => b.type !== 'payg' && b.balance > 0 && isExpired(b, now))
    .map((b) => ({ type: 'expire', bucketId: b.id, amount: -b.balance, reference: b.id }));
  return post(buckets, postings, { paygLimitCredits: 0 });
}

/** When the next bucket with credits expires (the due time for the expiry job), or null. */
export function nextExpiryAt(buckets: readonly Bucket[]): string | null {
  let next: string | null = null;
  for (const b of buckets) {
    if (b.balance > 0 && b.expiresAt !== null && (next === null || b.expiresAt < next)) next = b.expiresAt;
  }
  return next;
}
