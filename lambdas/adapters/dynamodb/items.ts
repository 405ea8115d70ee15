/** Maps domain records to table items and back; the only place that knows attribute names. */
import type { Account } from '../../domain/account';
import { AUTO_REFILL_OFF, autoRefillRetryAt } from '../../domain/auto-refill';
import type { SubscriptionInvoice } from '../../domain/subscription';
import { NO_SUBSCRIPTION } from '../../domain/subscription';
import type { PaygInvoice } from '../../domain/payg';
import { NO_PAYG, paygInvoiceDueAt } from '../../domain/payg';
import type { Coupon } from '../../domain/coupon';
import type { CouponCode } from '../../domain/coupon-code';
import type { LedgerEntry } from '../../domain/credit-store';
import type { VersionedEntry } from '../../domain/reconcile';
import { nextExpiryAt } from '../../domain/expiry';
import type { GenerationJob } from '../../domain/generation';
import type { IdempotencyRecord } from '../../domain/idempotency';
import type { LedgerDraft } from '../../domain/wallet';
import type { PaymentRecord } from '../../domain/payment-record';
import type { Topup } from '../../domain/topup';
import type { InviteCodeRecord, UserTeamLink } from '../../domain/credit-store';
import type { UsageCount } from '../../domain/usage';
import * as keys from './keys';
import { TABLE_KEYS, TTL_ATTRIBUTE } from './table-schema';

type Item = Record<string, unknown>;

/** The attributes that conditions and updates name (every other attribute name is in the mappers below). */
export const ATTRIBUTES = {
  pk: TABLE_KEYS.partitionKey,
  sk: TABLE_KEYS.sortKey,
  kind: 'kind',
  version: 'version',
  status: 'status',
  redemptions: 'redemptions',
  maxRedemptions: 'maxRedemptions',
  lookupCodes: 'lookupCodes',
  expiresAtEpoch: TTL_ATTRIBUTE,
  generations: 'generations',
  credits: 'credits',
  refundedCredits: 'refundedCredits',
  day: 'day',
  model: 'model',
  userId: 'userId',
} as const;

/** The key of any item of the table. */
export function keyOf(item: Item): keys.Key {
  return { pk: String(item.pk), sk: String(item.sk) };
}

/** What kind of record an item is (a scan meets them all). */
export const isAccountItem = (item: Item) => item.kind === 'account';
export const isLedgerItem = (item: Item) => item.kind === 'ledger';

/** The `kind` of an account's coupon-lookup window item (written by an update, not a mapper). */
export const COUPON_LOOKUP_WINDOW_KIND = 'rate';

export function accountToItem(account: Account): Item {
  const shard = keys.dueShard(account.id);
  const expiryDueAt = nextExpiryAt(account.buckets);
  const refillDueAt = autoRefillDueAt(account);
  const paygDueAt = paygInvoiceDueAt(account.payg);
  return {
    pk: keys.accountPk(account.id),
    sk: keys.ACCOUNT_SK,
    kind: 'account',
    ...account,
    // Sparse due indexes: present only while something is due, so jobs read only due work.
    ...(account.nextGrantAt ? { grantDuePk: keys.grantDuePk(shard), grantDueAt: account.nextGrantAt } : {}),
    ...(expiryDueAt ? { expiryDuePk: keys.expiryDuePk(shard), expiryDueAt } : {}),
    ...(refillDueAt ? { refillDuePk: keys.refillDuePk(shard), refillDueAt } : {}),
    ...(paygDueAt ? { paygDuePk: keys.paygDuePk(shard), paygDueAt } : {}),
  };
}

/**
 * When the auto-refill sweep should look at the account: at once while it is below its threshold
 * (by stored balances; the sweep re-checks expiry), or at the retry time after failures, or when an
 * in-flight refill's lease lapses.
 */
function autoRefillDueAt(account: Account): string | null {
  const refill = account.autoRefill;
  if (!refill.enabled) return null;
  if (refill.inFlight) return refill.inFlight.leaseUntil;
  const stored = account.buckets.filter((b) => b.type !== 'payg' && b.type !== 'debt' && b.balance > 0).reduce((sum, b) => sum + b.balance, 0);
  return stored < refill.thresholdCredits ? (autoRefillRetryAt(refill) ?? DUE_NOW) : null;
}

