/**
 * Applies one verified payment-provider event, exactly once. Each effect records the event id (and
 * the payment id where money moves) in the same transaction as the effect; a redelivery finds it done.
 */
import type { ProviderEvent } from '../domain/provider-event';
import { log } from '../shared/logger';
import type { UseCaseDeps } from './context';
import { applySubscriptionEvent } from './apply-subscription-event';
import { creditPayment } from './credit-payment';
import { settlePaygInvoicePaid } from './settle-payg-invoice';
import { recordPaymentFailure } from './record-payment-failure';
import { reversePayment } from './reverse-payment';

export async function applyProviderEvent(deps: UseCaseDeps, event: ProviderEvent): Promise<string> {
  if (event.kind === 'ignored') return 'ignored';
  if (await deps.store.isProviderEventApplied(event.eventId)) return 'duplicate';
  const result = await apply(deps, event);
  log().info('provider event applied', { eventId: event.eventId, kind: event.kind, result });
  return result;
}

async function apply(deps: UseCaseDeps, event: Exclude<ProviderEvent, { kind: 'ignored' }>): Promise<string> {
  switch (event.kind) {
    case 'payment_succeeded':
      return creditPayment(deps, event.facts, event.eventId);
    case 'payment_failed':
      return recordPaymentFailure(deps, event);
    case 'payment_refunded':
      return reversePayment(deps, event, { kind: 'refunded', amountRefundedCents: event.amountRefundedCents });
    case 'dispute_opened':
      return reversePayment(deps, event, { kind: 'dispute_opened' });
    case 'dispute_closed':
      return reversePayment(deps, event, { kind: event.won ? 'dispute_won' : 'dispute_lost' });
    case 'subscription_changed':
    case 'subscription_ended':
    case 'period_paid':
    case 'upgrade_paid':
      return applySubscriptionEvent(deps, event);
    case 'payg_invoice_paid':
      return settlePaygInvoicePaid(deps, event);
  }
}
