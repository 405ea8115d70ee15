/**
 * The store port: what the use cases need from persistence. The DynamoDB adapter implements it
 * with one conditional transaction per commit; tests use the same adapter against DynamoDB Local.
 */
import type { VersionedEntry } from './reconcile';
import type { Account } from './account';
import type { Coupon } from './coupon';
import type { CouponCode } from './coupon-code';
import type { GenerationJob, JobRef } from './generation';
import type { IdempotencyRecord } from './idempotency';
import type { LedgerDraft } from './wallet';
import type { PaymentRecord } from './payment-record';
import type { Topup } from './topup';
import type { PaygInvoice } from './payg';
import type { SubscriptionInvoice } from './subscription';
import type { UsageCount } from './usage';

/** A user's link to the team they are in besides their own wallet (at most one); `left` once they are not. */
export interface UserTeamLink {
  readonly userId: string;
  readonly accountId: string;
  readonly status: 'active' | 'left';
  readonly updatedAt: string;
}

/** What an invite code leads to, found by the code's hash. */
export interface InviteCodeRecord {
  readonly codeHash: string;
  readonly accountId: string;
  readonly inviteId: string;
  readonly status: 'pending' | 'used' | 'revoked';
  readonly expiresAt: string;
}

/** A create-only write: done, refused because the record exists, or not done now (conflict, throttling: try again). */
export type CreateOutcome = 'created' | 'exists' | 'retry';

export interface LedgerEntry extends LedgerDraft {
  readonly id: string;
  readonly at: string;
}

export interface LedgerPage {
  readonly entries: readonly LedgerEntry[];
  readonly nextCursor: string | null;
}

/**
 * One atomic change of an account: the account moves from `before` to `after` (guarded by
 * `before.version`), its ledger entries are appended, and the records that make the change
 * happen once are written with it. All of it commits, or none of it does.
 *
 * The store owns the account's `version`: it writes the account at `before.version + 1` (version 1
 * for a new account) and keys the entries by that version. Callers and domain functions never
 * change it: `after` is the next state with the version as read (`after.version === before.version`;
 * a commit whose `after` carries another version is refused before anything is written). The
 * version written is in the `committed` outcome.
 */
export interface AccountCommit {
  /** The account as read; null creates the account (it must not exist yet). */
  readonly before: Account | null;
  /** The account's next state, its `version` as read (the store writes the next one). */
  readonly after: Account;
  readonly entries: readonly LedgerDraft[];
  readonly at: string;
  readonly generation?: { readonly job: GenerationJob; readonly idempotency: IdempotencyRecord };
  /** Redeems the coupon once for this account and counts the redemption against its maximum. */
  readonly redemption?: { readonly coupon: Coupon };
  /** Marks a subscription period as granted (once per account and period). */
  readonly grantedPeriodStart?: string;
  /** Moves a job to its next state, guarded by the job's version as read. */
  readonly jobTransition?: { readonly before: GenerationJob; readonly after: GenerationJob };
  /** The provider event this change applies; recorded once, so a redelivered event has no second effect. */
  readonly providerEventId?: string;
  /**
   * A payment's record: created once (the dedupe across events for one payment) or updated as read.
   * Its version is the store's too: `after` keeps the version read; the commit writes the next (1 when created).
   */
  readonly payment?: { readonly before: PaymentRecord | null; readonly after: PaymentRecord };
  readonly topup?: Topup;
  readonly paygInvoice?: PaygInvoice;
  readonly subscriptionInvoice?: SubscriptionInvoice;
  /** Usage counters to add to (a debit's generation, a refund's credits), one per day, model and user. */
  readonly usage?: readonly UsageCount[];
  /**
   * The member's link to this team: `active` on a join (refused, as `already_in_team`, while the user
   * is in a team already), `left` on a removal.
   */
  readonly teamLink?: UserTeamLink;
  /** An invite code created (`pending`, new) or used up / revoked (guarded by being `pending` as read). */
  readonly inviteCode?: InviteCodeRecord;
}

export interface GenerationPage {
  readonly jobs: readonly GenerationJob[];
  readonly nextCursor: string | null;
}

export type CommitOutcome =
  /** Committed: every part of the change is durable; the account is now at `version`. */
  | { readonly kind: 'committed'; readonly version: number }
  /** Lost a race or hit a transient conflict; nothing changed. Reload and decide again. */
  | { readonly kind: 'retry'; readonly reason: string }
  /** The idempotency key was already used; nothing changed. */
  | { readonly kind: 'idempotent_replay'; readonly existing: IdempotencyRecord }
  /** The provider event, or the payment it reports, was already applied; nothing changed. */
  | { readonly kind: 'already_applied'; readonly what: 'event' | 'payment' }
  /** The joining user is in a team already; nothing changed. */
  | { readonly kind: 'already_in_team' };

export interface RedemptionContext {
  readonly account: Account | null;
  readonly coupon: Coupon | null;
  readonly alreadyRedeemed: boolean;
}

