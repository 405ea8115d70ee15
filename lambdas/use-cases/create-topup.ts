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
import { DomainError } from '../domain/errors';
import { priceOfCredits } from '../domain/payment-gateway';
import { TOPUP_CENTS_PER_CREDIT } from '../domain/catalog';
import type { Topup } from '../domain/topup';
import { assertTopupWithinPlan } from '../domain/topup';
import { sha256Hex } from '../shared/canonical-json';
import type { UseCaseDeps } from './context';
import { ensureCustomer } from './ensure-customer';
import { getOrOpenAccount } from './open-account';
import { recordPendingTopup } from './record-pending-topup';

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
  const recorded = await recordPendingTopup(deps, { id: topupId, accountId: input.accountId, purpose: 'topup', credits: input.credits, amountCents, currency });
  // Settled already (succeeded, failed, refunded...): a retry answers its state and never asks for a
  // payment again (Stripe keeps idempotency keys for 24 hours only: a later retry would charge twice).
  if (recorded.status !== 'pending') return startedAnswer(recorded, null);
  const customerId = await ensureCustomer(deps, account);
  const payment = await deps.payments
    .createPayment({ accountId: input.accountId, customerId, topupId, credits: input.credits, amountCents, currency, purpose: 'topup', idempotencyKey: `topup:${topupId}` })
    .catch((error: unknown) => {
      throw new DomainError('payment_provider_error', 'The payment provider did not answer; nothing was charged. Retry with the same Idempotency-Key.', undefined, { cause: error });
    });
  // Read again: the payment's webhook may have settled it meanwhile.
  return startedAnswer((await deps.store.getTopup(input.accountId, topupId)) ?? recorded, payment.clientSecret);
}

function startedAnswer(topup: Pick<Topup, 'id' | 'status' | 'credits' | 'amountCents' | 'currency'>, clientSecret: string | null): TopupStarted {
  return { id: topup.id, status: topup.status, credits: topup.credits, amount: { value: topup.amountCents, currency: topup.currency }, clientSecret };
}
