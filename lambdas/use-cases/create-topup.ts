/**
 * Starts a top-up (owner):
 * 1. check the amount against the plan's limits;
 * 2. derive the top-up id from the Idempotency-Key, so a retry finds the same top-up and sends the
 *    provider the same idempotency key (one payment, never two);
 * 3. record the top-up as pending, decided from a fresh read and retried like every other write
 *    (a transient conflict, or a concurrent request with the same key); after too many conflicts
 *    the answer is 409 write_conflict and nothing was recorded, nor asked of the provider;
 * 4. only then ensure the provider customer and create the payment.
 * Credits land later, once, when the provider reports the payment succeeded (apply-payment-event).
 */
import { DomainError, IdempotencyKeyReusedError } from '../domain/errors';
import { priceOfCredits } from '../domain/payment-gateway';
import { TOPUP_CENTS_PER_CREDIT } from '../domain/catalog';
import type { Topup } from '../domain/topup';
import { assertTopupWithinPlan } from '../domain/topup';
import { sha256Hex } from '../shared/canonical-json';
import type { UseCaseDeps } from './context';
import { ensureCustomer } from './ensure-customer';
import { getOrOpenAccount } from './open-account';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

export interface TopupStarted {
  readonly id: string;
  readonly status: Topup['status'];
  readonly credits: number;
  readonly amount: { readonly value: number; readonly currency: 'usd' };
  readonly clientSecret: string | null;
}

export async function createTopup(deps: UseCaseDeps, input: { accountId: string; credits: number; idempotencyKey: string }): Promise<TopupStarted> {
  const account = await getOrOpenAccount(deps, input.accountId);
  assertTopupWithinPlan(account.plan, input.credits);
  const topupId = `top_${sha256Hex(`${input.accountId}\n${input.idempotencyKey}`).slice(0, 32)}`;
  const { amountCents, currency } = priceOfCredits(input.credits, TOPUP_CENTS_PER_CREDIT);

  // Recorded BEFORE the payment exists: its webhook may arrive before this request returns, and
  // the credit must find the top-up to mark it succeeded.
  const recorded = await recordPendingTopup(deps, { id: topupId, accountId: input.accountId, credits: input.credits, amountCents, currency });
  // Settled already (succeeded, failed, refunded...): a retry answers its state and never asks for a
  // payment again (Stripe keeps idempotency keys for 24 hours only: a later retry would charge twice).
  if (recorded.status !== 'pending') return { id: recorded.id, status: recorded.status, credits: recorded.credits, amount: { value: recorded.amountCents, currency: recorded.currency }, clientSecret: null };
  const customerId = await ensureCustomer(deps, account);
  const payment = await deps.payments
    .createPayment({ accountId: input.accountId, customerId, topupId, credits: input.credits, amountCents, currency, purpose: 'topup', idempotencyKey: `topup:${topupId}` })
    .catch((error: unknown) => {
      throw new DomainError('payment_provider_error', 'The payment provider did not answer; nothing was charged. Retry with the same Idempotency-Key.', undefined, { cause: error });
    });
  const current = (await deps.store.getTopup(input.accountId, topupId)) ?? { id: topupId, status: 'pending' as const, credits: input.credits, amountCents, currency };
  return { id: current.id, status: current.status, credits: current.credits, amount: { value: current.amountCents, currency: current.currency }, clientSecret: payment.clientSecret };
}

/**
 * The top-up with this id as stored: recorded now as pending, or the one an earlier request with
 * the same key recorded (refused with 422 if it was for another amount).
 */
async function recordPendingTopup(deps: UseCaseDeps, pending: Pick<Topup, 'id' | 'accountId' | 'credits' | 'amountCents' | 'currency'>): Promise<Topup> {
  return withOptimisticRetry(async () => {
    const existing = await deps.store.getTopup(pending.accountId, pending.id);
    if (existing) {
      if (existing.credits !== pending.credits) throw new IdempotencyKeyReusedError();
      return done(existing);
    }
    const now = deps.clock.now().toISOString();
    const topup: Topup = { ...pending, purpose: 'topup', status: 'pending', paymentId: null, createdAt: now, updatedAt: now };
    const outcome = await deps.store.createTopup(topup);
    if (outcome === 'created') return done(topup);
    // exists: a concurrent request with the same key recorded it first; the next read decides.
    return retry(outcome === 'exists' ? 'topup_recorded_concurrently' : 'store_busy');
  });
}
