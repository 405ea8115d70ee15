import type { Bucket, LedgerEntryType, Posting, WalletChange } from './wallet';
import { COUPON_BUCKET_ID, DEBT_BUCKET_ID, TOPUP_BUCKET_ID, debtCredits, isExpired, post, withBucket } from './wallet';

/** Credits a subscription grant into a bucket of its own that expires at the period's end. */
export function grantSubscriptionCredits(
  buckets: readonly Bucket[],
  input: { periodStart: string; periodEnd: string; amountCredits: number; now: Date; bucketId?: string; reference?: string },
): WalletChange {
  const bucketId = input.bucketId ?? subscriptionBucketId(input.periodStart);
  if (buckets.some((b) => b.id === bucketId)) throw new Error(`bucket ${bucketId} was already granted`);
  const withGrant = withBucket(buckets, { id: bucketId, type: 'subscription', expiresAt: input.periodEnd, createdAt: input.now.toISOString() });
  return creditWithDebtFirst(withGrant, { type: 'grant', bucketId, amount: input.amountCredits, reference: input.reference ?? `period:${input.periodStart}` });
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
  return creditWithDebtFirst(withTarget, { type, bucketId, amount: input.amountCredits, reference: input.reference });
}

/**
 * Posts a credit; if the account owes a debt, the credit pays it off first (an `adjustment` out of
 * the credited bucket and into the debt bucket), so owed credits are never spent twice.
 */
function creditWithDebtFirst(buckets: readonly Bucket[], credit: Posting): WalletChange {
  const repay = Math.min(debtCredits(buckets), credit.amount);
  const postings: Posting[] = [credit];
  if (repay > 0) {
    postings.push({ type: 'adjustment', bucketId: credit.bucketId, amount: -repay, reference: `debt-repayment:${credit.reference}` });
    postings.push({ type: 'adjustment', bucketId: DEBT_BUCKET_ID, amount: repay, reference: `debt-repayment:${credit.reference}` });
  }
  return post(buckets, postings, { paygLimitCredits: 0 });
}

/**
 * Pays an open debt out of credits that just arrived in the given buckets (in order), so owed
 * credits are never spent twice: `adjustment` entries out of each source and into the debt bucket.
 */
export function repayDebtFrom(change: WalletChange, sources: ReadonlyArray<{ bucketId: string; amount: number }>, reference: string): WalletChange {
  let owed = debtCredits(change.buckets);
  const postings: Posting[] = [];
  for (const source of sources) {
    const available = change.buckets.find((b) => b.id === source.bucketId)?.balance ?? 0;
    const repay = Math.min(owed, source.amount, Math.max(available, 0));
    if (repay <= 0) continue;
    owed -= repay;
    postings.push({ type: 'adjustment', bucketId: source.bucketId, amount: -repay, reference: `debt-repayment:${reference}` });
    postings.push({ type: 'adjustment', bucketId: DEBT_BUCKET_ID, amount: repay, reference: `debt-repayment:${reference}` });
  }
  if (postings.length === 0) return change;
  const repaid = post(change.buckets, postings, { paygLimitCredits: 0 });
  return { buckets: repaid.buckets, entries: [...change.entries, ...repaid.entries] };
}

/**
 * Takes back a payment's credits (refunded or disputed): what is still unspent leaves the bucket the
 * payment credited (`from`: the top-up bucket by default; null when it credited none, as a PAYG
 * payment that settled usage) at once; what was already spent becomes a debt. Both are `adjustment`
 * entries that reference the payment.
 */
export function takeBackPayment(buckets: readonly Bucket[], input: { credits: number; reference: string; now: Date; from?: string | null }): WalletChange {
  const fromId = input.from === undefined ? TOPUP_BUCKET_ID : input.from;
  const source = fromId === null ? undefined : buckets.find((b) => b.id === fromId);
  const unspent = Math.min(Math.max(source?.balance ?? 0, 0), input.credits);
  const owed = input.credits - unspent;
  const postings: Posting[] = [];
  if (source && unspent > 0) postings.push({ type: 'adjustment', bucketId: source.id, amount: -unspent, reference: input.reference });
  if (owed > 0) postings.push({ type: 'adjustment', bucketId: DEBT_BUCKET_ID, amount: -owed, reference: input.reference });
  const withDebt = owed > 0 ? withBucket(buckets, { id: DEBT_BUCKET_ID, type: 'debt', expiresAt: null, createdAt: input.now.toISOString() }) : buckets;
  return post(withDebt, postings, { paygLimitCredits: 0 });
}

/**
 * Gives back credits taken by a dispute that was won, paying any debt first: into the bucket the
 * payment credited while it can still be spent (`into`), otherwise into the top-up bucket.
 */
export function restorePayment(buckets: readonly Bucket[], input: { credits: number; reference: string; now: Date; into?: string | null }): WalletChange {
  const original = input.into ? buckets.find((b) => b.id === input.into && !isExpired(b, input.now)) : undefined;
  const withTarget = original ? [...buckets] : withBucket(buckets, { id: TOPUP_BUCKET_ID, type: 'topup', expiresAt: null, createdAt: input.now.toISOString() });
  const bucketId = original?.id ?? TOPUP_BUCKET_ID;
  return creditWithDebtFirst(withTarget, { type: 'adjustment', bucketId, amount: input.credits, reference: input.reference });
}
