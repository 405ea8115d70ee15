/** Builds every key of the single table, so the layout lives in one place. */
import { DUE_INDEX_SHARDS } from './table-schema';
import { createHash } from 'node:crypto';

/** An item's key: its partition and sort key attributes (table-schema.ts TABLE_KEYS). */
export type Key = { readonly pk: string; readonly sk: string };

const ACCOUNT_PK_PREFIX = 'ACCOUNT#';
export const accountPk = (accountId: string) => `${ACCOUNT_PK_PREFIX}${accountId}`;
export const ACCOUNT_SK = 'ACCOUNT';
/** Ledger entries sort in commit order: the account version that wrote them, then position. */
export const ledgerSk = (accountVersion: number, index: number) => `LEDGER#${String(accountVersion).padStart(12, '0')}#${String(index).padStart(3, '0')}`;
export const LEDGER_SK_PREFIX = 'LEDGER#';
export const LEDGER_SK_PATTERN = /^LEDGER#\d{12}#\d{3}$/;
export const ledgerEntryId = (accountVersion: number, index: number) => `le_${accountVersion}_${index}`;
export const jobSk = (jobId: string) => `JOB#${jobId}`;
/** Idempotency records are keyed by source and kind, never one bare id space. */
export const idempotencySk = (scope: string, key: string) => `IDEM#${scope}#${key}`;
export const redemptionSk = (code: string) => `REDEMPTION#${code}`;
export const grantSk = (periodStart: string) => `GRANT#${periodStart}`;
export const couponAttemptsSk = (hourWindow: string) => `RATE#coupon#${hourWindow}`;
export const couponPk = (code: string) => `COUPON#${code}`;
export const topupSk = (topupId: string) => `TOPUP#${topupId}`;
/** A payment is found by its provider id alone (refund and dispute events carry only that). */
export const paymentPk = (paymentId: string) => `PAYMENT#${paymentId}`;
export const PAYMENT_SK = 'PAYMENT';
/** Webhook events processed: keyed by source and kind, kept past the provider's retry window. */
export const stripeEventPk = (eventId: string) => `STRIPE_EVENT#${eventId}`;
export const STRIPE_EVENT_SK = 'EVENT';
export const COUPON_SK = 'COUPON';
/** A user's link to the one team they are in besides their own wallet (the pre-token trigger reads it). */
export const userTeamKey = (userId: string): Key => ({ pk: `USER#${userId}`, sk: 'TEAM' });
/** An invite code, found by its SHA-256 alone (the code is never stored). */
export const inviteCodeKey = (codeHash: string): Key => ({ pk: `INVITE_CODE#${codeHash}`, sk: 'INVITE_CODE' });
/** Usage counters of an account: one item per UTC day, model and user, in day order. */
export const usageSk = (day: string, model: string, userId: string) => `${USAGE_SK_PREFIX}${day}#${model}#${userId}`;
export const USAGE_SK_PREFIX = 'USAGE#';
/** The sort key range of the usage items of days `from` to `to`, both included (YYYY-MM-DD). */
export const usageSkRange = (from: string, to: string) => ({ start: `${USAGE_SK_PREFIX}${from}#`, end: `${USAGE_SK_PREFIX}${to}#\uffff` });
/** The scope of the generation route's Idempotency-Key records. */
export const GENERATION_IDEMPOTENCY_SCOPE = 'generation';

/** An item of an account's partition, by its sort key. */
export const accountItemKey = (accountId: string, sk: string): Key => ({ pk: accountPk(accountId), sk });
export const accountKey = (accountId: string): Key => accountItemKey(accountId, ACCOUNT_SK);
export const jobKey = (accountId: string, jobId: string): Key => accountItemKey(accountId, jobSk(jobId));
export const idempotencyRecordKey = (accountId: string, scope: string, key: string): Key => accountItemKey(accountId, idempotencySk(scope, key));
export const redemptionKey = (accountId: string, code: string): Key => accountItemKey(accountId, redemptionSk(code));
export const couponAttemptsKey = (accountId: string, hourWindow: string): Key => accountItemKey(accountId, couponAttemptsSk(hourWindow));
export const topupKey = (accountId: string, topupId: string): Key => accountItemKey(accountId, topupSk(topupId));
export const invoiceKey = (accountId: string, invoiceId: string): Key => accountItemKey(accountId, invoiceSk(invoiceId));
export const couponKey = (code: string): Key => ({ pk: couponPk(code), sk: COUPON_SK });
export const paymentKey = (paymentId: string): Key => ({ pk: paymentPk(paymentId), sk: PAYMENT_SK });
export const usageKey = (accountId: string, day: string, model: string, userId: string): Key => accountItemKey(accountId, usageSk(day, model, userId));
export const stripeEventKey = (eventId: string): Key => ({ pk: stripeEventPk(eventId), sk: STRIPE_EVENT_SK });

// ---- Reading keys back (the only place that takes a key apart) ----

/** The account an account-partition key belongs to. */
export function accountIdOf(pk: string): string {
  if (!pk.startsWith(ACCOUNT_PK_PREFIX)) throw new Error(`not an account partition key: ${pk}`);
  return pk.slice(ACCOUNT_PK_PREFIX.length);
}

/** The job a job item's key names. */
export function jobRefOf(key: Key): { accountId: string; jobId: string } {
  if (!key.sk.startsWith(JOB_SK_PREFIX)) throw new Error(`not a job sort key: ${key.sk}`);
  return { accountId: accountIdOf(key.pk), jobId: key.sk.slice(JOB_SK_PREFIX.length) };
}

/** The account version a ledger entry was committed at, read back from its sort key (ledgerSk). */
export function ledgerVersionOf(sk: string): number {
  const version = /^LEDGER#(\d{12})#/.exec(sk);
  if (!version) throw new Error(`ledger item with an unexpected sort key ${sk}`);
  return Number(version[1]);
}

/** The due-index shard of an account: stable, and spreads accounts evenly. */
export function dueShard(id: string): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0) % DUE_INDEX_SHARDS;
}
export const grantDuePk = (shard: number) => `GRANTDUE#${shard}`;
export const expiryDuePk = (shard: number) => `EXPIRYDUE#${shard}`;
export const jobDuePk = (shard: number) => `JOBDUE#${shard}`;
export const refillDuePk = (shard: number) => `REFILLDUE#${shard}`;
export const paygDuePk = (shard: number) => `PAYGDUE#${shard}`;
export const invoiceSk = (invoiceId: string) => `INVOICE#${invoiceId}`;
/** The `recent` index's sort key: creation order within a kind. */
export const recentAt = (kind: 'TOPUP' | 'INVOICE', createdAt: string, id: string) => `${kind}#${createdAt}#${id}`;
/** Where one kind's entries begin in the `recent` index. */
export const recentAtPrefix = (kind: 'TOPUP' | 'INVOICE') => `${kind}#`;
export const JOB_SK_PREFIX = 'JOB#';
export const JOB_SK_PATTERN = /^JOB#gen_[0-9a-z]{26}$/;
