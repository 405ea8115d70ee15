/**
 * What an AccountCommit becomes in the table, as data: an ordered list of writes, each with the
 * item it puts (or the update it makes), one named condition and its role. The role is how a
 * cancelled transaction is read back: DynamoDB reports one reason per item, in request order, and
 * `commitOutcomeOf` maps the failed ones, by role, to the CommitOutcome.
 *
 * Pure: no AWS SDK, no table name. credit-store.ts turns each condition kind into its
 * ConditionExpression (one small translator) and sends the list as one TransactWriteItems.
 * A new check inside the account's transaction is a new role and, when needed, a new condition kind
 * here, with its outcome decided in `commitOutcomeOf` beside the others.
 */
import type { AccountCommit, CommitOutcome } from '../../domain/credit-store';
import { CouponAlreadyRedeemedError, CouponExhaustedError } from '../../domain/errors';
import type { GenerationJob } from '../../domain/generation';
import * as items from './items';
import * as keys from './keys';
import type { TransactResult } from './transact';
import type { UsageCount } from '../../domain/usage';

type Item = Record<string, unknown>;

/** Provider events are remembered well past Stripe's 3 days of retries. */
const PROVIDER_EVENT_TTL_SECONDS = 90 * 24 * 3600;
/** Idempotency answers are kept this long (TTL); retries come within minutes, not weeks. */
const IDEMPOTENCY_TTL_SECONDS = 30 * 24 * 3600;

/** What each write in an account's transaction is for; a failed guard is mapped to an outcome by it. */
export type WriteRole = 'account' | 'ledger' | 'job' | 'idempotency' | 'redemption' | 'coupon' | 'grant' | 'jobTransition' | 'event' | 'payment' | 'topup' | 'invoice' | 'usage' | 'teamLink' | 'inviteCode';

/** The guard of one write, by name (credit-store.ts's `conditionOf` is the only place that spells them out). */
export type WriteCondition =
  /** The account item is still at the version it was read at. */
  | { readonly kind: 'accountAtVersion'; readonly version: number }
  /** The job item is still at the version it was read at. */
  | { readonly kind: 'jobAtVersion'; readonly version: number }
  /** The payment record is still at the version it was read at. */
  | { readonly kind: 'paymentAtVersion'; readonly version: number }
  /** A top-up or an invoice still has the status it was read with (writes outside an account commit). */
  | { readonly kind: 'statusIs'; readonly status: string }
  /** No item with this key exists: a create, or a record that makes something happen once. */
  | { readonly kind: 'itemIsNew' }
  /** The coupon exists and has redemptions left. */
  | { readonly kind: 'couponHasUsesLeft' }
  /** The user is in no team (never linked, or left the last one). */
  | { readonly kind: 'userNotInTeam' }
  /** Written as it is: a record whose truth comes from the guards beside it in the same transaction. */
  | { readonly kind: 'unconditional' };

export type WriteConditionKind = WriteCondition['kind'];

/** An update of an item in place (a put replaces the whole item). */
export type PlannedUpdate = { readonly kind: 'countCouponRedemption' } | { readonly kind: 'addUsage'; readonly usage: UsageCount };

interface Planned {
  readonly role: WriteRole;
  readonly key: keys.Key;
  readonly condition: WriteCondition;
}

/** The whole item, written as it is. */
export interface PlannedPut extends Planned {
  readonly kind: 'put';
  readonly item: Item;
  /** When the guard fails, DynamoDB returns the item that is there (an idempotency record's first answer). */
  readonly returnOldItemOnFailure?: true;
}

/** An item changed in place. */
export interface PlannedItemUpdate extends Planned {
  readonly kind: 'update';
  readonly update: PlannedUpdate;
}

export type PlannedWrite = PlannedPut | PlannedItemUpdate;

export interface CommitPlan {
  /** The account's version once this commit is written. */
  readonly version: number;
  readonly writes: readonly PlannedWrite[];
}

/** A put of `item`, with its key read from it. */
export const put = (role: WriteRole, item: Item, condition: WriteCondition, options: { readonly returnOldItemOnFailure?: true } = {}): PlannedPut => ({ role, kind: 'put', key: items.keyOf(item), item, condition, ...options });

