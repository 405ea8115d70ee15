/**
 * Pay-as-you-go: once every bucket is empty, debits draw on the PAYG bucket down to the plan's
 * limit. Usage is invoiced at the start of the next calendar month (UTC); the credits stay counted
 * as used until the invoice is paid, so an unpaid invoice keeps blocking usage beyond the limit.
 */
import type { Account } from './account';
import type { BillingRetry } from './billing-retry';
import { nextBillingRetry } from './billing-retry';
import { PLANS } from './catalog';
import { DomainError } from './errors';
import type { WalletChange } from './wallet';
import { creditNonExpiring } from './credit';
import { PAYG_BUCKET_ID, paygUsed, post } from './wallet';

export interface PaygState {
  /** Used credits already on an invoice that is not paid yet. */
  readonly invoicedCredits: number;
  /** When the oldest uninvoiced usage happened; null when everything used is invoiced. */
  readonly usageSince: string | null;
  /** An invoice recorded but not yet confirmed by the provider (the invoicing job retries it). */
  readonly pendingInvoiceId: string | null;
  /**
   * Set while invoicing this account fails with an error (see billing-retry.ts): the job does not
   * look at it again before `retryAt`. Absent after a success, and on accounts stored before it existed.
   */
  readonly retry?: BillingRetry;
}

export const NO_PAYG: PaygState = { invoicedCredits: 0, usageSince: null, pendingInvoiceId: null };

export interface PaygInvoice {
  readonly kind: 'payg';
  readonly id: string;
  readonly accountId: string;
  readonly credits: number;
  readonly amountCents: number;
  readonly status: 'pending' | 'open' | 'paid';
  readonly providerInvoiceId: string | null;
  /** The provider payment that paid it (refunds and disputes name it); absent until paid. */
  readonly paymentId?: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function assertPaygAvailable(account: Account): void {
  if (PLANS[account.plan].paygLimitCredits <= 0) throw new DomainError('invalid_request', `The ${account.plan} plan has no pay-as-you-go; upgrade to use it.`, { issues: [{ path: 'body.enabled', message: 'not on this plan' }] });
}

/**
 * When the account falls due for the invoicing job (its key in the sparse `paygDue` index): at once
 * while an invoice waits to be sent, else the first instant of the month after the oldest uninvoiced
 * usage; never before the retry time of a failure, so a failing account leaves the job's query
 * until then.
 */
export function paygInvoiceDueAt(payg: PaygState): string | null {
  const due = payg.pendingInvoiceId ? '1970-01-01T00:00:00.000Z' : payg.usageSince ? firstInstantOfNextMonth(payg.usageSince) : null;
  if (due === null || !payg.retry) return due;
  return Date.parse(payg.retry.retryAt) > Date.parse(due) ? payg.retry.retryAt : due;
}

function firstInstantOfNextMonth(at: string): string {
  const since = new Date(at);
  return new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth() + 1, 1)).toISOString();
}

/** Invoicing the account failed with an error at `now`: one more failure, and the next try pushed back. */
export function notePaygFailure(payg: PaygState, now: Date): PaygState {
  return { ...payg, retry: nextBillingRetry(payg.retry, now) };
}

/** Forgets the failures (after a success): the next failure starts again at the first wait. */
export function withoutPaygRetry(payg: PaygState): PaygState {
  const { retry: _retry, ...rest } = payg;
  return rest;
}

/**
 * The provider confirmed invoice `invoiceId`: it is no longer pending, and past failures are
 * forgotten. Null when there is nothing to change (its paid event already cleared it, no failures).
 */
export function paygInvoiceSent(payg: PaygState, invoiceId: string): PaygState | null {
  if (payg.pendingInvoiceId !== invoiceId && !payg.retry) return null;
  return withoutPaygRetry({ ...payg, pendingInvoiceId: payg.pendingInvoiceId === invoiceId ? null : payg.pendingInvoiceId });
}

/** Marks PAYG usage as started if this debit drew on PAYG. */
export function notePaygUsage(payg: PaygState, drewPayg: boolean, now: Date): PaygState {
  return drewPayg && payg.usageSince === null ? { ...payg, usageSince: now.toISOString() } : payg;
}

/** Puts all uninvoiced usage on a new invoice (recorded first, sent to the provider after). */
export function startPaygInvoice(account: Account, invoiceId: string, centsPerCredit: number, now: Date): { account: Account; invoice: PaygInvoice } | null {
  const uninvoiced = paygUsed(account.buckets) - account.payg.invoicedCredits;
  if (uninvoiced <= 0 || account.payg.pendingInvoiceId) return null;
  const at = now.toISOString();
  return {
    // Any failure count is kept: it is forgotten once the provider confirms this invoice.
    account: { ...account, payg: { ...account.payg, invoicedCredits: account.payg.invoicedCredits + uninvoiced, usageSince: null, pendingInvoiceId: invoiceId } },
    invoice: { kind: 'payg', id: invoiceId, accountId: account.id, credits: uninvoiced, amountCents: uninvoiced * centsPerCredit, status: 'pending', providerInvoiceId: null, createdAt: at, updatedAt: at },
  };
}

/**
 * The invoice was paid: its credits stop counting as used (an `adjustment` back into PAYG). If
 * some of that usage was refunded meanwhile (a failed job), the customer has paid for credits they
 * got back: those land in the top-up bucket, so nothing paid for is lost.
 */
export function settlePaygInvoice(account: Account, invoice: PaygInvoice, now: Date): { account: Account; change: WalletChange } {
  const credits = Math.min(invoice.credits, paygUsed(account.buckets));
  const settled = credits > 0 ? post(account.buckets, [{ type: 'adjustment', bucketId: PAYG_BUCKET_ID, amount: credits, reference: invoice.id }], { paygLimitCredits: 0 }) : { buckets: account.buckets, entries: [] };
  const overpaid = invoice.credits - credits;
  const refunded = overpaid > 0 ? creditNonExpiring(settled.buckets, { kind: 'topup', amountCredits: overpaid, reference: invoice.id, now }) : null;
  const change = refunded ? { buckets: refunded.buckets, entries: [...settled.entries, ...refunded.entries] } : settled;
  const payg = { ...account.payg, invoicedCredits: Math.max(account.payg.invoicedCredits - invoice.credits, 0), pendingInvoiceId: account.payg.pendingInvoiceId === invoice.id ? null : account.payg.pendingInvoiceId };
  return { account: { ...account, buckets: change.buckets, payg }, change };
}
