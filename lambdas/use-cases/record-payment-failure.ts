import type { ProviderEvent } from '../domain/provider-event';
import type { UseCaseDeps } from './context';
import { release } from './start-auto-refill';

/**
 * A payment failed: its top-up is marked failed (nothing was credited, so no money moves); a failed
 * auto-refill also releases the refill lock and switches auto-refill off.
 */
export async function recordPaymentFailure(deps: UseCaseDeps, event: Extract<ProviderEvent, { kind: 'payment_failed' }>): Promise<string> {
  if (!event.topupId) return 'no_topup';
  const topup = await deps.store.getTopup(event.accountId, event.topupId);
  if (topup?.status === 'pending') await deps.store.updateTopupStatus({ ...topup, paymentId: event.paymentId }, 'failed', deps.clock.now().toISOString());
  if (event.purpose === 'auto_refill' && (await deps.store.loadAccount(event.accountId))) await release(deps, event.accountId, event.topupId, event.reason === 'authentication_required' ? 'authentication_required' : 'declined');
  return 'topup_failed';
}
