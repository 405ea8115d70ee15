/**
 * The CreditStore port on one DynamoDB table. Every money change is a single conditional
 * TransactWriteItems: the account item guarded by its version, ledger entries and the records
 * that make the change happen once put with attribute_not_exists. What a commit writes, and how a
 * cancellation reads, is decided by commit-plan.ts; this file translates the plan's named conditions
 * (`conditionOf`) and runs it. Attribute names come from items.ts, keys (built and read) from keys.ts.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Account } from '../../domain/account';
import type { VersionedEntry } from '../../domain/reconcile';
import type { Coupon } from '../../domain/coupon';
import type { CouponCode } from '../../domain/coupon-code';
import type { AccountCommit, CommitOutcome, CreateOutcome, CreditStore, AccountLedger, GenerationPage, InviteCodeRecord, LedgerPage, RedemptionContext, UserTeamLink } from '../../domain/credit-store';
import type { UsageCount } from '../../domain/usage';
import { DomainError } from '../../domain/errors';
import type { GenerationJob, JobRef } from '../../domain/generation';
import type { PaymentRecord } from '../../domain/payment-record';
import type { Topup } from '../../domain/topup';
import type { PaygInvoice } from '../../domain/payg';
import * as items from './items';
import * as keys from './keys';
import { DUE_INDEXES, DUE_INDEX_SHARDS, RECENT_INDEX } from './table-schema';
import type { PlannedUpdate, PlannedWrite, WriteCondition } from './commit-plan';
import { commitOutcomeOf, jobTransitionWrite, planCommit, put } from './commit-plan';
import { transactGet, transactWrite } from './transact';

type Item = Record<string, unknown>;

export class DynamoDbCreditStore implements CreditStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async loadAccount(accountId: string): Promise<Account | null> {
    const [item] = await this.batchGet([keys.accountKey(accountId)]);
    return item ? items.itemToAccount(item) : null;
  }

  async loadForGeneration(accountId: string, idempotencyKey: string) {
    const [account, idempotency] = await this.batchGet([
      keys.accountKey(accountId),
      keys.idempotencyRecordKey(accountId, keys.GENERATION_IDEMPOTENCY_SCOPE, idempotencyKey),
    ]);
    return {
      account: account ? items.itemToAccount(account) : null,
      idempotency: idempotency ? items.itemToIdempotency(idempotency) : null,
    };
  }

  /**
   * A TransactGetItems, not a BatchGetItem: a batch reads each item on its own, so it can see this
   * account's concurrent redemption counted on the coupon but not yet its marker, and the use case
   * would refuse with 410 coupon_exhausted (and count a failed attempt) where the truth is 409
   * coupon_already_redeemed. Null while a write to one of these items is in flight: read again.
   */
  async loadForRedemption(accountId: string, code: CouponCode): Promise<RedemptionContext | null> {
    const snapshot = await transactGet(this.db, this.tableName, [
      keys.accountKey(accountId),
      keys.couponKey(code),
      keys.redemptionKey(accountId, code),
    ]);
    if (!snapshot.ok) return null;
    const [account, coupon, redemption] = snapshot.items;
    return {
      account: account ? items.itemToAccount(account) : null,
      coupon: coupon ? items.itemToCoupon(coupon) : null,
      alreadyRedeemed: redemption !== undefined,
    };
  }

  /** One TransactWriteItems: the commit's plan (commit-plan.ts), each planned write translated as it stands. */
  async commit(change: AccountCommit): Promise<CommitOutcome> {
    const plan = planCommit(change);
    return commitOutcomeOf(plan, await this.transactWrite(plan.writes));
  }

  async getGeneration(accountId: string, jobId: string): Promise<GenerationJob | null> {
    const [item] = await this.batchGet([keys.jobKey(accountId, jobId)]);
    return item ? items.itemToJob(item) : null;
  }

  async loadJobAndAccount(ref: JobRef) {
    const [job, account] = await this.batchGet([
      keys.jobKey(ref.accountId, ref.jobId),
      keys.accountKey(ref.accountId),
    ]);
    return { job: job ? items.itemToJob(job) : null, account: account ? items.itemToAccount(account) : null };
  }

  async loadForPayment(accountId: string, topupId: string | null, paymentId: string) {
    const [account, payment, topup] = await this.batchGet([
      keys.accountKey(accountId),
      keys.paymentKey(paymentId),
      ...(topupId ? [keys.topupKey(accountId, topupId)] : []),
    ]);
    return {
      account: account ? items.itemToAccount(account) : null,
      payment: payment ? items.itemToPayment(payment) : null,
      topup: topup ? items.itemToTopup(topup) : null,
    };
  }

  async getPayment(paymentId: string): Promise<PaymentRecord | null> {
    const [item] = await this.batchGet([keys.paymentKey(paymentId)]);
    return item ? items.itemToPayment(item) : null;
  }

  async getTopup(accountId: string, topupId: string): Promise<Topup | null> {
    const [item] = await this.batchGet([keys.topupKey(accountId, topupId)]);
    return item ? items.itemToTopup(item) : null;
  }

  async createTopup(topup: Topup): Promise<CreateOutcome> {
    const result = await this.transactWrite([put('topup', items.topupToItem(topup), { kind: 'itemIsNew' })]);
    return createOutcomeOf(result);
  }

  async listTopups(accountId: string, limit: number): Promise<readonly Topup[]> {
    return (await this.queryRecent(accountId, 'TOPUP', limit)).map(items.itemToTopup);
  }

  async updateTopupStatus(topup: Topup, status: Topup['status'], at: string): Promise<boolean> {
    const result = await this.transactWrite([put('topup', items.topupToItem({ ...topup, status, updatedAt: at }), { kind: 'statusIs', status: topup.status })]);
    return result.ok;
  }

  async getPaygInvoice(accountId: string, invoiceId: string): Promise<PaygInvoice | null> {
    const [item] = await this.batchGet([keys.invoiceKey(accountId, invoiceId)]);
    const invoice = item ? items.itemToInvoice(item) : null;
    return invoice?.kind === 'payg' ? invoice : null;
  }

  async markPaygInvoiceSent(invoice: PaygInvoice, providerInvoiceId: string, at: string): Promise<void> {
    await this.transactWrite([put('invoice', items.paygInvoiceToItem({ ...invoice, status: 'open', providerInvoiceId, updatedAt: at }), { kind: 'statusIs', status: 'pending' })]);
  }

  async listInvoices(accountId: string, limit: number) {
    return (await this.queryRecent(accountId, 'INVOICE', limit)).map(items.itemToInvoice);
  }

  async isProviderEventApplied(eventId: string): Promise<boolean> {
    const [item] = await this.batchGet([keys.stripeEventKey(eventId)]);
    return item !== undefined;
  }

  async listGenerations(accountId: string, limit: number, cursor: string | null): Promise<GenerationPage> {
    const page = await this.queryNewestFirst(accountId, keys.JOB_SK_PREFIX, keys.JOB_SK_PATTERN, limit, cursor);
    return { jobs: page.items.map(items.itemToJob), nextCursor: page.nextCursor };
  }

  async updateJob(before: GenerationJob, after: GenerationJob): Promise<'committed' | 'retry'> {
    const result = await this.transactWrite([jobTransitionWrite(before, after)]);
    if (result.ok) return 'committed';
    return 'retry';
  }

  async *dueJobs(now: Date): AsyncIterable<JobRef> {
    for await (const item of this.queryDue(DUE_INDEXES.jobDue, keys.jobDuePk, now)) {
      yield keys.jobRefOf(items.keyOf(item));
    }
  }

  async getUserTeam(userId: string): Promise<UserTeamLink | null> {
    const [item] = await this.batchGet([keys.userTeamKey(userId)]);
    return item ? items.itemToUserTeam(item) : null;
  }

  async findInviteCode(codeHash: string): Promise<InviteCodeRecord | null> {
    const [item] = await this.batchGet([keys.inviteCodeKey(codeHash)]);
    return item ? items.itemToInviteCode(item) : null;
  }

  async listUsage(accountId: string, from: string, to: string): Promise<readonly UsageCount[]> {
    const range = keys.usageSkRange(from, to);
    const found = await this.queryAccountItems(accountId, { expression: '#sk BETWEEN :start AND :end', values: { ':start': range.start, ':end': range.end } });
    return found.map(items.itemToUsage);
  }

  /** Planned writes as one TransactWriteItems (see transactItemOf). */
  private transactWrite(writes: readonly PlannedWrite[]) {
    return transactWrite(
      this.db,
      writes.map((write) => transactItemOf(this.tableName, write)),
    );
  }

  async listLedger(accountId: string, limit: number, cursor: string | null): Promise<LedgerPage> {
    const page = await this.queryNewestFirst(accountId, keys.LEDGER_SK_PREFIX, keys.LEDGER_SK_PATTERN, limit, cursor);
    return { entries: page.items.map(items.itemToLedgerEntry), nextCursor: page.nextCursor };
  }

  /** An account's most recently created top-ups or invoices, newest first (the `recent` index: eventually consistent). */
  private async queryRecent(accountId: string, kind: 'TOPUP' | 'INVOICE', limit: number): Promise<Item[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: RECENT_INDEX.name,
        KeyConditionExpression: '#recentPk = :pk AND begins_with(#recentAt, :prefix)',
        ExpressionAttributeNames: { '#recentPk': RECENT_INDEX.partitionKey, '#recentAt': RECENT_INDEX.sortKey },
        ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':prefix': keys.recentAtPrefix(kind) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return result.Items ?? [];
  }

  /** One page of an account's items of one kind, newest first, behind an opaque cursor. */
  private async queryNewestFirst(accountId: string, prefix: string, pattern: RegExp, limit: number, cursor: string | null) {
    const startSk = cursor === null ? null : decodeCursor(cursor, pattern);
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': A.pk, '#sk': A.sk },
        ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':prefix': prefix },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
        ...(startSk ? { ExclusiveStartKey: { ...keys.accountItemKey(accountId, startSk) } } : {}),
      }),
    );
    const last = result.LastEvaluatedKey ? items.keyOf(result.LastEvaluatedKey).sk : undefined;
    return { items: result.Items ?? [], nextCursor: typeof last === 'string' ? Buffer.from(last, 'utf8').toString('base64url') : null };
  }

  /**
   * The window's item holds the codes looked up in it as a string set (`lookupCodes`): the slot is
   * taken by the same conditional write that checks the limit, so concurrent guesses serialize on
   * the item and never hold more than `limit` codes. The TTL is set by the first reservation only:
   * a reservation that shares a held slot, and a release, leave the item as they found it.
   */
  async reserveCouponLookup(accountId: string, hourWindow: string, code: CouponCode, limit: number, expiresAt: Date): Promise<boolean> {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`a lookup limit is a positive integer, got ${limit}`);
    const windowIsEmpty = 'attribute_not_exists(#codes)';
    const codeHoldsASlot = 'contains(#codes, :code)';
    const windowHasAFreeSlot = 'size(#codes) < :limit';
    const reserve = new UpdateCommand({
      TableName: this.tableName,
      Key: { ...keys.couponAttemptsKey(accountId, hourWindow) },
      UpdateExpression: 'ADD #codes :codeSet SET #ttl = if_not_exists(#ttl, :ttl), #kind = :kind',
      ConditionExpression: `${windowIsEmpty} OR ${codeHoldsASlot} OR ${windowHasAFreeSlot}`,
      ExpressionAttributeNames: { '#codes': A.lookupCodes, '#ttl': A.expiresAtEpoch, '#kind': A.kind },
      ExpressionAttributeValues: { ':codeSet': new Set([code]), ':code': code, ':limit': limit, ':ttl': Math.floor(expiresAt.getTime() / 1000), ':kind': items.COUPON_LOOKUP_WINDOW_KIND },
    });
    return this.unlessConditionFails(() => this.db.send(reserve));
  }

  /**
   * The code leaves the set (DynamoDB drops a set emptied so, and the window reads as empty again);
   * guarded by the code being held, so a slot is given back at most once and a release never writes
   * an item that is not there. An update, never a delete: no function may delete from the ledger
   * table, and the emptied item goes with the window's TTL.
   */
  async releaseCouponLookup(accountId: string, hourWindow: string, code: CouponCode): Promise<void> {
    const dropCode = new UpdateCommand({
      TableName: this.tableName,
      Key: { ...keys.couponAttemptsKey(accountId, hourWindow) },
      UpdateExpression: 'DELETE #codes :codeSet',
      ConditionExpression: 'contains(#codes, :code)',
      ExpressionAttributeNames: { '#codes': A.lookupCodes },
      ExpressionAttributeValues: { ':code': code, ':codeSet': new Set([code]) },
    });
    await this.unlessConditionFails(() => this.db.send(dropCode));
  }

  /** Runs one conditional write: false when its condition failed (nothing written), true when it wrote. */
  private async unlessConditionFails(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async createCoupons(coupons: readonly Coupon[]): Promise<CreateOutcome> {
    const result = await this.transactWrite(coupons.map((c) => put('coupon', items.couponToItem(c), { kind: 'itemIsNew' })));
    return createOutcomeOf(result);
  }

  async *dueAccountIds(kind: 'grant' | 'expiry' | 'refill' | 'payg', now: Date): AsyncIterable<string> {
    const { index, shardPk } = {
      grant: { index: DUE_INDEXES.grantDue, shardPk: keys.grantDuePk },
      expiry: { index: DUE_INDEXES.expiryDue, shardPk: keys.expiryDuePk },
      refill: { index: DUE_INDEXES.refillDue, shardPk: keys.refillDuePk },
      payg: { index: DUE_INDEXES.paygDue, shardPk: keys.paygDuePk },
    }[kind];
    for await (const item of this.queryDue(index, shardPk, now)) yield keys.accountIdOf(items.keyOf(item).pk);
  }

  /** Items due at or before `now` in a sparse due index, shard by shard. */
  private async *queryDue(index: (typeof DUE_INDEXES)[keyof typeof DUE_INDEXES], shardPk: (shard: number) => string, now: Date): AsyncIterable<Item> {
    for (let shard = 0; shard < DUE_INDEX_SHARDS; shard += 1) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: index.name,
            KeyConditionExpression: '#shard = :shard AND #due <= :now',
            ExpressionAttributeNames: { '#shard': index.partitionKey, '#due': index.sortKey },
            ExpressionAttributeValues: { ':shard': shardPk(shard), ':now': now.toISOString() },
            ExclusiveStartKey: startKey,
          }),
        );
        yield* page.Items ?? [];
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
  }

  /**
   * One scan segment, an account at a time: a partition's items come together (a segment splits by
   * partition key), so only the account being read is held, never the table. Strongly consistent
   * reads; each account is yielded with its ledger entries and the version each was written at.
   */
  async *scanAccountLedgers(segment: number, totalSegments: number): AsyncGenerator<AccountLedger> {
    let current: { pk: string; account: Account | undefined; entries: VersionedEntry[] } | undefined;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new ScanCommand({ TableName: this.tableName, Segment: segment, TotalSegments: totalSegments, ExclusiveStartKey: startKey, ConsistentRead: true }));
      for (const item of page.Items ?? []) {
        const { pk } = items.keyOf(item);
        if (current && current.pk !== pk) {
          if (current.account) yield { account: current.account, entries: current.entries };
          current = undefined;
        }
        current ??= { pk, account: undefined, entries: [] };
        if (items.isAccountItem(item)) current.account = items.itemToAccount(item);
        if (items.isLedgerItem(item)) current.entries.push(items.itemToVersionedEntry(item));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    if (current?.account) yield { account: current.account, entries: current.entries };
  }

  /** One account and its whole ledger, strongly consistent: the account first, so no entry it includes can be missing. */
  async readAccountLedger(accountId: string): Promise<AccountLedger | undefined> {
    const account = await this.loadAccount(accountId);
    if (!account) return undefined;
    const found = await this.queryAccountItems(accountId, { expression: 'begins_with(#sk, :prefix)', values: { ':prefix': keys.LEDGER_SK_PREFIX } });
    const entries: VersionedEntry[] = found.map(items.itemToVersionedEntry);
    return { account, entries };
  }

  /** Every item of an account's partition whose sort key meets `sk` (`#sk` and its values), page after page, strongly consistent. */
  private async queryAccountItems(accountId: string, sk: { readonly expression: string; readonly values: Record<string, unknown> }): Promise<Item[]> {
    const found: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: `#pk = :pk AND ${sk.expression}`,
          ExpressionAttributeNames: { '#pk': A.pk, '#sk': A.sk },
          ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ...sk.values },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      found.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  /** Strongly consistent reads of up to 100 keys in one call; results in key order, undefined if absent. */
  private async batchGet(keyList: keys.Key[]): Promise<Array<Item | undefined>> {
    const found = new Map<string, Item>();
    let pending: keys.Key[] = keyList;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 0) await sleep(Math.random() * Math.min(1000, 20 * 2 ** attempt));
      if (attempt > 8) throw new Error('BatchGetItem kept returning unprocessed keys');
      const result = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of result.Responses?.[this.tableName] ?? []) found.set(keyString(items.keyOf(item)), item);
      pending = (result.UnprocessedKeys?.[this.tableName]?.Keys as keys.Key[] | undefined) ?? [];
    }
    return keyList.map((k) => found.get(keyString(k)));
  }
}