export interface CreditStore {
  loadAccount(accountId: string): Promise<Account | null>;
  /** The account and any earlier answer for this key, in one read. */
  loadForGeneration(accountId: string, idempotencyKey: string): Promise<{ account: Account | null; idempotency: IdempotencyRecord | null }>;
  /**
   * The account, the coupon and this account's redemption marker, as one consistent snapshot (never
   * half of a concurrent redemption); null when none can be read now (a write to those items is in
   * flight): read again. Reads the coupon: call it only with a lookup slot held (reserveCouponLookup).
   */
  loadForRedemption(accountId: string, code: CouponCode): Promise<RedemptionContext | null>;
  /** Throws CouponAlreadyRedeemedError / CouponExhaustedError when those guards fail. */
  commit(change: AccountCommit): Promise<CommitOutcome>;
  getGeneration(accountId: string, jobId: string): Promise<GenerationJob | null>;
  /** A job and its account, in one read. */
  loadJobAndAccount(ref: JobRef): Promise<{ job: GenerationJob | null; account: Account | null }>;
  /** The account's jobs, newest first. */
  listGenerations(accountId: string, limit: number, cursor: string | null): Promise<GenerationPage>;
  /** A job change that touches no money (start, requeue), guarded by the job's version. */
  updateJob(before: GenerationJob, after: GenerationJob): Promise<'committed' | 'retry'>;
  /** An account with one of its top-ups and a provider payment, in one read. */
  loadForPayment(accountId: string, topupId: string | null, paymentId: string): Promise<{ account: Account | null; topup: Topup | null; payment: PaymentRecord | null }>;
  getPayment(paymentId: string): Promise<PaymentRecord | null>;
  getTopup(accountId: string, topupId: string): Promise<Topup | null>;
  /** Creates a top-up record: `exists` if one with that id exists; `retry` on a transient failure (nothing written). */
  createTopup(topup: Topup): Promise<CreateOutcome>;
  listTopups(accountId: string, limit: number): Promise<readonly Topup[]>;
  /** Moves a pending top-up to another status that involves no credits (e.g. failed), guarded by its status as read. */
  updateTopupStatus(topup: Topup, status: Topup['status'], at: string): Promise<boolean>;
  isProviderEventApplied(eventId: string): Promise<boolean>;
  /** Unfinished jobs whose due time has come, from the sparse job index. */
  dueJobs(now: Date): AsyncIterable<JobRef>;
  listLedger(accountId: string, limit: number, cursor: string | null): Promise<LedgerPage>;
  /**
   * Takes a slot for looking `code` up in this account's failed-lookup window (one per hour), before
   * the coupon is read. Each distinct code holds one slot: a code already holding one (the same code
   * sent again, or at once) shares it. False, with nothing written, when `limit` other codes already
   * hold the window's slots. Atomic: concurrent reservations never hold more than `limit` codes.
   */
  reserveCouponLookup(accountId: string, hourWindow: string, code: CouponCode, limit: number, expiresAt: Date): Promise<boolean>;
  /** Gives a code's slot back (its lookup was no wrong guess); nothing when the window does not hold it. */
  releaseCouponLookup(accountId: string, hourWindow: string, code: CouponCode): Promise<void>;
  /** Creates coupons all-or-nothing: `exists` if any code already exists, `retry` on a transient failure (nothing written either way). */
  createCoupons(coupons: readonly Coupon[]): Promise<CreateOutcome>;
  /** Accounts whose grant (or expiry) is due at or before `now`, read from a sparse index. */
  dueAccountIds(kind: 'grant' | 'expiry' | 'refill' | 'payg', now: Date): AsyncIterable<string>;
  getPaygInvoice(accountId: string, invoiceId: string): Promise<PaygInvoice | null>;
  /** Records the provider's invoice id on a still-pending invoice of ours (no money moves; a paid one stays paid). */
  markPaygInvoiceSent(invoice: PaygInvoice, providerInvoiceId: string, at: string): Promise<void>;
  /** PAYG and subscription invoices, newest first. */
  listInvoices(accountId: string, limit: number): Promise<ReadonlyArray<PaygInvoice | SubscriptionInvoice>>;
  /** The team a user is linked to besides their own wallet, or null. */
  getUserTeam(userId: string): Promise<UserTeamLink | null>;
  findInviteCode(codeHash: string): Promise<InviteCodeRecord | null>;
  /** An account's usage counters of the days `from` to `to` (YYYY-MM-DD, both included). */
  listUsage(accountId: string, from: string, to: string): Promise<readonly UsageCount[]>;
  /** One segment of a full pass, an account at a time with its ledger (nothing else held). */
  scanAccountLedgers(segment: number, totalSegments: number): AsyncIterable<AccountLedger>;
  /** One account and its ledger, read strongly consistently (reconcile's re-check). */
  readAccountLedger(accountId: string): Promise<AccountLedger | undefined>;
}

/** An account as stored and every ledger entry of it, with the version each was written at. */
export interface AccountLedger {
  readonly account: Account;
  readonly entries: readonly VersionedEntry[];
}
