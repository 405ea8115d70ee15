/**
 * Pay-as-you-go: switching it on (owner, needs a saved card and a plan with a PAYG limit),
 * invoicing the usage each month, and settling an invoice when it is paid.
 */
import type { Account } from '../domain/account';
import { TOPUP_CENTS_PER_CREDIT } from '../domain/catalog';
import { DomainError } from '../domain/errors';
import type { PaygInvoice } from '../domain/payg';
import { assertPaygAvailable, startPaygInvoice } from '../domain/payg';
import { log } from '../shared/logger';
import type { UseCaseDeps } from './context';
import { ensureCustomer } from './ensure-customer';
import { getOrOpenAccount } from './open-account';
import { done, retry, withOptimisticRetry } from './optimistic-retry';
import { updateAccount } from './update-account';

export async function setPayg(deps: UseCaseDeps, accountId: string, enabled: boolean): Promise<{ enabled: boolean }> {
  const account = await getOrOpenAccount(deps, accountId);
  if (enabled) {
    assertPaygAvailable(account);
    const card = await deps.payments.savedCard(await ensureCustomer(deps, account));
    if (!card) throw new DomainError('payment_method_required', 'Save a card first: pay-as-you-go usage is invoiced to it.');
  }
  await updateAccount(deps, accountId, () => ({ paygEnabled: enabled }));
  return { enabled };
}

/** Scheduled: invoices each due account's uninvoiced PAYG usage (and re-sends any invoice not yet confirmed). */
export async function invoicePaygUsage(deps: UseCaseDeps): Promise<{ due: number; invoiced: number; credits: number }> {
  let due = 0;
  let invoiced = 0;
  let credits = 0;
  for await (const accountId of deps.store.dueAccountIds('payg', deps.clock.now())) {
    due += 1;
    const invoice = await recordInvoice(deps, accountId);
    if (!invoice) continue;
    await sendInvoice(deps, invoice);
    invoiced += 1;
    credits += invoice.credits;
  }
  return { due, invoiced, credits };
}

/** Reserves the usage on an invoice of ours first, so a crash before the provider call loses nothing. */
async function recordInvoice(deps: UseCaseDeps, accountId: string): Promise<PaygInvoice | null> {
  return withOptimisticRetry(async () => {
    const account = await deps.store.loadAccount(accountId);
    if (!account) return done(null);
    if (account.payg.pendingInvoiceId) return done(await deps.store.getPaygInvoice(accountId, account.payg.pendingInvoiceId));
    const now = deps.clock.now();
    const started = startPaygInvoice(account, `inv_payg_${account.version + 1}`, TOPUP_CENTS_PER_CREDIT, now);
    const next: Account = started?.account ?? { ...account, version: account.version + 1, payg: { ...account.payg, usageSince: null } };
    const outcome = await deps.store.commit({ before: account, after: next, entries: [], at: now.toISOString(), ...(started ? { paygInvoice: started.invoice } : {}) });
    return outcome.kind === 'committed' ? done(started?.invoice ?? null) : retry(outcome.kind);
  });
}

async function sendInvoice(deps: UseCaseDeps, invoice: PaygInvoice): Promise<void> {
  const account = await getOrOpenAccount(deps, invoice.accountId);
  const customerId = await ensureCustomer(deps, account);
  const { invoiceId } = await deps.payments.invoicePaygUsage({ accountId: invoice.accountId, customerId, credits: invoice.credits, amountCents: invoice.amountCents, invoiceId: invoice.id, idempotencyKey: `payg-invoice:${invoice.accountId}:${invoice.id}` });
  const current = await deps.store.getPaygInvoice(invoice.accountId, invoice.id);
  // The paid event may already have arrived: only a still-pending invoice becomes open.
  if (current?.status === 'pending') await deps.store.markPaygInvoiceSent(current, invoiceId, deps.clock.now().toISOString());
  await updateAccount(deps, invoice.accountId, (latest) => (latest.payg.pendingInvoiceId === invoice.id ? { payg: { ...latest.payg, pendingInvoiceId: null } } : null));
  log().info('PAYG usage invoiced', { invoiceId: invoice.id, credits: invoice.credits });
}
