/**
 * Subscribing, changing plan and cancelling (owner). The provider bills and reports the result as
 * events; the account follows those events (apply-subscription-event), so a request here changes
 * no credits itself. Nothing is granted before it is paid:
 * - a first subscription starts when its first invoice is paid; an unpaid (incomplete) one can be
 *   paid (a fresh client secret), replaced by another plan, or has expired: the account can always
 *   subscribe again;
 * - an upgrade is invoiced (prorated) and charged at once, and applies only when that invoice is
 *   paid; a declined card leaves the plan and its credits as they were, and the answer says so;
 * - a downgrade changes the price from the next period, with nothing prorated or credited back;
 *   the plan in force, its limits and credits stay until the renewal. The same plan again undoes it.
 */
import { PLANS } from '../domain/catalog';
import type { Account } from '../domain/account';
import { DomainError } from '../domain/errors';
import type { SubscriptionChange, SubscriptionResult } from '../domain/payment-gateway';
import type { PaidPlanId } from '../domain/subscription';
import type { UseCaseDeps } from './context';
import { ensureCustomer } from './ensure-customer';
import { getOrOpenAccount } from './open-account';
import { assertPlanFitsTeam } from '../domain/team';
import { updateAccount } from './update-account';

export interface SubscriptionRequested {
  readonly plan: PaidPlanId;
  readonly subscriptionId: string;
  readonly status: string;
  /** Set when an invoice needs the customer to pay or confirm it in the app. */
  readonly clientSecret: string | null;
  /** now: in force (or as soon as its paid invoice is reported); at_renewal: a downgrade; when_paid: waiting for a payment. */
  readonly effective: 'now' | 'at_renewal' | 'when_paid';
  /** Why the change is not in force yet, in words; null otherwise. */
  readonly message: string | null;
}

const IN_FORCE = new Set(['active', 'trialing', 'past_due']);

export async function changeSubscription(deps: UseCaseDeps, accountId: string, plan: PaidPlanId): Promise<SubscriptionRequested> {
  const account = await getOrOpenAccount(deps, accountId);
  // Fewer seats than the owner, members and pending invites: refused before anything is asked of the provider.
  assertPlanFitsTeam(account, plan, deps.clock.now());
  const customerId = await ensureCustomer(deps, account);
  const current = account.subscription.subscriptionId;
  if (account.plan === 'FREE' || current === null) return subscribe(deps, account, customerId, plan);
  return changePlan(deps, account, customerId, current, plan);
}

/** 1. look at an earlier unpaid subscription: pay it, or abandon it for another plan; 2. else create one. */
async function subscribe(deps: UseCaseDeps, account: Account, customerId: string, plan: PaidPlanId): Promise<SubscriptionRequested> {
  const previous = account.subscription.subscriptionId;
  const state = previous ? await provider(deps.payments.subscriptionState(previous)) : null;
  if (state && previous && IN_FORCE.has(state.status)) return answer(plan, { subscriptionId: previous, status: state.status, clientSecret: null }, 'now');
  if (state && previous && state.status === 'incomplete') {
    if (state.plan === plan) return answer(plan, { subscriptionId: previous, status: state.status, clientSecret: state.clientSecret }, 'now');
    await provider(deps.payments.cancelSubscriptionNow({ subscriptionId: previous, idempotencyKey: `subscription-abandon:${previous}` }));
  }
  // Named by the subscription it replaces: a retry is the same subscription, a new attempt after an
  // unpaid one is a new one. With none to replace, by the account's current period: an ended
  // subscription clears the id and starts a new (FREE) period, so subscribing again is a new
  // subscription, never the cancelled one replayed under the same key.
  const idempotencyKey = `subscription-create:${account.id}:${plan}:${previous ?? `none:${account.currentPeriod.start}`}`;
  const created = await provider(deps.payments.createOrChangeSubscription({ accountId: account.id, customerId, plan, subscriptionId: null, idempotencyKey }));
  // Follow the new subscription from now on (the old one's late events are then ignored).
  await updateAccount(deps, account.id, (latest) =>
    latest.plan === 'FREE' && latest.subscription.subscriptionId !== created.subscriptionId ? { subscription: { ...latest.subscription, subscriptionId: created.subscriptionId } } : null,
  );
  return answer(plan, created, 'now');
}

