/** Builds every key of the single table, so the layout lives in one place. */
import { DUE_INDEX_SHARDS } from './table-schema';
import { createHash } from 'node:crypto';

/** An item's key: its partition and sort key attributes (table-schema.ts TABLE_KEYS). */
export interface Key {
  readonly pk: string;
  readonly sk: string;
}

export const accountPk = (accountId: string) => `ACCOUNT#${accountId}`;
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
/** The scope of the generation route's Idempotency-Key records. */
export const GENERATION_IDEMPOTENCY_SCOPE = 'generation';

export const accountKey = (accountId: string): Key => ({ pk: accountPk(accountId), sk: ACCOUNT_SK });
export const couponKey = (code: string): Key => ({ pk: couponPk(code), sk: COUPON_SK });

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
export const JOB_SK_PREFIX = 'JOB#';
export const JOB_SK_PATTERN = /^JOB#gen_[0-9a-z]{26}$/;
