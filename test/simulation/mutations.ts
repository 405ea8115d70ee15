/**
 * Self-test of the checks (SIM_MUTATION=<name>): breaks the service on purpose, between it and
 * DynamoDB, so that one can see the simulation catch a known bug and print its replay. Never on in
 * the default run.
 *
 * - `no-idempotency`: generation Idempotency-Key records are not written (a retry pays twice);
 * - `no-event-dedupe`: webhook event and payment records are not written (a redelivered payment is
 *   credited again);
 * - `refund-without-ledger`: refunds move the balance but write no ledger entry;
 * - `reversal-twice`: a refund or dispute is applied without remembering it (neither the payment
 *   record's new state nor the event record is written), so a second event saying the same (or
 *   the same event again) takes the payment back a second time;
 * - `no-debt-repayment`: lambdas/domain/credit.ts's `creditNonExpiring` posts a coupon's or
 *   top-up's credits without paying the open debt first (a hook on the module, not a dropped write:
 *   simulation.test.ts mocks the module with `creditWithoutDebtRepayment` when this mutation is on).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WalletChange } from '../../lambdas/domain/wallet';
import { COUPON_BUCKET_ID, TOPUP_BUCKET_ID, post, withBucket } from '../../lambdas/domain/wallet';

export const MUTATIONS = ['no-idempotency', 'no-event-dedupe', 'refund-without-ledger', 'reversal-twice', 'no-debt-repayment'] as const;
export type Mutation = (typeof MUTATIONS)[number];

type TransactItem = { Put?: { Item?: Record<string, unknown> } };

/** Whether a transaction takes back or restores a payment (an `adjustment` entry that is not a debt repayment). */
const reversesPayment = (items: ReadonlyArray<Record<string, unknown>>) => items.some((i) => i.kind === 'ledger' && i.type === 'adjustment' && !String(i.reference).startsWith('debt-repayment:'));

/** Which items of a transaction to drop (given all the transaction's items). */
const DROP: Partial<Record<Mutation, (item: Record<string, unknown>, all: ReadonlyArray<Record<string, unknown>>) => boolean>> = {
  'no-idempotency': (item) => String(item.sk).startsWith('IDEM#'),
  'no-event-dedupe': (item) => String(item.pk).startsWith('STRIPE_EVENT#') || String(item.pk).startsWith('PAYMENT#'),
  'refund-without-ledger': (item) => item.kind === 'ledger' && item.type === 'refund',
  'reversal-twice': (item, all) => reversesPayment(all) && (item.kind === 'payment' || item.kind === 'provider-event'),
};

export function mutationFromEnv(): Mutation | null {
  const name = process.env.SIM_MUTATION;
  if (!name) return null;
  if (!(MUTATIONS as readonly string[]).includes(name)) throw new Error(`SIM_MUTATION must be one of ${MUTATIONS.join(', ')}`);
  return name as Mutation;
}

/** `no-debt-repayment`: creditNonExpiring as it would be without its debt repayment (the credit posted alone). */
export function creditWithoutDebtRepayment(
  buckets: Parameters<typeof withBucket>[0],
  input: { kind: 'coupon' | 'topup'; amountCredits: number; reference: string; now: Date },
): WalletChange {
  const bucketId = input.kind === 'coupon' ? COUPON_BUCKET_ID : TOPUP_BUCKET_ID;
  const withTarget = withBucket(buckets, { id: bucketId, type: input.kind, expiresAt: null, createdAt: input.now.toISOString() });
  return post(withTarget, [{ type: input.kind, bucketId, amount: input.amountCredits, reference: input.reference }], { paygLimitCredits: 0 });
}

export function withMutation(db: DynamoDBDocumentClient, mutation: Mutation): DynamoDBDocumentClient {
  const drop = DROP[mutation];
  if (!drop) return db;
  const send = (command: { constructor: { name: string }; input: { TransactItems?: TransactItem[] } }, ...rest: unknown[]) => {
    if (command.constructor.name === 'TransactWriteCommand' && command.input.TransactItems) {
      const all = command.input.TransactItems.flatMap((t) => (t.Put?.Item ? [t.Put.Item] : []));
      const kept = command.input.TransactItems.filter((t) => !(t.Put?.Item && drop(t.Put.Item, all)));
      if (kept.length > 0) command.input.TransactItems = kept;
    }
    return (db.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
  };
  return new Proxy(db, { get: (target, prop, receiver) => (prop === 'send' ? send : Reflect.get(target, prop, receiver)) });
}
