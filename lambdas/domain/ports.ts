/** What the money rules need from the outside world, declared here and implemented by adapters. */
export interface Clock {
  now(): Date;
}

export interface IdSource {
  /** A new, time-ordered, unique id with the given prefix (e.g. `gen_…`). */
  next(prefix: string): string;
}

/** Cryptographically secure random bytes. */
export type RandomBytes = (length: number) => Uint8Array;

export type { CreditStore, AccountCommit, CommitOutcome, GenerationPage, LedgerEntry, LedgerPage, RedemptionContext } from './credit-store';

import type { JobMessage } from './generation';

/** Where accepted jobs wait for a worker (SQS in AWS and locally). */
export interface JobQueue {
  /** Sends the job's message, delivered after `delaySeconds` (0–900; a poll of a running video). */
  enqueue(job: JobMessage, delaySeconds?: number): Promise<void>;
  /** Asks a worker to start an auto-refill for the account (the debit path never waits on a payment). */
  enqueueAutoRefill(accountId: string): Promise<void>;
}

/** What the service counts for its alarms and dashboard: model-provider calls and failures, refunded generations. */
export type ServiceCounter =
  | 'provider_call'
  | 'provider_failure'
  /** A provider failure that is ours (authentication, configuration): pages. */
  | 'provider_fault_ours'
  /** A submit that may have run at the provider (and been billed) whose operation id was lost: pages. */
  | 'provider_orphaned'
  | 'generation_refunded';

/** Counts operational events (CloudWatch EMF in Lambda, in memory locally). Never throws, never blocks. */
export interface ServiceMetrics {
  count(counter: ServiceCounter, value?: number): void;
}

/**
 * The secrets that verify the payment provider's webhooks: the current one first, then one being
 * rolled out. `refreshed` reads them again (null when they were read too recently to ask again).
 */
export interface WebhookSecrets {
  current(): Promise<readonly string[]>;
  refreshed(): Promise<readonly string[] | null>;
}
