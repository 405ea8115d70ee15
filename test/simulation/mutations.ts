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
 *   simulation.test.ts mocks the module with `creditWithoutDebtRepayment` when this mutation is on);
 * - `upgrade-granted-on-change`: the hole issue 10 closed: a subscription event reporting a higher
 *   plan within the period raises the plan and grants the prorated difference at once, before (and
 *   besides) its invoice's payment (lambdas/domain/subscription.ts's `applySubscriptionChange`,
 *   mocked with `upgradeGrantedOnChange`);
 * - `takeback-as-topup`: a refunded or disputed subscription payment's credits are taken from the
 *   top-up bucket instead of the bucket it granted (lambdas/domain/credit.ts's `takeBackPayment`
 *   ignoring `from`, mocked with `takeBackFromTopup`): the bug the reversal tests found;
 * - `cap-not-enforced`: lambdas/domain/team.ts's `chargeMember` counts a member's debit but never
 *   refuses it over their cap (mocked with `chargeMemberWithoutCap`);
 * - `removed-member-spends`: lambdas/domain/team.ts's `authorize` lets anyone who is not a member
 *   use a wallet as a plain member (mocked with `authorizeAnyone`): a removed member keeps spending;
 * - `usage-without-refunds`: a refund's usage counter is not written (the transaction's usage
 *   update dropped when it carries refund entries): usage no longer equals the ledger;
 * - `step-ignores-job-version`: the worker's own job writes (claiming a step, recording a submit,
 *   scheduling the next poll, giving a job back for a retry: `updateJob`, a transaction of the job
 *   alone) lose their `jobAtVersion` guard, so a step decided on a job read before a cancel (or a
 *   finish) overwrites the finished job with a running one, which then finishes a second time:
 *   refunded twice, or refunded and then succeeding. Caught by the jobs-once checks (invariants.ts:
 *   a job finished by more than one write; a refund spanning several commits; a cancel's 200 not
 *   ending cancelled);
 * - `outputs-not-stored`: the outputs bucket answers every PutObject with success and keeps nothing
 *   (the S3 client the outputs store uses, wrapped): jobs succeed with outputs recorded that are not
 *   in the bucket (invariants.ts, checkJobOutcomes).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type * as CreditModule from '../../lambdas/domain/credit';
import type * as SubscriptionModule from '../../lambdas/domain/subscription';
import type * as TeamModule from '../../lambdas/domain/team';
import type { WalletChange } from '../../lambdas/domain/wallet';
import { COUPON_BUCKET_ID, TOPUP_BUCKET_ID, post, withBucket } from '../../lambdas/domain/wallet';