/** Cursors are opaque to callers: the last sort key read, base64url-encoded, checked on the way back in. */
function decodeCursor(cursor: string, pattern: RegExp): string {
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!pattern.test(sk)) throw new DomainError('invalid_request', 'The cursor is not one this API returned.', { issues: [{ path: 'query.cursor', message: 'unknown cursor' }] });
  return sk;
}

type TransactItem = Parameters<typeof transactWrite>[1][number];
type Expression = { readonly expression?: string; readonly names?: Record<string, string>; readonly values?: Record<string, unknown> };

const A = items.ATTRIBUTES;

/** The one place a named condition becomes a DynamoDB condition expression. */
function conditionOf(condition: WriteCondition): Expression {
  switch (condition.kind) {
    case 'accountAtVersion':
    case 'jobAtVersion':
    case 'paymentAtVersion':
      return { expression: '#version = :expectedVersion', names: { '#version': A.version }, values: { ':expectedVersion': condition.version } };
    case 'statusIs':
      return { expression: '#status = :expectedStatus', names: { '#status': A.status }, values: { ':expectedStatus': condition.status } };
    case 'itemIsNew':
      return { expression: `attribute_not_exists(${A.pk})` };
    case 'couponHasUsesLeft':
      return { expression: `attribute_exists(${A.pk}) AND ${A.redemptions} < ${A.maxRedemptions}` };
    case 'userNotInTeam':
      return { expression: `attribute_not_exists(${A.pk}) OR #status <> :active`, names: { '#status': A.status }, values: { ':active': 'active' } };
    case 'unconditional':
      return {};
  }
}

