import type { ProviderEvent } from '../domain/provider-event';
import type { UseCaseDeps } from './context';

/** A payment failed: its top-up is marked failed (nothing was credited, so no money moves). */
export async function recordPaymentFailure(deps: UseCaseDeps, event: Extract<ProviderEvent, { kind: 'payment_failed' }>): Promise<string> {
  if (!event.topupId) return 'no_topup';
  const topup = await deps.store.getTopup(event.accountId, event.topupId);
  if (!topup || topup.status !== 'pending') return 'unchanged';
  await deps.store.updateTopupStatus(topup, 'failed', deps.clock.now().toISOString());
  return 'topup_failed';
}