export const MUTATIONS = [
  'no-idempotency',
  'no-event-dedupe',
  'refund-without-ledger',
  'reversal-twice',
  'no-debt-repayment',
  'upgrade-granted-on-change',
  'takeback-as-topup',
  'cap-not-enforced',
  'removed-member-spends',
  'usage-without-refunds',
  'step-ignores-job-version',
  'outputs-not-stored',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

type TransactItem = {
  Put?: { Item?: Record<string, unknown>; ConditionExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> };
  Update?: { Key?: Record<string, unknown> };
};

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

/** `upgrade-granted-on-change`: applySubscriptionChange as it was before issue 10: an upgrade the provider reports is granted at once. */
export function upgradeGrantedOnChange(actual: typeof SubscriptionModule, credit: typeof CreditModule): typeof SubscriptionModule.applySubscriptionChange {
  return (account, facts) => {
    const decided = actual.applySubscriptionChange(account, facts);
    const raises = decided !== null && account.plan !== 'FREE' && facts.status === 'active' && facts.plan !== account.plan && facts.periodStart < account.currentPeriod.end;
    if (!decided || !raises) return decided;
    const credits = actual.upgradeCredits({ from: account.plan as SubscriptionModule.PaidPlanId, to: facts.plan, coveredFrom: facts.eventCreatedAt, periodStart: account.currentPeriod.start, periodEnd: account.currentPeriod.end, amountPaidCents: Number.MAX_SAFE_INTEGER });
    const bucketId = `${credit.subscriptionBucketId(account.currentPeriod.start)}:upgrade:on-change:${facts.eventCreatedAt}`;
    if (credits <= 0 || account.buckets.some((b) => b.id === bucketId)) return decided;
    const change = credit.grantSubscriptionCredits(account.buckets, { periodStart: account.currentPeriod.start, periodEnd: account.currentPeriod.end, amountCredits: credits, now: new Date(facts.eventCreatedAt), bucketId, reference: `upgrade:${facts.plan}:on-change` });
    return { account: { ...decided.account, plan: facts.plan, buckets: change.buckets }, change };
  };
}

/** `takeback-as-topup`: takeBackPayment that always takes from the top-up bucket, whatever the payment granted. */
export function takeBackFromTopup(actual: typeof CreditModule): typeof CreditModule.takeBackPayment {
  return (buckets, input) => actual.takeBackPayment(buckets, { ...input, from: undefined });
}

/** `cap-not-enforced`: chargeMember that counts the debit but never refuses it. */
export function chargeMemberWithoutCap(actual: typeof TeamModule): typeof TeamModule.chargeMember {
  return (account, userId, credits) => {
    const team = actual.teamOf(account);
    const spent = actual.spentThisPeriod(account, userId);
    return { ...team, spent: { ...team.spent, [userId]: { periodStart: account.currentPeriod.start, credits: spent + credits } } };
  };
}

/** `removed-member-spends`: authorize that takes anyone who is not in the team for a plain member. */
export function authorizeAnyone(actual: typeof TeamModule): typeof TeamModule.authorize {
  return (account, caller, rule) => {
    try {
      return actual.authorize(account, caller, rule);
    } catch (error) {
      if (account && rule === 'member' && actual.roleOf(account, caller.userId) === null) return 'member';
      throw error;
    }
  };
}

export function withMutation(db: DynamoDBDocumentClient, mutation: Mutation): DynamoDBDocumentClient {
  if (mutation === 'step-ignores-job-version') return withoutJobGuard(db);
  const drop = DROP[mutation] ?? (mutation === 'usage-without-refunds' ? () => false : undefined);
  if (!drop) return db;
  const send = (command: { constructor: { name: string }; input: { TransactItems?: TransactItem[] } }, ...rest: unknown[]) => {
    if (command.constructor.name === 'TransactWriteCommand' && command.input.TransactItems) {
      const all = command.input.TransactItems.flatMap((t) => (t.Put?.Item ? [t.Put.Item] : []));
      const kept = command.input.TransactItems.filter((t) => !(t.Put?.Item && drop(t.Put.Item, all)) && !(t.Update?.Key && mutation === 'usage-without-refunds' && String(t.Update.Key.sk).startsWith('USAGE#') && all.some((i) => i.kind === 'ledger' && i.type === 'refund')));
      if (kept.length > 0) command.input.TransactItems = kept;
    }
    return (db.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
  };
  return new Proxy(db, { get: (target, prop, receiver) => (prop === 'send' ? send : Reflect.get(target, prop, receiver)) });
}

/** `step-ignores-job-version`: a transaction that puts a job alone (the store's updateJob) is sent without its condition. */
function withoutJobGuard(db: DynamoDBDocumentClient): DynamoDBDocumentClient {
  const send = (command: { constructor: { name: string }; input: { TransactItems?: TransactItem[] } }, ...rest: unknown[]) => {
    const items = command.input.TransactItems;
    const put = items?.length === 1 ? items[0]!.Put : undefined;
    if (command.constructor.name === 'TransactWriteCommand' && put?.Item?.kind === 'job') {
      delete put.ConditionExpression;
      delete put.ExpressionAttributeNames;
      delete put.ExpressionAttributeValues;
    }
    return (db.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
  };
  return new Proxy(db, { get: (target, prop, receiver) => (prop === 'send' ? send : Reflect.get(target, prop, receiver)) });
}

/** `outputs-not-stored`: PutObject answered as if it stored the object, and nothing sent. */
export function withoutOutputPuts(client: S3Client): S3Client {
  const send = (command: { constructor: { name: string } }, ...rest: unknown[]) =>
    command.constructor.name === 'PutObjectCommand' ? Promise.resolve({ $metadata: { httpStatusCode: 200 } }) : (client.send as (...a: unknown[]) => Promise<unknown>).call(client, command, ...rest);
  return new Proxy(client, { get: (target, prop, receiver) => (prop === 'send' ? send : Reflect.get(target, prop, receiver)) });
}
