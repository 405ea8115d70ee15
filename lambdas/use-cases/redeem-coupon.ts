/**
 * Redeems a coupon code for the caller's account:
 * 1. refuse input that cannot be a code before any lookup (not counted);
 * 2. take a lookup slot in the account's failed-lookup window for this code, BEFORE the coupon is
 *    read: one conditional write that refuses (429) once the limit of codes holds the window, so
 *    concurrent guesses can never look up more codes than the limit;
 * 3. read account, coupon and this account's redemption marker (one consistent snapshot: a refusal
 *    is decided from it, with no write to guard it);
 * 4. credit the coupon bucket, mark the redemption and count it against the coupon, in one transaction;
 * 5. give the slot back unless the lookup showed a wrong guess (see keepsLookupSlot), so honest users
 *    are not locked out by their own redemptions. A code holds one slot however often it is sent:
 *    one account's concurrent requests for one code share it (and get 409, not 429).
 */
import type { Coupon } from '../domain/coupon';
import { MAX_FAILED_COUPON_ATTEMPTS_PER_HOUR, assertRedeemable } from '../domain/coupon';
import type { CouponCode } from '../domain/coupon-code';
import { parseCouponCode } from '../domain/coupon-code';
import { creditNonExpiring } from '../domain/credit';
import { CouponAlreadyRedeemedError, CouponExhaustedError, CouponNotFoundError, DomainError, InvalidCouponCodeError, TooManyAttemptsError, WriteConflictError } from '../domain/errors';
import { availableCredits } from '../domain/wallet';
import { errorFacts } from '../shared/error-facts';
import { log } from '../shared/logger';
import type { UseCaseDeps } from './context';
import { openMissingAccount } from './open-account';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

export interface CouponRedeemed {
  readonly code: string;
  readonly credits: number;
  readonly available: number;
}

const HOUR_MS = 3600_000;
/** A window's item outlives its hour by one more: nothing reads it after its hour. */
const WINDOW_TTL_MS = 2 * HOUR_MS;

export async function redeemCoupon(deps: UseCaseDeps, input: { accountId: string; code: string }): Promise<CouponRedeemed> {
  const code = parseCouponCode(input.code);
  if (!code) throw new InvalidCouponCodeError();

  const now = deps.clock.now();
  const hourWindow = now.toISOString().slice(0, 13);
  const reserved = await deps.store.reserveCouponLookup(input.accountId, hourWindow, code, MAX_FAILED_COUPON_ATTEMPTS_PER_HOUR, new Date(now.getTime() + WINDOW_TTL_MS));
  if (!reserved) throw new TooManyAttemptsError(Math.ceil((HOUR_MS - (now.getTime() % HOUR_MS)) / 1000));

  let lookup: Lookup;
  try {
    lookup = await lookUpAndRedeem(deps, input.accountId, code);
  } catch (error) {
    if (!keepsLookupSlot(error)) await giveSlotBack(deps, input.accountId, hourWindow, code);
    throw error;
  }
  // A wrong guess keeps its slot for the rest of the hour: that is what the limit counts.
  if (lookup.kind === 'wrong_guess') throw lookup.error;
  await giveSlotBack(deps, input.accountId, hourWindow, code);
  return lookup.redeemed;
}

/** How a lookup ended: redeemed, or the code showed it cannot be redeemed (unknown, expired, used up). */
type Lookup = { readonly kind: 'redeemed'; readonly redeemed: CouponRedeemed } | { readonly kind: 'wrong_guess'; readonly error: DomainError };

/**
 * Whether a redemption that ended in an error keeps its code's lookup slot. Given back only on the
 * answers that reveal no wrong guess: already redeemed by this account (its own valid code), used up
 * by another account between the read and the commit (the code was redeemable when read), a write
 * conflict (every read that returned found the code redeemable, or none returned). Anything else,
 * an unexpected error above all, keeps it: failing closed costs an honest account one lookup.
 */
export function keepsLookupSlot(error: unknown): boolean {
  const revealsNoWrongGuess = error instanceof CouponAlreadyRedeemedError || error instanceof CouponExhaustedError || error instanceof WriteConflictError;
  return !revealsNoWrongGuess;
}

async function lookUpAndRedeem(deps: UseCaseDeps, accountId: string, code: CouponCode): Promise<Lookup> {
  return withOptimisticRetry<Lookup>(async () => {
    const now = deps.clock.now();
    const ctx = await deps.store.loadForRedemption(accountId, code);
    if (!ctx) return retry('read_conflict');
    if (!ctx.account) {
      await openMissingAccount(deps, accountId);
      return retry('account_opened');
    }
    if (ctx.alreadyRedeemed) throw new CouponAlreadyRedeemedError();
    if (!ctx.coupon) return done({ kind: 'wrong_guess', error: new CouponNotFoundError() });
    const refusal = redeemableOrRefusal(ctx.coupon, now);
    if (refusal) return done({ kind: 'wrong_guess', error: refusal });

    const account = ctx.account;
    const change = creditNonExpiring(account.buckets, { kind: 'coupon', amountCredits: ctx.coupon.credits, reference: code, now });
    const outcome = await deps.store.commit({
      before: account,
      after: { ...account, buckets: change.buckets },
      entries: change.entries,
      at: now.toISOString(),
      redemption: { coupon: ctx.coupon },
    });
    if (outcome.kind !== 'committed') return retry(outcome.kind === 'retry' ? outcome.reason : 'unexpected_replay');
    return done({ kind: 'redeemed', redeemed: { code, credits: ctx.coupon.credits, available: availableCredits(change.buckets, now) } });
  });
}

/** assertRedeemable's refusal (expired, used up) as a value; null when the coupon can be redeemed now. */
function redeemableOrRefusal(coupon: Coupon, now: Date): DomainError | null {
  try {
    assertRedeemable(coupon, now);
    return null;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

/**
 * A release that fails must not turn an answer already decided (a committed redemption above all)
 * into an error: the slot then stays held until the hour ends, which costs the account one of its
 * lookups and nothing else.
 */
async function giveSlotBack(deps: UseCaseDeps, accountId: string, hourWindow: string, code: CouponCode): Promise<void> {
  try {
    await deps.store.releaseCouponLookup(accountId, hourWindow, code);
  } catch (error) {
    log().warn('could not give a coupon lookup slot back; it stays held until its hour ends', { accountId, hourWindow, ...errorFacts(error) });
  }
}
