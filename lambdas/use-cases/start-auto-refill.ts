/**
 * Starts an auto-refill for an account that fell below its threshold:
 * 1. decide from a fresh read (threshold, one in flight, cooldown, monthly cap) and take the lock in
 *    the account's version-guarded write;
 * 2. record the top-up and charge the saved card off-session, with an idempotency key named by the
 *    top-up, so a retry after a crash is the same payment;
 * 3. a decline or a required authentication releases the lock and switches auto-refill off (shown in
 *    billing). Success arrives as a webhook, which credits and releases the lock in one write;
 * 4. an error (the provider or the store threw) keeps the lock until a retry time that doubles with
 *    each failure in a row, then throws: neither the sweep nor a debit tries this account before.
 *    An error before the lock was recorded (reading the account, taking the lock) backs off the
 *    same way, without a lock: every failure of an account counts in one backoff.
 */
import type { RefillDecision } from '../domain/auto-refill';
import { DEFAULT_AUTO_REFILL_POLICY, decideAutoRefill, finishAutoRefill, noteAutoRefillFailure } from '../domain/auto-refill';
import { TOPUP_CENTS_PER_CREDIT } from '../domain/catalog';
import { priceOfCredits } from '../domain/payment-gateway';
import { sha256Hex } from '../shared/canonical-json';
import { log } from '../shared/logger';
import { recordBackoff } from './billing-failures';
import type { UseCaseDeps } from './context';
import { ensureCustomer } from './ensure-customer';
import { done, retry, withOptimisticRetry } from './optimistic-retry';
import { recordPendingTopup } from './record-pending-topup';
import { updateAccount } from './update-account';

export type AutoRefillResult = Extract<RefillDecision, { kind: 'skip' }>['reason'] | 'started' | 'declined' | 'authentication_required' | 'no_payment_method';

export async function startAutoRefill(deps: UseCaseDeps, accountId: string): Promise<AutoRefillResult> {
  let topupId: string | null = null;
  try {
    const decision = await takeRefillLock(deps, accountId);
    if (decision.kind === 'skip') return decision.reason;
    topupId = decision.topupId;
    return await chargeRefill(deps, accountId, decision);
  } catch (error) {
    // topupId is null when the lock was never recorded: the failure still backs the account off.
    const failed = topupId;
    await recordBackoff(accountId, () => updateAccount(deps, accountId, (current) => noteAutoRefillFailure(current, failed, deps.clock.now())));
    throw error;
  }
}

/** Step 1: decides from a fresh read and takes the lock in the account's version-guarded write. */
function takeRefillLock(deps: UseCaseDeps, accountId: string): Promise<RefillDecision> {
  return withOptimisticRetry<RefillDecision>(async () => {
    const account = await deps.store.loadAccount(accountId);
    if (!account) return done({ kind: 'skip', reason: 'disabled' });
    const next = decideAutoRefill(account, deps.clock.now(), DEFAULT_AUTO_REFILL_POLICY, sha256Hex);
    if (next.kind === 'skip') return done(next);
    const outcome = await deps.store.commit({ before: account, after: next.account, entries: [], at: deps.clock.now().toISOString() });
    return outcome.kind === 'committed' ? done(next) : retry(outcome.kind);
  });
}

/** Steps 2 and 3, under the lock `decision` took. */
async function chargeRefill(deps: UseCaseDeps, accountId: string, decision: Extract<RefillDecision, { kind: 'start' }>): Promise<AutoRefillResult> {
  const account = decision.account;
  const customerId = await ensureCustomer(deps, account);
  const card = await deps.payments.savedCard(customerId);
  if (!card) return release(deps, accountId, decision.topupId, 'declined', 'no_payment_method');

  const { amountCents, currency } = priceOfCredits(decision.credits, TOPUP_CENTS_PER_CREDIT);
  // A retry of this refill (its lease lapsed) finds the top-up recorded already; the payment key makes the charge the same one too.
  await recordPendingTopup(deps, { id: decision.topupId, accountId, purpose: 'auto_refill', credits: decision.credits, amountCents, currency });
  const payment = await deps.payments.createPayment({
    accountId,
    customerId,
    topupId: decision.topupId,
    credits: decision.credits,
    amountCents,
    currency,
    purpose: 'auto_refill',
    offSessionPaymentMethodId: card.paymentMethodId,
    idempotencyKey: `auto-refill:${decision.topupId}`,
  });
  if (payment.declineCode) {
    const topup = await deps.store.getTopup(accountId, decision.topupId);
    if (topup?.status === 'pending') await deps.store.updateTopupStatus({ ...topup, paymentId: payment.paymentId }, 'failed', deps.clock.now().toISOString());
    return release(deps, accountId, decision.topupId, payment.declineCode === 'card_declined' ? 'declined' : 'authentication_required');
  }
  log().info('auto-refill started', { topupId: decision.topupId, credits: decision.credits });
  return 'started';
}

/** Releases the refill lock after a refusal, switching auto-refill off with the reason. */
export async function release(
  deps: UseCaseDeps,
  accountId: string,
  topupId: string,
  outcome: 'declined' | 'authentication_required',
  result: AutoRefillResult = outcome,
): Promise<AutoRefillResult> {
  await updateAccount(deps, accountId, (account) => finishAutoRefill(account, topupId, outcome));
  log().warn('auto-refill switched off', { topupId, reason: outcome });
  return result;
}
