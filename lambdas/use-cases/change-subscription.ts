/**
 * Subscribing, changing plan and cancelling (owner). The provider bills (with proration on a change)
 * and reports the result as events; the account follows those events (apply-subscription-event),
 * so a request here changes no credits itself. Idempotency keys name the intended transition, so a
 * retried request never creates a second subscription.
 */
import { PLANS } from '../domain/catalog';
import { DomainError } from '../domain/errors';
import type { PaidPlanId } from '../domain/subscription';
import type { UseCaseDeps } from './context';
import { ensureCustomer } from './ensure-customer';
import { getOrOpenAccount } from './open-account';

export interface SubscriptionRequested {
  readonly plan: PaidPlanId;
  readonly subscriptionId: string;
  readonly status: string;
  /** Set when the first invoice needs the customer to confirm the payment in the app. */
  readonly clientSecret: string | null;
  /** An upgrade (or a first subscription) applies now; a downgrade at the renewal. */
  readonly effective: 'now' | 'at_renewal';
}

export async function changeSubscription(deps: UseCaseDeps, accountId: string, plan: PaidPlanId): Promise<SubscriptionRequested> {
  const account = await getOrOpenAccount(deps, accountId);
  const customerId = await ensureCustomer(deps, account);
  const current = account.subscription.subscriptionId;
  const effective = current && PLANS[plan].monthlyCredits < PLANS[account.plan].monthlyCredits ? 'at_renewal' : 'now';
  const idempotencyKey = current ? `subscription-change:${current}:${plan}:${account.currentPeriod.start}` : `subscription-create:${accountId}:${plan}`;
  const result = await deps.payments
    .createOrChangeSubscription({ accountId, customerId, plan, subscriptionId: current, idempotencyKey })
    .catch((error: unknown) => {
      throw new DomainError('payment_provider_error', 'The payment provider did not answer; nothing changed. Retry the request.', undefined, { cause: error });
    });
  return { plan, subscriptionId: result.subscriptionId, status: result.status, clientSecret: result.clientSecret, effective };
}

/** Cancels at the end of the paid period: the plan stays until then, then the account is FREE. */
export async function cancelSubscription(deps: UseCaseDeps, accountId: string): Promise<{ cancelAtPeriodEnd: true; endsAt: string }> {
  const account = await getOrOpenAccount(deps, accountId);
  const subscriptionId = account.subscription.subscriptionId;
  if (!subscriptionId) throw new DomainError('no_subscription', 'There is no paid subscription to cancel.');
  await deps.payments.cancelSubscriptionAtPeriodEnd({ subscriptionId, idempotencyKey: `subscription-cancel:${subscriptionId}:${account.currentPeriod.start}` });
  return { cancelAtPeriodEnd: true, endsAt: account.currentPeriod.end };
}
