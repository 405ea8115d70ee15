/**
 * The wallet: an account's buckets and the rule that every change to a bucket is a ledger posting.
 * Everything here is pure: a change takes a wallet and returns the new buckets plus the ledger
 * entries that explain them, with exact balances after each entry.
 */
/**
 * `debt` holds credits that were spent and then taken back (a refunded or disputed payment): its
 * balance is zero or negative, and the next credits to arrive pay it off first.
 */
export type BucketType = 'subscription' | 'coupon' | 'topup' | 'payg' | 'debt';
export type LedgerEntryType = 'grant' | 'coupon' | 'topup' | 'debit' | 'refund' | 'expire' | 'adjustment';

export interface Bucket {
  readonly id: string;
  readonly type: BucketType;
  /** Whole credits. Never negative, except PAYG, which goes down to minus its limit. */
  readonly balance: number;
  /** ISO instant from which the bucket's credits are no longer spendable; null = never expires. */
  readonly expiresAt: string | null;
  readonly createdAt: string;
  /**
   * Credits that expired from this bucket unused (the sum of its `expire` entries), less those a
   * take-back of the payment that granted them has since counted as already gone: expired credits
   * were never consumed, so taking the payment back owes nothing for them (credit.ts). Absent = 0:
   * a bucket that never expired, or one stored before this was kept.
   */
  readonly expiredCredits?: number;
}

export interface LedgerDraft {
  readonly type: LedgerEntryType;
  /** Signed: positive adds credits to the bucket, negative takes them away. */
  readonly amount: number;
  readonly bucketId: string;
  readonly bucketType: BucketType;
  readonly balanceAfter: number;
  /** What caused it: the job id, coupon code, payment id or grant period. */
  readonly reference: string;
  /** Who spent: on a generation's debit and its refund, the user who asked for it. */
  readonly userId?: string;
}

export interface WalletChange {
  readonly buckets: readonly Bucket[];
  readonly entries: readonly LedgerDraft[];
}

export interface Posting {
  readonly type: LedgerEntryType;
  readonly bucketId: string;
  readonly amount: number;
  readonly reference: string;
}

export const COUPON_BUCKET_ID = 'coupon';
export const TOPUP_BUCKET_ID = 'topup';
export const PAYG_BUCKET_ID = 'payg';
export const DEBT_BUCKET_ID = 'debt';

const TYPE_RANK: Record<BucketType, number> = { subscription: 0, coupon: 1, topup: 2, payg: 3, debt: 4 };

/** Buckets that hold spendable credits (PAYG and debt are accounts of what is owed). */
const isCreditBucket = (b: Bucket) => b.type !== 'payg' && b.type !== 'debt';

/**
 * The one total drain order: type (subscription, coupon, top-up, PAYG), then expiry (soonest first,
 * never-expiring last), then creation time, then id. Ties are never left to storage order.
 */
export function compareDrainOrder(a: Bucket, b: Bucket): number {
  return (
    TYPE_RANK[a.type] - TYPE_RANK[b.type] ||
    compareNullableLast(a.expiresAt, b.expiresAt) ||
    compareStrings(a.createdAt, b.createdAt) ||
    compareStrings(a.id, b.id)
  );
}

function compareNullableLast(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return compareStrings(a, b);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isExpired(bucket: Bucket, now: Date): boolean {
  return bucket.expiresAt !== null && Date.parse(bucket.expiresAt) <= now.getTime();
}

/** Buckets whose credits can be spent now, in drain order (PAYG excluded). */
export function spendableBuckets(buckets: readonly Bucket[], now: Date): Bucket[] {
  return buckets
    .filter((b) => isCreditBucket(b) && b.balance > 0 && !isExpired(b, now))
    .sort(compareDrainOrder);
}

/** Credits that can be spent now, without PAYG headroom. */
export function availableCredits(buckets: readonly Bucket[], now: Date): number {
  return spendableBuckets(buckets, now).reduce((sum, b) => sum + b.balance, 0);
}

/** Buckets to show: not expired, in drain order, PAYG apart. */
export function visibleBuckets(buckets: readonly Bucket[], now: Date): Bucket[] {
  return buckets.filter((b) => isCreditBucket(b) && !isExpired(b, now)).sort(compareDrainOrder);
}

export function paygUsed(buckets: readonly Bucket[]): number {
  const payg = buckets.find((b) => b.id === PAYG_BUCKET_ID);
  return payg ? 0 - payg.balance : 0; // 0 - x, not -x: no negative zero in answers
}

/** Credits owed after a payment was taken back; paid off first by the next credits. */
export function debtCredits(buckets: readonly Bucket[]): number {
  const debt = buckets.find((b) => b.id === DEBT_BUCKET_ID);
  return debt ? 0 - debt.balance : 0;
}

/**
 * Applies postings in order and returns the new buckets with an entry per posting. Each posting's
 * bucket must exist in `buckets` (or in `created`). Throws if a bucket would go below its floor:
 * callers decide amounts so that this never happens, so hitting it is a bug, not a user error.
 */
export function post(
  buckets: readonly Bucket[],
  postings: readonly Posting[],
  floors: { paygLimitCredits: number },
): WalletChange {
  const byId = new Map(buckets.map((b) => [b.id, b]));
  const entries: LedgerDraft[] = [];
  for (const p of postings) {
    if (!Number.isSafeInteger(p.amount) || p.amount === 0) throw new Error(`posting amount must be a non-zero integer, got ${p.amount}`);
    const bucket = byId.get(p.bucketId);
    if (!bucket) throw new Error(`posting to unknown bucket ${p.bucketId}`);
    const balanceAfter = bucket.balance + p.amount;
    const floor = bucket.type === 'payg' ? -floors.paygLimitCredits : bucket.type === 'debt' ? Number.NEGATIVE_INFINITY : 0;
    if (p.amount < 0 && balanceAfter < floor) throw new Error(`bucket ${bucket.id} would go to ${balanceAfter}, below ${floor}`);
    // Every `expire` posting is counted on the bucket: what expired unused is not owed when its payment is taken back.
    const expired = p.type === 'expire' && p.amount < 0 ? { expiredCredits: (bucket.expiredCredits ?? 0) - p.amount } : {};
    byId.set(bucket.id, { ...bucket, balance: balanceAfter, ...expired });
    entries.push({ type: p.type, amount: p.amount, bucketId: bucket.id, bucketType: bucket.type, balanceAfter, reference: p.reference });
  }
  return { buckets: [...byId.values()], entries };
}

/** Adds a bucket with zero balance if none has that id; credits arrive through postings. */
export function withBucket(buckets: readonly Bucket[], bucket: Omit<Bucket, 'balance'>): Bucket[] {
  if (buckets.some((b) => b.id === bucket.id)) return [...buckets];
  return [...buckets, { ...bucket, balance: 0 }];
}
