/**
 * The life of a paid generation job: queued → running → succeeded | failed | cancelled. Every
 * transition is decided here from the job as read, and written with the job's version as the guard,
 * so a duplicated or redelivered message never runs a job twice and never refunds it twice. The
 * worker's steps (start, submit, poll) are decided in job-steps.ts.
 */
import type { Account } from './account';
import { paygTermsOf } from './account';
import type { GenerationJob } from './generation';
import type { StoredOutput } from './output-store';
import { refundCharges } from './refund';
import { NO_TEAM, refundMember } from './team';
import { repayDebtFrom } from './credit';
import type { WalletChange } from './wallet';

export interface JobTimings {
  /** How long a worker owns a job it started (the worker's timeout). */
  readonly leaseSeconds: number;
  /** A job still queued this long after it was (re)enqueued is enqueued again. */
  readonly requeueAfterSeconds: number;
  /** A job not finished this long after it was accepted is failed and refunded. */
  readonly maxAgeSeconds: number;
  /** Seconds between two polls of a running provider operation (a video). */
  readonly pollIntervalSeconds: number;
  /** The first retry's delay after a provider's transient fault (doubling, at most 5 minutes). @default 5 */
  readonly retryBaseSeconds?: number;
}

/**
 * Why a job ended without outputs, for its owner: `refused` (the provider refused the request, in
 * its words), `provider_unavailable` (the provider's transient fault, after the retries it allows),
 * `provider_error` (ours: keys, configuration), `timeout`, `worker_crashed`, `expired`, `cancelled`;
 * `model_error` is the simulated model's failure.
 */
export type JobFailureCode = 'model_error' | 'refused' | 'provider_unavailable' | 'provider_error' | 'timeout' | 'worker_crashed' | 'expired' | 'cancelled';

export interface JobFailure {
  readonly code: JobFailureCode;
  readonly message: string;
}

export const plusSeconds = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000).toISOString();

export function isFinished(job: GenerationJob): boolean {
  return job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled';
}

export type StartDecision =
  | { readonly kind: 'start'; readonly job: GenerationJob }
  /** Already succeeded or failed: the message is a duplicate, nothing to do. */
  | { readonly kind: 'finished' }
  /** Another worker holds a live lease: try again after it lapses. */
  | { readonly kind: 'leased'; readonly until: string };

/** A worker may start a queued job, or take over a running one whose worker's lease has lapsed. */
export function startJob(job: GenerationJob, now: Date, timings: JobTimings): StartDecision {
  if (isFinished(job)) return { kind: 'finished' };
  if (job.status === 'running' && job.leaseUntil !== null && Date.parse(job.leaseUntil) > now.getTime()) {
    return { kind: 'leased', until: job.leaseUntil };
  }
  const leaseUntil = plusSeconds(now, timings.leaseSeconds);
  return {
    kind: 'start',
    job: { ...job, status: 'running', attempts: job.attempts + 1, leaseUntil, dueAt: leaseUntil, version: job.version + 1, updatedAt: now.toISOString() },
  };
}

export function succeedJob(job: GenerationJob, outputs: readonly StoredOutput[], now: Date): GenerationJob {
  if (job.status !== 'running') throw new Error(`only a running job can succeed, ${job.id} is ${job.status}`);
  return { ...job, status: 'succeeded', outputs, leaseUntil: null, dueAt: null, version: job.version + 1, updatedAt: now.toISOString() };
}

/** Fails an unfinished job and records the refund of everything it was charged. */
export function failJob(job: GenerationJob, failure: JobFailure, now: Date): GenerationJob {
  return endWithRefund(job, 'failed', failure, now);
}

export const CANCELLED: JobFailure = { code: 'cancelled', message: 'Cancelled at your request; its credits were refunded.' };

/** Cancels an unfinished job at its owner's request, with the refund of everything it was charged. */
export function cancelJob(job: GenerationJob, now: Date): GenerationJob {
  return endWithRefund(job, 'cancelled', CANCELLED, now);
}

function endWithRefund(job: GenerationJob, status: 'failed' | 'cancelled', failure: JobFailure, now: Date): GenerationJob {
  if (isFinished(job)) throw new Error(`job ${job.id} has already finished`);
  const at = now.toISOString();
  return { ...job, status, error: failure, refund: { credits: job.credits, at }, leaseUntil: null, dueAt: null, version: job.version + 1, updatedAt: at };
}

export type ReapDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'requeue'; readonly job: GenerationJob }
  | { readonly kind: 'fail'; readonly failure: JobFailure };

/**
 * What the stuck-job reaper does with a job it finds due: a job too old is failed and refunded; a
 * job still queued (its message lost) or running past its lease (its worker gone) is enqueued again.
 */
export function reapDecision(job: GenerationJob, now: Date, timings: JobTimings): ReapDecision {
  if (isFinished(job)) return { kind: 'none' };
  if (now.getTime() - Date.parse(job.createdAt) >= timings.maxAgeSeconds * 1000) {
    return { kind: 'fail', failure: { code: 'expired', message: 'The generation did not complete in time; its credits were refunded.' } };
  }
  const stillLeased = job.status === 'running' && job.leaseUntil !== null && Date.parse(job.leaseUntil) > now.getTime();
  if (stillLeased || (job.dueAt !== null && Date.parse(job.dueAt) > now.getTime())) return { kind: 'none' };
  return { kind: 'requeue', job: { ...job, dueAt: plusSeconds(now, timings.requeueAfterSeconds), version: job.version + 1, updatedAt: now.toISOString() } };
}

/** The due time of a newly accepted job: when the reaper checks that it was picked up. */
export function firstDueAt(now: Date, timings: JobTimings): string {
  return plusSeconds(now, timings.requeueAfterSeconds);
}

/**
 * The account side of a job finishing: its concurrency slot frees, and a failed job's charges go
 * back to exactly the buckets they came from. Commits together with the job's transition.
 */
export function settleJobOnAccount(account: Account, finished: GenerationJob, now: Date): { account: Account; entries: WalletChange['entries'] } {
  if (!isFinished(finished)) throw new Error(`job ${finished.id} has not finished`);
  const activeJobs = Math.max(account.activeJobs - 1, 0);
  if (finished.status === 'succeeded') return { account: { ...account, activeJobs }, entries: [] };
  const refunded = refundCharges(account.buckets, { charges: finished.charges, reference: finished.id, now, paygLimitCredits: paygTermsOf(account).limitCredits });
  // Refunded credits pay any debt first, as every other arriving credit does (PAYG refunds just reduce usage).
  const change = repayDebtFrom(refunded, finished.charges.filter((c) => c.bucketType !== 'payg'), finished.id);
  // The spender's counter gets the credits back too, when they were counted in this period.
  const spender = spenderOf(finished);
  const team = refundMember(account, spender, finished.credits, finished.createdAt);
  return { account: { ...account, activeJobs, buckets: change.buckets, ...(account.team || team !== NO_TEAM ? { team } : {}) }, entries: change.entries.map((e) => ({ ...e, userId: spender })) };
}

/** Who spent a job's credits: recorded on the job; a job from before teams was the owner's. */
export const spenderOf = (job: GenerationJob): string => job.userId ?? job.accountId;
