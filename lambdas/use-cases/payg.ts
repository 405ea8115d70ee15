/**
 * Pay-as-you-go: switching it on (owner, needs a saved card and a plan with a PAYG limit) and
 * invoicing the usage each month (a paid invoice is settled in settle-payg-invoice.ts).
 */
import type { Account } from '../domain/account';
import { TOPUP_CENTS_PER_CREDIT } from '../domain/catalog';
import { DomainError } from '../domain/errors';
import { inBillingBackoff } from '../domain/billing-retry';
import type { PaygInvoice } from '../domain/payg';
import { assertPaygAvailable, notePaygFailure, paygInvoiceSent, startPaygInvoice, withoutPaygRetry } from '../domain/payg';
import { log } from '../shared/logger';
import { forEachDueAccount, recordBackoff } from './billing-failures';
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

/**
 * Scheduled: invoices each due account's uninvoiced PAYG usage (and re-sends any invoice not yet
 * confirmed). Each account on its own: one that fails is counted in `failures` and backs off.
 */
export async function invoicePaygUsage(deps: UseCaseDeps): Promise<{ due: number; invoiced: number; credits: number; failures: number }> {
  let invoiced = 0;
  let credits = 0;
  const { due, failures } = await forEachDueAccount('payg-invoicing', deps.store.dueAccountIds('payg', deps.clock.now()), async (accountId) => {
    const invoice = await invoiceAccount(deps, accountId);
    if (!invoice) return;
    invoiced += 1;
    credits += invoice.credits;
  });
  return { due, invoiced, credits, failures };
}

async function invoiceAccount(deps: UseCaseDeps, accountId: string): Promise<PaygInvoice | null> {
  try {
    const invoice = await recordInvoice(deps, accountId);
    if (invoice) await sendInvoice(deps, invoice);
    return invoice;
  } catch (error) {
    // The retry time moves the account's key in the due index, so the job's query skips it until then.
    await recordBackoff(accountId, () => updateAccount(deps, accountId, (latest) => ({ payg: notePaygFailure(latest.payg, deps.clock.now()) })));
    throw error;
  }
}

/** Reserves the usage on an invoice of ours first, so a crash before the provider call loses nothing. */
async function recordInvoice(deps: UseCaseDeps, accountId: string): Promise<PaygInvoice | null> {
  return withOptimisticRetry(async () => {
    const account = await deps.store.loadAccount(accountId);
    if (!account) return done(null);
    // The due index is eventually consistent: it may still list an account that has just backed off.
    if (inBillingBackoff(account.payg.retry, deps.clock.now())) return done(null);
    if (account.payg.pendingInvoiceId) return done(await deps.store.getPaygInvoice(accountId, account.payg.pendingInvoiceId));
    const now = deps.clock.now();
    // Named by the version this commit writes the account at (the store's before.version + 1): one per account and commit.
    const started = startPaygInvoice(account, `inv_payg_${account.version + 1}`, TOPUP_CENTS_PER_CREDIT, now);
    // Nothing to invoice: the account leaves the due index, and any failures before are moot.
    const next: Account = started?.account ?? { ...account, payg: withoutPaygRetry({ ...account.payg, usageSince: null }) };
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
  await updateAccount(deps, invoice.accountId, (latest) => {
    const payg = paygInvoiceSent(latest.payg, invoice.id);
    return payg ? { payg } : null;
  });
  log().info('PAYG usage invoiced', { invoiceId: invoice.id, credits: invoice.credits });
}