const DUE_NOW = '1970-01-01T00:00:00.000Z';

export function itemToAccount(item: Item): Account {
  const a = item as unknown as Account;
  return {
    id: a.id,
    version: a.version,
    plan: a.plan,
    status: a.status,
    createdAt: a.createdAt,
    periodAnchor: a.periodAnchor,
    currentPeriod: a.currentPeriod,
    cancelAtPeriodEnd: a.cancelAtPeriodEnd,
    nextGrantAt: a.nextGrantAt ?? null,
    buckets: a.buckets.map((b) => ({ ...b, expiresAt: b.expiresAt ?? null })),
    paygEnabled: a.paygEnabled,
    activeJobs: a.activeJobs,
    customerId: a.customerId ?? null,
    autoRefill: a.autoRefill ?? AUTO_REFILL_OFF,
    subscription: a.subscription ?? NO_SUBSCRIPTION,
    payg: a.payg ?? NO_PAYG,
    ...(a.team ? { team: a.team } : {}),
  };
}

export function ledgerToItem(accountId: string, accountVersion: number, index: number, entry: LedgerDraft, at: string): Item {
  return {
    pk: keys.accountPk(accountId),
    sk: keys.ledgerSk(accountVersion, index),
    kind: 'ledger',
    id: keys.ledgerEntryId(accountVersion, index),
    at,
    ...entry,
  };
}

/** The version is the commit's, read back from the sort key it was written under (keys.ledgerSk). */
export function itemToVersionedEntry(item: Item): VersionedEntry {
  return { accountVersion: keys.ledgerVersionOf(String(item.sk)), bucketId: String(item.bucketId), amount: Number(item.amount) };
}

export function itemToLedgerEntry(item: Item): LedgerEntry {
  const e = item as unknown as LedgerEntry;
  return { id: e.id, at: e.at, type: e.type, amount: e.amount, bucketId: e.bucketId, bucketType: e.bucketType, balanceAfter: e.balanceAfter, reference: e.reference, ...(e.userId ? { userId: e.userId } : {}) };
}

export function jobToItem(job: GenerationJob): Item {
  return {
    pk: keys.accountPk(job.accountId),
    sk: keys.jobSk(job.id),
    kind: 'job',
    ...job,
    // Sparse: only unfinished jobs are in the reaper's index.
    ...(job.dueAt ? { jobDuePk: keys.jobDuePk(keys.dueShard(job.id)), jobDueAt: job.dueAt } : {}),
  };
}

export function itemToJob(item: Item): GenerationJob {
  const { pk: _pk, sk: _sk, kind: _kind, jobDuePk: _duePk, jobDueAt: _dueAt, ...job } = item;
  return job as unknown as GenerationJob;
}

export function idempotencyToItem(accountId: string, scope: string, record: IdempotencyRecord, ttlEpochSeconds: number): Item {
  return { pk: keys.accountPk(accountId), sk: keys.idempotencySk(scope, record.key), kind: 'idempotency', ...record, expiresAtEpoch: ttlEpochSeconds };
}

export function itemToIdempotency(item: Item): IdempotencyRecord {
  const r = item as unknown as IdempotencyRecord;
  return { key: r.key, requestHash: r.requestHash, statusCode: r.statusCode, responseBody: r.responseBody, createdAt: r.createdAt };
}

/** The record that an account redeemed a coupon (once per account and code). */
export function redemptionToItem(accountId: string, code: CouponCode, at: string): Item {
  return { pk: keys.accountPk(accountId), sk: keys.redemptionSk(code), kind: 'redemption', code, at };
}

/** The record that a subscription period was granted (once per account and period). */
export function grantToItem(accountId: string, periodStart: string, at: string): Item {
  return { pk: keys.accountPk(accountId), sk: keys.grantSk(periodStart), kind: 'grant', at };
}

