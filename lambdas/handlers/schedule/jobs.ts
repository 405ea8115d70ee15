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

export function scheduledJobs(deps: UseCaseDeps): Record<string, ScheduledJob> {
  return {
    'expire-credits': () => expireDueCredits(deps),
    'subscription-grants': () => grantDueSubscriptions(deps),
    reconcile: () => reconcileLedger(deps),
    'reap-stuck-jobs': () => reapStuckJobs(deps),
    'auto-refill': () => sweepAutoRefills(deps),
    'payg-invoicing': () => invoicePaygUsage(deps),
  };
}
