/**
 * A PAYG invoice was paid: its credits stop counting as used, once (the invoice's status, the
 * account's version and the event record guard it).
 */
import { DomainError } from '../domain/errors';
import { settlePaygInvoice } from '../domain/payg';
import type { UseCaseDeps } from './context';
import { done, retry, withOptimisticRetry } from './optimistic-retry';

/** A PAYG invoice was paid: its credits stop counting as used, once. */
export async function settlePaygInvoicePaid(deps: UseCaseDeps, accountId: string, invoiceId: string, eventId: string): Promise<string> {
  return withOptimisticRetry(async () => {
    const [account, invoice] = await Promise.all([deps.store.loadAccount(accountId), deps.store.getPaygInvoice(accountId, invoiceId)]);
    if (!account || !invoice) throw new DomainError('event_not_ready', `Invoice ${invoiceId} of ${accountId} is not known yet.`);
    if (invoice.status === 'paid') return done('already_applied');
    const now = deps.clock.now();
    const settled = settlePaygInvoice(account, invoice, now);
    const outcome = await deps.store.commit({
      before: account,
      after: settled.account,
      entries: settled.change.entries,
      at: now.toISOString(),
      providerEventId: eventId,
      paygInvoice: { ...invoice, status: 'paid', updatedAt: now.toISOString() },
    });
    if (outcome.kind === 'committed') return done('settled');
    if (outcome.kind === 'already_applied') return done('already_applied');
    return retry(outcome.kind);
  });
}