/** The record that a provider event was applied (once per event), kept until its TTL. */
export function providerEventToItem(eventId: string, accountId: string, at: string, ttlEpochSeconds: number): Item {
  return { pk: keys.stripeEventPk(eventId), sk: keys.STRIPE_EVENT_SK, kind: 'provider-event', accountId, at, expiresAtEpoch: ttlEpochSeconds };
}

export function couponToItem(coupon: Coupon): Item {
  return { pk: keys.couponPk(coupon.code), sk: keys.COUPON_SK, kind: 'coupon', ...coupon };
}

export function itemToCoupon(item: Item): Coupon {
  const c = item as unknown as Coupon;
  return {
    code: c.code as CouponCode,
    campaign: c.campaign,
    credits: c.credits,
    maxRedemptions: c.maxRedemptions,
    redemptions: c.redemptions,
    redeemBy: c.redeemBy ?? null,
    createdAt: c.createdAt,
  };
}

export function topupToItem(topup: Topup): Item {
  return { pk: keys.accountPk(topup.accountId), sk: keys.topupSk(topup.id), recentPk: keys.accountPk(topup.accountId), recentAt: keys.recentAt('TOPUP', topup.createdAt, topup.id), kind: 'topup', ...topup };
}

export function itemToTopup(item: Item): Topup {
  const { pk: _pk, sk: _sk, recentPk: _recentPk, recentAt: _recentAt, kind: _kind, ...topup } = item;
  return topup as unknown as Topup;
}

export function paymentToItem(payment: PaymentRecord): Item {
  return { pk: keys.paymentPk(payment.paymentId), sk: keys.PAYMENT_SK, kind: 'payment', ...payment };
}

export function itemToPayment(item: Item): PaymentRecord {
  const { pk: _pk, sk: _sk, kind: _kind, ...payment } = item;
  return payment as unknown as PaymentRecord;
}

export function paygInvoiceToItem(invoice: PaygInvoice | SubscriptionInvoice): Item {
  return { pk: keys.accountPk(invoice.accountId), sk: keys.invoiceSk(invoice.id), recentPk: keys.accountPk(invoice.accountId), recentAt: keys.recentAt('INVOICE', invoice.createdAt, invoice.id), ...invoice, kind: invoice.kind };
}

export function itemToInvoice(item: Item): PaygInvoice | SubscriptionInvoice {
  // `kind` is both the item's kind and the invoice's: 'payg' or 'subscription'.
  const { pk: _pk, sk: _sk, recentPk: _recentPk, recentAt: _recentAt, ...invoice } = item;
  return invoice as unknown as PaygInvoice | SubscriptionInvoice;
}

export function userTeamToItem(link: UserTeamLink): Item {
  return { ...keys.userTeamKey(link.userId), kind: 'user-team', ...link };
}

export function itemToUserTeam(item: Item): UserTeamLink {
  const l = item as unknown as UserTeamLink;
  return { userId: l.userId, accountId: l.accountId, status: l.status, updatedAt: l.updatedAt };
}

/** Kept (by TTL) a month past its expiry, so a late join reads "expired", not "unknown". */
export function inviteCodeToItem(record: InviteCodeRecord): Item {
  const ttl = Math.floor(Date.parse(record.expiresAt) / 1000) + 30 * 24 * 3600;
  return { ...keys.inviteCodeKey(record.codeHash), kind: 'invite-code', ...record, [ATTRIBUTES.expiresAtEpoch]: ttl };
}

export function itemToInviteCode(item: Item): InviteCodeRecord {
  const r = item as unknown as InviteCodeRecord;
  return { codeHash: r.codeHash, accountId: r.accountId, inviteId: r.inviteId, status: r.status, expiresAt: r.expiresAt };
}

export function itemToUsage(item: Item): UsageCount {
  return {
    day: String(item[ATTRIBUTES.day]),
    model: String(item[ATTRIBUTES.model]),
    userId: String(item[ATTRIBUTES.userId]),
    generations: Number(item[ATTRIBUTES.generations] ?? 0),
    credits: Number(item[ATTRIBUTES.credits] ?? 0),
    refundedCredits: Number(item[ATTRIBUTES.refundedCredits] ?? 0),
  };
}