function updateOf(update: PlannedUpdate): Required<Pick<Expression, 'expression'>> & Expression {
  switch (update.kind) {
    case 'countCouponRedemption':
      return { expression: `SET ${A.redemptions} = ${A.redemptions} + :one`, values: { ':one': 1 } };
    case 'addUsage': {
      const u = update.usage;
      return {
        expression: `ADD #generations :generations, #credits :credits, #refundedCredits :refundedCredits SET #kind = :usageKind, #day = :day, #model = :model, #userId = :userId`,
        names: { '#generations': A.generations, '#credits': A.credits, '#refundedCredits': A.refundedCredits, '#kind': A.kind, '#day': A.day, '#model': A.model, '#userId': A.userId },
        values: { ':generations': u.generations, ':credits': u.credits, ':refundedCredits': u.refundedCredits, ':usageKind': 'usage', ':day': u.day, ':model': u.model, ':userId': u.userId },
      };
    }
  }
}

/** Names and values of a condition (and an update) together, each map left out when empty (DynamoDB refuses empty maps). */
function namesAndValues(...parts: Expression[]) {
  const names = Object.assign({}, ...parts.map((p) => p.names ?? {})) as Record<string, string>;
  const values = Object.assign({}, ...parts.map((p) => p.values ?? {})) as Record<string, unknown>;
  return {
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

/** A planned write as one TransactWriteItems item. */
function transactItemOf(tableName: string, write: PlannedWrite): TransactItem {
  const guard = conditionOf(write.condition);
  const condition = guard.expression === undefined ? {} : { ConditionExpression: guard.expression };
  if (write.kind === 'update') {
    const update = updateOf(write.update);
    return { Update: { TableName: tableName, Key: { ...write.key }, UpdateExpression: update.expression, ...condition, ...namesAndValues(update, guard) } };
  }
  return {
    Put: {
      TableName: tableName,
      Item: write.item,
      ...condition,
      ...namesAndValues(guard),
      ...(write.returnOldItemOnFailure ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
    },
  };
}

const keyString = (key: keys.Key) => `${key.pk}|${key.sk}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function createOutcomeOf(result: Awaited<ReturnType<typeof transactWrite>>): CreateOutcome {
  if (result.ok) return 'created';
  return result.transient ? 'retry' : 'exists';
}