/** The plan of one account commit: the account first, then its ledger entries, then the records that go with it. */
export function planCommit(change: AccountCommit): CommitPlan {
  const { before, after } = change;
  if (before && (after.id !== before.id || after.version !== before.version)) throw new Error('a commit moves one account from the version it was read at: `after` keeps that version, the commit writes the next');
  // The one owner of the account's version: the next one, or 1 for a new account.
  const version = before ? before.version + 1 : 1;
  const writes: PlannedWrite[] = [];
  writes.push(put('account', items.accountToItem({ ...after, version }), before ? { kind: 'accountAtVersion', version: before.version } : { kind: 'itemIsNew' }));
  change.entries.forEach((entry, index) => writes.push(put('ledger', items.ledgerToItem(after.id, version, index, entry, change.at), { kind: 'itemIsNew' })));
  if (change.generation) {
    writes.push(put('job', items.jobToItem(change.generation.job), { kind: 'itemIsNew' }));
    const ttl = epochSeconds(change.at) + IDEMPOTENCY_TTL_SECONDS;
    const idempotency = items.idempotencyToItem(after.id, keys.GENERATION_IDEMPOTENCY_SCOPE, change.generation.idempotency, ttl);
    writes.push(put('idempotency', idempotency, { kind: 'itemIsNew' }, { returnOldItemOnFailure: true }));
  }
  if (change.redemption) {
    const { code } = change.redemption.coupon;
    writes.push(put('redemption', items.redemptionToItem(after.id, code, change.at), { kind: 'itemIsNew' }));
    writes.push({ role: 'coupon', kind: 'update', key: keys.couponKey(code), update: { kind: 'countCouponRedemption' }, condition: { kind: 'couponHasUsesLeft' } });
  }
  if (change.grantedPeriodStart) writes.push(put('grant', items.grantToItem(after.id, change.grantedPeriodStart, change.at), { kind: 'itemIsNew' }));
  if (change.jobTransition) writes.push(jobTransitionWrite(change.jobTransition.before, change.jobTransition.after));
  if (change.providerEventId) {
    const ttl = epochSeconds(change.at) + PROVIDER_EVENT_TTL_SECONDS;
    writes.push(put('event', items.providerEventToItem(change.providerEventId, after.id, change.at, ttl), { kind: 'itemIsNew' }));
  }
  if (change.payment) {
    const { before: was, after: now } = change.payment;
    if (was && (now.paymentId !== was.paymentId || now.version !== was.version)) throw new Error('a payment record moves from the version it was read at: `after` keeps that version, the commit writes the next');
    // Like the account's, a payment record's version is the store's: the next one, or 1 when created.
    const paymentVersion = was ? was.version + 1 : 1;
    writes.push(put('payment', items.paymentToItem({ ...now, version: paymentVersion }), was ? { kind: 'paymentAtVersion', version: was.version } : { kind: 'itemIsNew' }));
  }
  if (change.subscriptionInvoice) writes.push(put('invoice', items.paygInvoiceToItem(change.subscriptionInvoice), { kind: 'unconditional' }));
  if (change.paygInvoice) writes.push(put('invoice', items.paygInvoiceToItem(change.paygInvoice), { kind: 'unconditional' }));
  if (change.topup) writes.push(put('topup', items.topupToItem(change.topup), { kind: 'unconditional' }));
  // Counters added to: their truth is the account's guard beside them.
  for (const usage of change.usage ?? []) writes.push({ role: 'usage', kind: 'update', key: keys.usageKey(after.id, usage.day, usage.model, usage.userId), update: { kind: 'addUsage', usage }, condition: { kind: 'unconditional' } });
  if (change.teamLink) writes.push(put('teamLink', items.userTeamToItem(change.teamLink), change.teamLink.status === 'active' ? { kind: 'userNotInTeam' } : { kind: 'unconditional' }));
  if (change.inviteCode) writes.push(put('inviteCode', items.inviteCodeToItem(change.inviteCode), change.inviteCode.status === 'pending' ? { kind: 'itemIsNew' } : { kind: 'statusIs', status: 'pending' }));
  return { version, writes };
}

/** A job moved to its next state, guarded by its version as read (in an account commit, or on its own). */
export function jobTransitionWrite(before: GenerationJob, after: GenerationJob): PlannedWrite {
  if (after.id !== before.id || after.version !== before.version + 1) throw new Error('a job transition moves one job to its next version');
  return put('jobTransition', items.jobToItem(after), { kind: 'jobAtVersion', version: before.version });
}

/**
 * How a transaction of `plan` ended, read by role. Which failed guard wins when several fail:
 * 1. the idempotency record (the request was answered before: answer the same);
 * 2. the provider event, then a payment record created by another event (already applied);
 * 3. the redemption marker (409), then the coupon (410, unless the marker went unchecked: retry);
 * 4. a version guard (account, job, payment as read) or a period already granted: retry from a fresh read.
 * Any other failed guard is a bug in the plan, never a silent retry.
 * Throws CouponAlreadyRedeemedError / CouponExhaustedError, as the port promises.
 */
export function commitOutcomeOf(plan: CommitPlan, result: TransactResult): CommitOutcome {
  if (result.ok) return { kind: 'committed', version: plan.version };
  if (result.transient) return { kind: 'retry', reason: result.reason };
  const roleAt = (index: number) => plan.writes[index]?.role;
  const failed = new Map(result.failedConditions.map((f) => [roleAt(f.index), f.oldItem]));
  const existing = failed.get('idempotency');
  if (existing) return { kind: 'idempotent_replay', existing: items.itemToIdempotency(existing) };
  if (failed.has('event')) return { kind: 'already_applied', what: 'event' };
  if (failed.has('teamLink')) return { kind: 'already_in_team' };
  const paymentCreated = plan.writes.some((w) => w.role === 'payment' && w.condition.kind === 'itemIsNew');
  if (failed.has('payment') && paymentCreated) return { kind: 'already_applied', what: 'payment' };
  if (failed.has('redemption')) throw new CouponAlreadyRedeemedError();
  if (failed.has('coupon')) {
    // Used up by others, unless DynamoDB could not check the marker: while this account's own
    // redemption of the code is being applied, it reports the marker as a TransactionConflict and
    // the coupon's count, which already includes that redemption, as failed. A fresh read tells.
    if (result.unchecked.some((index) => roleAt(index) === 'redemption')) return { kind: 'retry', reason: 'TransactionConflict' };
    throw new CouponExhaustedError();
  }
  // An invite code used or revoked meanwhile: the account moved too, and a fresh read tells which.
  if (failed.has('account') || failed.has('grant') || failed.has('jobTransition') || failed.has('payment') || failed.has('inviteCode')) return { kind: 'retry', reason: 'version_changed' };
  throw new Error(`unexpected failed condition on ${[...failed.keys()].join(', ')}`);
}

const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
