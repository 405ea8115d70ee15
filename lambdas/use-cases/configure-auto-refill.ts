import type { Account } from '../domain/account';
import type { AutoRefillSettings } from '../domain/auto-refill';
import { DomainError } from '../domain/errors';
import { assertTopupWithinPlan } from '../domain/topup';
import type { UseCaseDeps } from './context';
import { ensureCustomer } from './ensure-customer';
import { getOrOpenAccount } from './open-account';
import { updateAccount } from './update-account';

export interface AutoRefillView extends AutoRefillSettings {
  readonly disabledReason: string | null;
  readonly refillInFlight: boolean;
  readonly creditsThisMonth: number;
  readonly card: { readonly brand: string; readonly last4: string } | null;
}

/**
 * The settings as anyone on the account sees them; the saved card (brand, last four) only with
 * `showCard`, which only the owner gets: payment details are the owner's. Without it the provider
 * is not asked at all, and `card` is null, so the answer keeps its shape for every caller.
 */
export async function getAutoRefill(deps: UseCaseDeps, accountId: string, options: { readonly showCard: boolean }): Promise<AutoRefillView> {
  const account = await getOrOpenAccount(deps, accountId);
  const card = options.showCard && account.customerId ? await deps.payments.savedCard(account.customerId) : null;
  return autoRefillView(account, card, deps.clock.now());
}

/** Owner: turns auto-refill on (needs a saved card) or off, or changes its amounts. */
export async function configureAutoRefill(deps: UseCaseDeps, accountId: string, settings: AutoRefillSettings): Promise<AutoRefillView> {
  const account = await getOrOpenAccount(deps, accountId);
  assertTopupWithinPlan(account.plan, settings.refillCredits);
  if (settings.monthlyCapCredits < settings.refillCredits) {
    throw new DomainError('invalid_request', 'monthlyCapCredits must allow at least one refill.', { issues: [{ path: 'body.monthlyCapCredits', message: 'below refillCredits' }] });
  }
  let card = null;
  if (settings.enabled) {
    card = await deps.payments.savedCard(await ensureCustomer(deps, account));
    if (!card) throw new DomainError('payment_method_required', 'Save a card first: auto-refill charges it off-session.');
  }
  const saved = await updateAccount(deps, accountId, (current) => ({
    autoRefill: { ...current.autoRefill, ...settings, disabledReason: settings.enabled ? null : current.autoRefill.disabledReason },
  }));
  return autoRefillView(saved ?? account, card, deps.clock.now());
}

export function autoRefillView(account: Account, card: { brand: string; last4: string } | null, now: Date): AutoRefillView {
  const r = account.autoRefill;
  return {
    enabled: r.enabled,
    thresholdCredits: r.thresholdCredits,
    refillCredits: r.refillCredits,
    monthlyCapCredits: r.monthlyCapCredits,
    disabledReason: r.disabledReason,
    refillInFlight: r.inFlight !== null,
    creditsThisMonth: r.month === now.toISOString().slice(0, 7) ? r.monthCredits : 0,
    card: card ? { brand: card.brand, last4: card.last4 } : null,
  };
}
