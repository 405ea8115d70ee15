/**
 * Scheduled jobs by name: EventBridge invokes them in AWS, `POST /_local/jobs/{name}` locally.
 */
import type { UseCaseDeps } from '../../use-cases/context';
import { expireDueCredits } from '../../use-cases/expire-credits';
import { grantDueSubscriptions } from '../../use-cases/grant-subscriptions';
import { invoicePaygUsage } from '../../use-cases/payg';
import { reapStuckJobs } from '../../use-cases/reap-stuck-jobs';
import { sweepAutoRefills } from '../../use-cases/sweep-auto-refills';
import { reconcileLedger } from '../../use-cases/reconcile-ledger';

export type ScheduledJob = () => Promise<unknown>;

/** Jobs on the store and the jobs queue (the run-job function: no Stripe). */
export function ledgerJobs(deps: UseCaseDeps): Record<string, ScheduledJob> {
  return {
    'expire-credits': () => expireDueCredits(deps),
    'subscription-grants': () => grantDueSubscriptions(deps),
    reconcile: () => reconcileLedger(deps),
    'reap-stuck-jobs': () => reapStuckJobs(deps),
  };
}

/** Jobs that charge through Stripe (the run-billing-job function: no queue, no table scan). */
export function billingJobs(deps: UseCaseDeps): Record<string, ScheduledJob> {
  return {
    'auto-refill': () => sweepAutoRefills(deps),
    'payg-invoicing': () => invoicePaygUsage(deps),
  };
}

export function scheduledJobs(deps: UseCaseDeps): Record<string, ScheduledJob> {
  return { ...ledgerJobs(deps), ...billingJobs(deps) };
}
