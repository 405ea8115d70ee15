/**
 * A PAYG invoice was paid: its credits stop counting as used, once (the invoice's status, the
 * account's version and the event record guard it), and the payment that paid it is recorded in
 * the same write, so a refund or dispute of it can reopen the debt it settled.
 */
import { DomainError } from '../domain/errors';
import type { PaymentRecord } from '../domain/payment-record';
import { settlePaygInvoice } from '../domain/payg';
import type { ProviderEvent } from '../domain/provider-event';
import { log } from '../shared/logger';
import type { UseCaseDeps } from './context';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

type PaygInvoicePaid = Extract<ProviderEvent, { kind: 'payg_invoice_paid' }>;

export async function settlePaygInvoicePaid(deps: UseCaseDeps, event: PaygInvoicePaid): Promise<string> {
  const { accountId, invoiceId, eventId } = event;
  const paymentId = await paymentOf(deps, event);
  return withOptimisticRetry(async () => {
    const [account, invoice] = await Promise.all([deps.store.loadAccount(accountId), deps.store.getPaygInvoice(accountId, invoiceId)]);
    if (!account || !invoice) throw new DomainError('event_not_ready', `Invoice ${invoiceId} of ${accountId} is not known yet.`);
    if (invoice.status === 'paid') return done('already_applied');
    const now = deps.clock.now();
    const at = now.toISOString();
    const settled = settlePaygInvoice(account, invoice, now);
    const payment: PaymentRecord | null = paymentId
      ? { paymentId, accountId, paidFor: 'payg', providerInvoiceId: event.providerInvoiceId, topupId: null, credits: invoice.credits, amountCents: event.amountPaidCents, refundedCredits: 0, disputedCredits: 0, creditedAt: at, updatedAt: at, version: 1 }
      : null;
    const outcome = await deps.store.commit({
      before: account,
      after: settled.account,
      entries: settled.change.entries,
      at,
      providerEventId: eventId,
      // The event names the provider's invoice: the copy read may predate its being recorded (marked sent), and this write replaces it.
      paygInvoice: { ...invoice, status: 'paid', providerInvoiceId: event.providerInvoiceId, paymentId, updatedAt: at },
      ...(payment ? { payment: { before: null, after: payment } } : {}),
    });
    if (outcome.kind === 'committed') return done('settled');
    if (outcome.kind === 'already_applied') return done('already_applied');
    return retry(outcome.kind);
  });
}

async function paymentOf(deps: UseCaseDeps, event: PaygInvoicePaid): Promise<string | null> {
  if (event.amountPaidCents <= 0) return null;
  const paymentId = await deps.payments.invoicePaymentId(event.providerInvoiceId).catch((error: unknown) => {
    throw new DomainError('event_not_ready', `The invoice's payment could not be read from the provider; retry later.`, undefined, { cause: error });
  });
  // Charged, yet the provider names no payment: grant what was paid for, but its refunds cannot be matched: a person must look.
  if (!paymentId) log().error('a paid invoice has no visible payment; recorded without one', { invoiceId: event.providerInvoiceId });
  return paymentId;
}
