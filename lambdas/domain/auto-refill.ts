/**
 * Auto-refill: when spendable credits fall below a threshold, buy `refillCredits` with the saved
 * card. Guardrails (what peers learned the hard way): one refill in flight per account, taken as a
 * lock with a lease in the account's own version-guarded write; a cooldown between refills; a
 * monthly cap counted when a refill starts; a declined card or required authentication switches
 * auto-refill off with the reason shown, so there is no retry storm.
 */
import type { Account } from './account';
import type { BillingRetry } from './billing-retry';
import { inBillingBackoff, nextBillingRetry } from './billing-retry';
import { availableCredits } from './wallet';

export interface AutoRefillSettings {
  readonly enabled: boolean;
  readonly thresholdCredits: number;
  readonly refillCredits: number;
  readonly monthlyCapCredits: number;
}

export interface AutoRefillState extends AutoRefillSettings {
  /** Why it was switched off by the system (declined card, authentication required); null otherwise. */
  readonly disabledReason: string | null;
  readonly inFlight: { readonly topupId: string; readonly credits: number; readonly startedAt: string; readonly leaseUntil: string } | null;
  readonly lastStartedAt: string | null;
  /** Calendar month (UTC, YYYY-MM) that `monthCredits` counts. */
  readonly month: string;
  readonly monthCredits: number;
  /** Refills started so far; names the next refill's top-up, so a retried start is the same payment. */
  readonly sequence: number;
  /**
   * Set while refills fail with an error (see billing-retry.ts and noteAutoRefillFailure): with a
   * refill in flight its lease is the retry time; without one (the failure came before the lock was
   * taken) no refill starts before `retryAt`. Absent once a refill finishes, and on accounts stored
   * before it existed.
   */
  readonly retry?: BillingRetry;
}

export interface AutoRefillPolicy {
  readonly cooldownSeconds: number;
  readonly leaseSeconds: number;
}

export const DEFAULT_AUTO_REFILL_POLICY: AutoRefillPolicy = { cooldownSeconds: 600, leaseSeconds: 900 };

export const AUTO_REFILL_OFF: AutoRefillState = {
  enabled: false,
  thresholdCredits: 0,
  refillCredits: 0,
  monthlyCapCredits: 0,
  disabledReason: null,
  inFlight: null,
  lastStartedAt: null,
  month: '',
  monthCredits: 0,
  sequence: 0,
};

const monthOf = (now: Date) => now.toISOString().slice(0, 7);

export function autoRefillTopupId(accountId: string, sequence: number, hash: (text: string) => string): string {
  return `top_${hash(`auto-refill\n${accountId}\n${sequence}`).slice(0, 32)}`;
}

/** Whether the account is below its threshold with no refill under way (the cheap check after a debit). */
export function needsAutoRefill(account: Account, now: Date): boolean {
  const refill = account.autoRefill;
  return refill.enabled && refill.inFlight === null && !inBillingBackoff(refill.retry, now) && availableCredits(account.buckets, now) < refill.thresholdCredits;
}

export type RefillDecision =
  | { readonly kind: 'skip'; readonly reason: 'disabled' | 'above_threshold' | 'in_flight' | 'backoff' | 'cooldown' | 'monthly_cap_reached' }
  /** Take the lock: commit `account`, then charge `credits` for top-up `topupId`. */
  | { readonly kind: 'start'; readonly account: Account; readonly topupId: string; readonly credits: number };

