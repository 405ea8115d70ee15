/** How numbers, money, dates and ledger facts read on the page. */
import type { Schemas } from './api/client';

const integer = new Intl.NumberFormat('en-US');
const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const day = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
const dayTime = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' });

export const formatCredits = (credits: number) => `${integer.format(credits)} credits`;
export const formatNumber = (n: number) => integer.format(n);
export const formatCents = (cents: number) => dollars.format(cents / 100);
export const formatDay = (iso: string) => day.format(new Date(iso));
export const formatDayTime = (iso: string) => dayTime.format(new Date(iso));

type BucketType = Schemas['BucketType'];

export const BUCKET_NAMES: Readonly<Record<BucketType, string>> = {
  subscription: 'Subscription',
  coupon: 'Coupon',
  topup: 'Top-up',
  payg: 'Pay-as-you-go',
  debt: 'Owed',
};

/** A ledger entry in words: what happened and what caused it. */
export function describeLedgerEntry(entry: Schemas['LedgerEntry']): string {
  const ref = entry.reference;
  switch (entry.type) {
    case 'grant':
      return ref.startsWith('period:') ? `Plan credits for the period from ${formatDay(ref.slice('period:'.length))}` : `Plan credits (${ref})`;
    case 'coupon':
      return `Coupon ${ref} redeemed`;
    case 'topup':
      return `Top-up paid (payment ${ref})`;
    case 'debit':
      return `Generation ${ref}`;
    case 'refund':
      return `Refund: generation ${ref} failed or was cancelled`;
    case 'expire':
      return 'Unused plan credits expired';
    case 'adjustment':
      if (ref.startsWith('debt-repayment:')) return `Owed credits repaid from ${ref.slice('debt-repayment:'.length)}`;
      return `Payment ${ref} refunded or disputed`;
  }
}

export const MODEL_STATUS_WORDS: Readonly<Record<Schemas['Generation']['status'], string>> = {
  queued: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
};
