import type { PlanId } from '../domain/catalog';
import { PLANS, usageLimitsTable } from '../domain/catalog';
import type { SubscriptionStatus } from '../domain/account';
import type { Topup } from '../domain/topup';
import { debtCredits } from '../domain/wallet';
import type { AutoRefillView } from './configure-auto-refill';
import { autoRefillView } from './configure-auto-refill';
import type { LedgerEntry } from '../domain/credit-store';
import type { UseCaseDeps } from './context';
import type { BalanceView } from './get-balance';
import { balanceView } from './get-balance';
import { getOrOpenAccount } from './open-account';

const RECENT_LEDGER_ENTRIES = 20;
const RECENT_TOPUPS = 20;

/** A top-up (or auto-refill) as the billing page lists it. */
export interface BillingTopupView {
  readonly id: string;
  readonly purpose: Topup['purpose'];
  readonly credits: number;
  readonly amount: { readonly value: number; readonly currency: 'usd' };
  readonly status: Topup['status'];
  readonly paymentId: string | null;
  readonly createdAt: string;
}

/** A PAYG or subscription invoice as the billing page lists it (a subscription's with its period). */
export interface BillingInvoiceView {
  readonly id: string;
  readonly kind: 'payg' | 'subscription';
  readonly credits: number;
  readonly amount: { readonly value: number; readonly currency: 'usd' };
  readonly status: 'pending' | 'open' | 'paid';
  readonly paymentId: string | null;
  readonly createdAt: string;
  readonly periodStart?: string;
  readonly periodEnd?: string;
}

/** One plan's row of the usage-limits table. */
export interface UsageLimitsRow {
  readonly plan: PlanId;
  readonly monthlyCredits: number;
  readonly priceCents: number;
  readonly maxConcurrentJobs: number;
  readonly maxCountPerRequest: number;
  readonly paygLimitCredits: number;
  readonly minTopupCredits: number;
  readonly maxTopupCredits: number;
  readonly seats: number;
}

export interface BillingView {
  readonly accountId: string;
  readonly plan: { readonly id: PlanId; readonly monthlyCredits: number; readonly priceCents: number };
  readonly status: SubscriptionStatus;
  readonly renewsAt: string;
  readonly cancelAtPeriodEnd: boolean;
  readonly balance: BalanceView;
  /** Credits spent from payments that were later refunded or disputed; paid off by the next credits. */
  readonly debtCredits: number;
  readonly recentLedger: readonly LedgerEntry[];
  readonly topups: readonly BillingTopupView[];
  readonly invoices: readonly BillingInvoiceView[];
  readonly usageLimits: readonly UsageLimitsRow[];
  readonly autoRefill: AutoRefillView;
}

/** Everything the billing page shows, in one answer. Top-ups, invoices and auto-refill fill in with payments. */
export async function getBilling(deps: UseCaseDeps, accountId: string): Promise<BillingView> {
  const account = await getOrOpenAccount(deps, accountId);
  const [ledger, topups, invoices] = await Promise.all([
    deps.store.listLedger(accountId, RECENT_LEDGER_ENTRIES, null),
    deps.store.listTopups(accountId, RECENT_TOPUPS),
    deps.store.listInvoices(accountId, RECENT_TOPUPS),
  ]);
  const plan = PLANS[account.plan];
  return {
    accountId: account.id,
    plan: { id: plan.id, monthlyCredits: plan.monthlyCredits, priceCents: plan.priceCents },
    status: account.status,
    renewsAt: account.currentPeriod.end,
    cancelAtPeriodEnd: account.cancelAtPeriodEnd,
    balance: balanceView(account, deps.clock.now()),
    recentLedger: ledger.entries,
    topups: topups.map((t) => ({ id: t.id, purpose: t.purpose, credits: t.credits, amount: { value: t.amountCents, currency: t.currency }, status: t.status, paymentId: t.paymentId ?? null, createdAt: t.createdAt })),
    debtCredits: debtCredits(account.buckets),
    invoices: invoices.map((i) => ({
      id: i.id,
      kind: i.kind,
      credits: i.credits,
      amount: { value: i.amountCents, currency: 'usd' },
      status: i.status,
      // The payment that settled it: what a refund or dispute names.
      paymentId: i.paymentId ?? null,
      createdAt: i.createdAt,
      ...(i.kind === 'subscription' ? { periodStart: i.periodStart, periodEnd: i.periodEnd } : {}),
    })),
    usageLimits: usageLimitsTable().map((p) => ({
      plan: p.plan,
      monthlyCredits: p.monthlyCredits,
      priceCents: p.priceCents,
      maxConcurrentJobs: p.maxConcurrentJobs,
      maxCountPerRequest: p.maxCountPerRequest,
      paygLimitCredits: p.paygLimitCredits,
      minTopupCredits: p.minTopupCredits,
      maxTopupCredits: p.maxTopupCredits,
      seats: p.seats,
    })),
    autoRefill: autoRefillView(account, null, deps.clock.now()),
  };
}