export function decideAutoRefill(account: Account, now: Date, policy: AutoRefillPolicy, hash: (text: string) => string): RefillDecision {
  const refill = account.autoRefill;
  if (!refill.enabled) return { kind: 'skip', reason: 'disabled' };
  const at = now.toISOString();
  const leaseUntil = new Date(now.getTime() + policy.leaseSeconds * 1000).toISOString();
  if (refill.inFlight !== null) {
    if (Date.parse(refill.inFlight.leaseUntil) > now.getTime()) return { kind: 'skip', reason: 'in_flight' };
    // The last start never finished (a crash between lock and charge): retry the SAME top-up, whose
    // provider idempotency key makes it the same payment, never a second one.
    const inFlight = { ...refill.inFlight, leaseUntil };
    return { kind: 'start', account: { ...account, autoRefill: { ...refill, inFlight } }, topupId: inFlight.topupId, credits: inFlight.credits };
  }
  if (availableCredits(account.buckets, now) >= refill.thresholdCredits) return { kind: 'skip', reason: 'above_threshold' };
  // An earlier attempt failed before it could take the lock: it waits out the same backoff.
  if (inBillingBackoff(refill.retry, now)) return { kind: 'skip', reason: 'backoff' };
  if (refill.lastStartedAt !== null && now.getTime() - Date.parse(refill.lastStartedAt) < policy.cooldownSeconds * 1000) return { kind: 'skip', reason: 'cooldown' };
  const month = monthOf(now);
  const monthCredits = refill.month === month ? refill.monthCredits : 0;
  if (monthCredits + refill.refillCredits > refill.monthlyCapCredits) return { kind: 'skip', reason: 'monthly_cap_reached' };
  const sequence = refill.sequence + 1;
  const topupId = autoRefillTopupId(account.id, sequence, hash);
  const next: AutoRefillState = {
    ...refill,
    inFlight: { topupId, credits: refill.refillCredits, startedAt: at, leaseUntil },
    lastStartedAt: at,
    month,
    monthCredits: monthCredits + refill.refillCredits,
    sequence,
  };
  return { kind: 'start', account: { ...account, autoRefill: next }, topupId, credits: refill.refillCredits };
}

/**
 * Releases the lock once the refill's payment is settled; a refusal switches auto-refill off. Either
 * way the provider answered, so past failures are forgotten.
 */
export function finishAutoRefill(account: Account, topupId: string, outcome: 'succeeded' | 'declined' | 'authentication_required'): Account | null {
  const { retry: _retry, ...refill } = account.autoRefill;
  if (refill.inFlight?.topupId !== topupId) return null;
  const disabled = outcome === 'succeeded' ? {} : { enabled: false, disabledReason: outcome === 'declined' ? 'card_declined' : 'authentication_required' };
  return { ...account, autoRefill: { ...refill, ...disabled, inFlight: null } };
}

/**
 * An auto-refill attempt failed with an error (not a refusal: the provider or the store threw).
 * Every failure counts in the same backoff, wherever it happened:
 * - `topupId` given (the lock was taken for that refill): the refill keeps its lock, with the lease
 *   moved to the retry time: the lease is what the sweep's due index and decideAutoRefill already
 *   read, so neither the sweep nor a debit starts this refill again before then, and the retry is
 *   the same top-up (the same payment, by its idempotency key). Null when that refill is no longer
 *   in flight (it finished meanwhile: nothing to hold back).
 * - `topupId` null (the attempt failed before its lock was recorded: reading the account or taking
 *   the lock threw): a refill already in flight keeps its lock at least until the retry time (a
 *   lease running longer is never shortened); with none, the failure is recorded on its own and no
 *   refill starts, nor is the account due for the sweep, before the retry time.
 */
export function noteAutoRefillFailure(account: Account, topupId: string | null, now: Date): Account | null {
  const refill = account.autoRefill;
  if (topupId !== null && refill.inFlight?.topupId !== topupId) return null;
  if (!refill.enabled && refill.inFlight === null) return null;
  const retry = nextBillingRetry(refill.retry, now);
  if (refill.inFlight === null) return { ...account, autoRefill: { ...refill, retry } };
  const leaseUntil = topupId === null && refill.inFlight.leaseUntil > retry.retryAt ? refill.inFlight.leaseUntil : retry.retryAt;
  return { ...account, autoRefill: { ...refill, inFlight: { ...refill.inFlight, leaseUntil }, retry } };
}

/** When a refill may be tried again after failures with none in flight (for the sweep's due index); null when none is held back. */
export function autoRefillRetryAt(refill: AutoRefillState): string | null {
  return refill.inFlight === null && refill.retry ? refill.retry.retryAt : null;
}