async function changePlan(deps: UseCaseDeps, account: Account, customerId: string, subscriptionId: string, plan: PaidPlanId): Promise<SubscriptionRequested> {
  const period = account.currentPeriod.start;
  const pending = account.subscription.pendingPlan;
  const change = (proration: SubscriptionChange['proration'], target: PaidPlanId, idempotencyKey: string, prorationDate?: string) =>
    provider(deps.payments.createOrChangeSubscription({ accountId: account.id, customerId, plan: target, subscriptionId, proration, idempotencyKey, ...(prorationDate ? { prorationDate } : {}) }));
  // The provider's price is the pending downgrade's: put back the plan in force first (nothing prorated).
  const restore = () => change('none', account.plan as PaidPlanId, `subscription-restore:${subscriptionId}:${account.plan}:${period}`);

  if (plan === account.plan) {
    if (!pending) return answer(plan, { subscriptionId, status: account.status, clientSecret: null }, 'now');
    return answer(plan, await restore(), 'now');
  }
  if (PLANS[plan].monthlyCredits < PLANS[account.plan].monthlyCredits) {
    return answer(plan, await change('none', plan, `subscription-downgrade:${subscriptionId}:${plan}:${period}`), 'at_renewal');
  }
  if (pending) await restore();
  // Prorated as of this minute: a retry within it replays the same charge; a later one (say after
  // fixing the card) is a new attempt, and once one is paid the price is the new plan's and a
  // repeat prorates nothing.
  const minute = new Date(Math.floor(deps.clock.now().getTime() / 60_000) * 60_000).toISOString();
  const upgraded = await change('invoice_now', plan, `subscription-upgrade:${subscriptionId}:${account.plan}:${plan}:${minute}`, minute);
  return answer(plan, upgraded, 'now', account.plan);
}

function answer(plan: PaidPlanId, result: SubscriptionResult, effective: 'now' | 'at_renewal', planInForce?: string): SubscriptionRequested {
  const waiting = result.pendingPayment === true || result.status === 'incomplete';
  if (!waiting) return { plan, subscriptionId: result.subscriptionId, status: result.status, clientSecret: result.clientSecret, effective, message: null };
  const message = planInForce
    ? `The upgrade's payment did not go through (declined, or the card needs confirming): nothing changed, the plan stays ${planInForce}. Pay the upgrade's invoice with the client secret to apply it.`
    : `The first invoice is not paid (declined, or the card needs confirming): the ${plan} plan starts once it is paid. Pay it with the client secret, or subscribe again.`;
  return { plan, subscriptionId: result.subscriptionId, status: result.status, clientSecret: result.clientSecret, effective: 'when_paid', message };
}

async function provider<T>(call: Promise<T>): Promise<T> {
  return call.catch((error: unknown) => {
    throw new DomainError('payment_provider_error', 'The payment provider did not answer; nothing changed. Retry the request.', undefined, { cause: error });
  });
}

/**
 * Cancels at the end of the paid period: the plan stays until then, then the account is FREE. A
 * subscription never paid (incomplete) is abandoned at once.
 */
export async function cancelSubscription(deps: UseCaseDeps, accountId: string): Promise<{ cancelAtPeriodEnd: true; endsAt: string }> {
  const account = await getOrOpenAccount(deps, accountId);
  const subscriptionId = account.subscription.subscriptionId;
  if (!subscriptionId) throw new DomainError('no_subscription', 'There is no paid subscription to cancel.');
  if (account.plan === 'FREE') {
    await provider(deps.payments.cancelSubscriptionNow({ subscriptionId, idempotencyKey: `subscription-abandon:${subscriptionId}` }));
    return { cancelAtPeriodEnd: true, endsAt: deps.clock.now().toISOString() };
  }
  await provider(deps.payments.cancelSubscriptionAtPeriodEnd({ subscriptionId, idempotencyKey: `subscription-cancel:${subscriptionId}:${account.currentPeriod.start}` }));
  return { cancelAtPeriodEnd: true, endsAt: account.currentPeriod.end };
}
