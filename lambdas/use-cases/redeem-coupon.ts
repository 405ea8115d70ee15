/**
 * Redeems a coupon code for the caller's account:
 * 1. refuse input that cannot be a code before any lookup;
 * 2. read account, coupon, this account's redemption marker and its failed attempts (one consistent
 *    snapshot: a refusal is decided from it, with no write to guard it);
 * 3. refuse past the failed-attempt limit; count lookups that fail (guessing) toward it;
 * 4. credit the coupon bucket, mark the redemption and count it against the coupon, in one transaction.
 */
import { MAX_FAILED_COUPON_ATTEMPTS_PER_HOUR, assertRedeemable } from '../domain/coupon';
import { parseCouponCode } from '../domain/coupon-code';
import { creditNonExpiring } from '../domain/credit';
import type { DomainError} from '../domain/errors';
import { CouponAlreadyRedeemedError, CouponNotFoundError, InvalidCouponCodeError, TooManyAttemptsError } from '../domain/errors';
import { availableCredits } from '../domain/wallet';
import type { UseCaseDeps } from './context';
import { openMissingAccount } from './open-account';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

export interface CouponRedeemed {
  readonly code: string;
  readonly credits: number;
  readonly available: number;
}

const HOUR_MS = 3600_000;

export async function redeemCoupon(deps: UseCaseDeps, input: { accountId: string; code: string }): Promise<CouponRedeemed> {
  const code = parseCouponCode(input.code);
  if (!code) throw new InvalidCouponCodeError();

  return withOptimisticRetry(async () => {
    const now = deps.clock.now();
    const hourWindow = now.toISOString().slice(0, 13);
    const ctx = await deps.store.loadForRedemption(input.accountId, code, hourWindow);
    if (!ctx) return retry('read_conflict');
    if (ctx.failedAttemptsThisHour >= MAX_FAILED_COUPON_ATTEMPTS_PER_HOUR) {
      throw new TooManyAttemptsError(Math.ceil((HOUR_MS - (now.getTime() % HOUR_MS)) / 1000));
    }
    if (!ctx.account) {
      await openMissingAccount(deps, input.accountId);
      return retry('account_opened');
    }
    if (ctx.alreadyRedeemed) throw new CouponAlreadyRedeemedError();
    const recordFailure = async (error: DomainError): Promise<never> => {
      await deps.store.recordFailedCouponAttempt(input.accountId, hourWindow, new Date(now.getTime() + 2 * HOUR_MS));
      throw error;
    };
    if (!ctx.coupon) return recordFailure(new CouponNotFoundError());
    try {
      assertRedeemable(ctx.coupon, now);
    } catch (error) {
      return recordFailure(error as DomainError);
    }

    const account = ctx.account;
    const change = creditNonExpiring(account.buckets, { kind: 'coupon', amountCredits: ctx.coupon.credits, reference: code, now });
    const outcome = await deps.store.commit({
      before: account,
      after: { ...account, version: account.version + 1, buckets: change.buckets },
      entries: change.entries,
      at: now.toISOString(),
      redemption: { coupon: ctx.coupon },
    });
    if (outcome.kind !== 'committed') return retry(outcome.kind === 'retry' ? outcome.reason : 'unexpected_replay');
    return done({ code, credits: ctx.coupon.credits, available: availableCredits(change.buckets, now) });
  });
}
