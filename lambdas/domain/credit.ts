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
 * Takes back a payment's credits (refunded or disputed), in this order:
 * 1. what the bucket the payment credited (`from`: the top-up bucket by default; null when it
 *    credited none, as a PAYG payment that settled usage) still holds leaves it at once (expired
 *    or not: an expired bucket the expiry job has not zeroed yet still holds them);
 * 2. what expired from that bucket unused (`expiredCredits`) is counted as already gone: expired
 *    credits were not consumed, so nothing is owed for them (the bucket's count goes down by as
 *    much, so no later take-back counts them again);
 * 3. only the rest, credits really spent (or that repaid a debt), becomes a debt.
 * Steps 1 and 3 are `adjustment` entries that reference the payment; step 2 moves no balance.
 * `owedCredits` is what step 3 took (the payment record keeps it for a later restoration).
 */
export function takeBackPayment(buckets: readonly Bucket[], input: { credits: number; reference: string; now: Date; from?: string | null }): WalletChange & { owedCredits: number } {
  const fromId = input.from === undefined ? TOPUP_BUCKET_ID : input.from;
  const source = fromId === null ? undefined : buckets.find((b) => b.id === fromId);
  const unspent = Math.min(Math.max(source?.balance ?? 0, 0), input.credits);
  const expiredGone = Math.min(Math.max(source?.expiredCredits ?? 0, 0), input.credits - unspent);
  const owed = input.credits - unspent - expiredGone;
  const postings: Posting[] = [];
  if (source && unspent > 0) postings.push({ type: 'adjustment', bucketId: source.id, amount: -unspent, reference: input.reference });
  if (owed > 0) postings.push({ type: 'adjustment', bucketId: DEBT_BUCKET_ID, amount: -owed, reference: input.reference });
  const withDebt = owed > 0 ? withBucket(buckets, { id: DEBT_BUCKET_ID, type: 'debt', expiresAt: null, createdAt: input.now.toISOString() }) : buckets;
  const change = post(withDebt, postings, { paygLimitCredits: 0 });
  const counted = expiredGone > 0 && source ? change.buckets.map((b) => (b.id === source.id ? { ...b, expiredCredits: (b.expiredCredits ?? 0) - expiredGone } : b)) : change.buckets;
  return { buckets: counted, entries: change.entries, owedCredits: owed };
}

/**
 * Gives back credits taken by a dispute that was won.
 * - Into the bucket the payment credited (`into`) while it can still be spent, paying any debt
 *   first; into the top-up bucket when the payment credited none (top-up, PAYG) or the bucket is
 *   gone.
 * - Into a bucket that has EXPIRED meanwhile, nothing comes back spendable beyond what the
 *   take-back cost the customer: the restored credits first cancel what the take-back made a debt
 *   (`owed`: the payment's take-backs' debt not yet given back; unknown on older records, then any
 *   debt up to the credits), and what of that debt other credits already repaid comes back into
 *   the top-up bucket (those credits were spent twice); the rest (credits the bucket held, or had
 *   let expire, when they were taken back) goes back into the expired bucket and expires at once
 *   (an `adjustment` in, an `expire` out): held until after the period's end, they would have
 *   expired unused.
 * `owedRestored` is how much of `owed` this gave back.
 */
export function restorePayment(buckets: readonly Bucket[], input: { credits: number; reference: string; now: Date; into?: string | null; owed?: number }): WalletChange & { owedRestored: number } {
  const target = input.into ? buckets.find((b) => b.id === input.into) : undefined;
  const owedRestored = Math.min(input.credits, Math.max(input.owed ?? input.credits, 0));
  if (target && isExpired(target, input.now)) return { ...restoreIntoExpired(buckets, target, input), owedRestored: input.owed === undefined ? 0 : owedRestored };
  const withTarget = target ? [...buckets] : withBucket(buckets, { id: TOPUP_BUCKET_ID, type: 'topup', expiresAt: null, createdAt: input.now.toISOString() });
  const bucketId = target?.id ?? TOPUP_BUCKET_ID;
  return { ...creditWithDebtFirst(withTarget, { type: 'adjustment', bucketId, amount: input.credits, reference: input.reference }), owedRestored };
}

function restoreIntoExpired(buckets: readonly Bucket[], target: Bucket, input: { credits: number; reference: string; now: Date; owed?: number }): WalletChange {
  const owed = Math.min(input.credits, Math.max(input.owed ?? input.credits, 0));
  const cancelled = Math.min(owed, debtCredits(buckets));
  // Debt this payment made that other credits repaid meanwhile: those credits come back, spendable. Unknown on older records: none.
  const repaid = input.owed === undefined ? 0 : owed - cancelled;
  const expired = input.credits - cancelled - repaid;
  const postings: Posting[] = [];
  if (cancelled > 0) postings.push({ type: 'adjustment', bucketId: DEBT_BUCKET_ID, amount: cancelled, reference: input.reference });
  if (repaid > 0) postings.push({ type: 'adjustment', bucketId: TOPUP_BUCKET_ID, amount: repaid, reference: input.reference });
  if (expired > 0) {
    postings.push({ type: 'adjustment', bucketId: target.id, amount: expired, reference: input.reference });
    postings.push({ type: 'expire', bucketId: target.id, amount: -expired, reference: target.id });
  }
  const withTopup = repaid > 0 ? withBucket(buckets, { id: TOPUP_BUCKET_ID, type: 'topup', expiresAt: null, createdAt: input.now.toISOString() }) : buckets;
  return post(withTopup, postings, { paygLimitCredits: 0 });
}
