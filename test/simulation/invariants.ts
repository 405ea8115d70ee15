/**
 * The invariants, checked against what is stored (read on the table without faults).
 *
 * After every step (`checkStep`), while workers and webhook deliveries may still be running: each
 * account is read as a consistent snapshot (the account item at version v, then only the ledger
 * entries of versions ≤ v: entries are written in the same transaction as the version they carry),
 * and checked for
 * - no credit bucket below zero, a PAYG bucket only where PAYG is on and within [-limit, 0], the
 *   debt bucket never above zero;
 * - the debt rules on every commit in stored order (checkDebtRules): arriving credits pay the open
 *   debt first, a take-back adds debt only once the bucket the payment credited is empty (the
 *   top-up bucket, or a subscription payment's own bucket);
 * - a payment's take-back/restore `adjustment` entries only on its own bucket, topup and debt, and
 *   within [-credits, 0]; a paid PAYG invoice's one adjustment into PAYG of the usage it settled;
 *   debt-repayment adjustments move credits out of credit buckets into debt, summing to 0;
 * - for every bucket, the ledger sums to the balance; each entry's balanceAfter is the running sum;
 * - the ledger is append-only: an entry once seen never changes or disappears;
 * - each effect exactly once, by reference: a job's debit entries are exactly the charges its 202
 *   reported (no debit without a 202); its refund entries are absent or exactly those charges (never
 *   twice, never for a job the model has seen succeed); each payment credited at most once (exactly
 *   once when its events were delivered), each coupon at most once per account, each grant (a
 *   period's, an upgrade's) at most once; the grants (reference, bucket, amount) and coupon credits
 *   are exactly the model's;
 * - `expire` entries only once a bucket's expiry has passed, and expiring what it held;
 * - the account's active-job count within [0, jobs not known to have finished];
 * - on the team wallet (team.ts): each spending counter equals the user's debits minus refunds this
 *   period since they joined, no debit took a capped member over the cap in force at its commit,
 *   no debit by a user at a version at which they were not a member (their user-team links, seen
 *   on the wire), every debit and refund entry carries its user.
 *
 * - jobs once (checkJobsOnce, on what reached DynamoDB: World.wire): no job put in a final state by
 *   more than one committed write; no job billed twice by its provider (providers.ts: calls that
 *   ran, a keyed repeat under the same key not counted);
 *
 * At settle points (`checkSettled`, after `drain`: nothing in flight, every job finished) also:
 * - every settled job (checkJobOutcomes): finished by exactly one write; failed or cancelled:
 *   refunded exactly its charges in one commit; succeeded: never refunded, its outputs recorded (as
 *   many as asked for, for images; at least one for videos) and in the bucket; failed or cancelled:
 *   no outputs recorded; a cancel answered 200: ended cancelled; a cancel answered 409
 *   generation_finished while it ran (its provider had completed it): ended succeeded;
 * - every job finished; a failed job refunded exactly its charges once (job.refund and the ledger),
 *   a succeeded one never; jobs the model requires to fail did; no job the client never got a 202
 *   for; no job left in the reaper's index; no concurrency slot left taken (activeJobs = 0);
 * - every bucket equal to the model's (live buckets exactly; expired ones hold what the model says
 *   or less, the rest in `expire` entries), the ledger's totals per entry type equal to the
 *   model's, and GET /v1/balance equal to the model's available credits and buckets;
 * - the reconcile job finds no mismatch;
 * - on the team wallet (team.ts): GET /v1/team (members, caps, spending, seats, invites) equals the
 *   model, and GET /v1/usage by member and model over every day of the run equals the ledger;
 * - for the subscribers (subscriptions.ts): GET /v1/billing's plan, status, renewal and cancellation
 *   equal to the model's, and per period the credits granted never exceed what its paid invoices
 *   bought (also checked after every subscription action);
 * - every payment credited exactly once with its top-up marked as its reversals say (succeeded,
 *   refunded, disputed); each reversal applied exactly once: a payment's adjustments sum to minus
 *   what its final refund/dispute state takes back, and its record's refunded/disputed credits equal
 *   the model's; every coupon's redemption count equal to the model's;
 * - for an account whose split over the buckets the model does not know (model.ts, "Reversals and
 *   debt"), instead of bucket-by-bucket equality: the sum of all its buckets equals the model's;
 *   then the model re-bases on the stored buckets.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { EndedStatus, ModelBucket, ModelJob, ModelPayment } from './model';
import { isRefundedStatus, takenBack } from './model';
import { VIDEO_MODELS } from './providers';
import { TEAM_WALLET } from './team';
import type { World } from './world';

interface LedgerItem {
  readonly sk: string;
  readonly type: string;
  readonly amount: number;
  readonly bucketId: string;
  readonly bucketType: string;
  readonly balanceAfter: number;
  readonly reference: string;
  readonly at: string;
  /** Debits and refunds: who spent (team.ts). */
  readonly userId?: string;
}

interface StoredBucket {
  readonly id: string;
  readonly type: string;
  readonly balance: number;
  readonly expiresAt: string | null;
  readonly createdAt?: string;
}

interface StoredAccount {
  readonly id: string;
  readonly version: number;
  readonly plan: string;
  readonly activeJobs: number;
  readonly buckets: readonly StoredBucket[];
}

const versionOf = (sk: string) => Number(sk.split('#')[1]);

export class Invariants {
  /** Every ledger entry seen so far, by account and sort key: the ledger must be append-only. */
  private readonly seen = new Map<string, Map<string, string>>();
  /** The team wallet's own checks on the same snapshot (team.ts), set by the actions. */
  teamCheck: ((account: Record<string, unknown>, entries: readonly LedgerItem[]) => string[]) | null = null;

  constructor(private readonly w: World) {}

  async snapshot(accountId: string): Promise<{ account: StoredAccount | null; entries: LedgerItem[] }> {
    const { db, tableName } = this.w.t.table;
    const pk = `ACCOUNT#${accountId}`;
    const got = await db.send(new GetCommand({ TableName: tableName, Key: { pk, sk: 'ACCOUNT' }, ConsistentRead: true }));
    const account = (got.Item as StoredAccount | undefined) ?? null;
    const entries: LedgerItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await db.send(
        new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': pk, ':p': 'LEDGER#' }, ConsistentRead: true, ExclusiveStartKey: startKey }),
      );
      entries.push(...((page.Items ?? []) as LedgerItem[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const version = account?.version ?? 0;
    return { account, entries: entries.filter((e) => versionOf(e.sk) <= version) };
  }

  async checkStep(): Promise<string[]> {
    const problems: string[] = [];
    for (const accountId of this.w.model.accounts.keys()) {
      const { account, entries } = await this.snapshot(accountId);
      problems.push(...this.checkAccount(accountId, account, entries).map((p) => `${accountId}: ${p}`));
    }
    problems.push(...this.checkJobsOnce());
    return problems;
  }

  /**
   * At any time: no job put in a final state by more than one committed write (finished exactly
   * once: a finished job never runs again), and no job billed twice by its provider (providers.ts:
   * calls that ran; a keyed client's repeat under the same key is not billed).
   */
  checkJobsOnce(): string[] {
    const problems: string[] = [];
    for (const [jobId, finishes] of this.w.wire.finishes) {
      if (finishes.length > 1) problems.push(`job ${jobId} (g${this.w.model.jobsById.get(jobId)?.tag ?? '?'}) was finished ${finishes.length} times: ${JSON.stringify(finishes)}`);
    }
    for (const job of this.w.model.jobs) {
      const runs = this.w.providers.billed(job.tag);
      if (runs.length <= 1) continue;
      const video = (VIDEO_MODELS as readonly string[]).includes(job.modelId);
      const keys = runs.map((r) => r.key ?? '-').join(', ');
      problems.push(video ? `video job ${job.id} (g${job.tag}, ${job.modelId}, ${job.behaviour}) started ${runs.length} provider operations (submit keys ${keys})` : `image job ${job.id} (g${job.tag}, ${job.modelId}, ${job.behaviour}) billed the provider ${runs.length} times (keys ${keys})`);
    }
    return problems;
  }

  /**
   * At a settle point, for every job the model settled: finished by exactly one write; a failed or
   * cancelled job refunded exactly its charges in one commit, a succeeded one never; a cancelled job
   * without outputs; a succeeded job with its outputs stored (as many as asked for, for images) and
   * in the bucket; what cancels answered honoured (200: ended cancelled; 409 while unfinished: the
   * provider completed it, so it ended succeeded).
   */
  private async checkJobOutcomes(accountId: string, entries: readonly LedgerItem[], stored: ReadonlyArray<Record<string, unknown>>): Promise<string[]> {
    const problems: string[] = [];
    const { w } = this;
    for (const known of w.model.jobs.filter((j) => j.accountId === accountId && j.status !== 'pending')) {
      const id = `job ${known.id} (g${known.tag}, ${known.modelId}×${known.count} ${known.behaviour})`;
      const job = stored.find((j) => j.id === known.id);
      if (!job) continue;
      const finishes = w.wire.finishes.get(known.id) ?? [];
      if (finishes.length !== 1) problems.push(`${id} is ${known.status}, finished by ${finishes.length} committed writes: ${JSON.stringify(finishes)}`);
      const refunds = entries.filter((e) => e.type === 'refund' && e.reference === known.id);
      if (isRefundedStatus(known.status)) {
        const commits = new Set(refunds.map((e) => versionOf(e.sk)));
        if (commits.size !== 1 || !sameCharges(refunds, known.charges.map((c) => ({ bucketId: c.bucketId, amount: c.amount })))) problems.push(`${id} is ${known.status}: its refund entries are ${describe(refunds)}, want its charges ${JSON.stringify(known.charges)} once`);
      } else if (refunds.length > 0) problems.push(`${id} succeeded (its outputs were delivered) and was refunded: ${describe(refunds)}`);
      const outputs = (job.outputs as ReadonlyArray<{ key: string }> | undefined) ?? [];
      if (known.status !== 'succeeded' && outputs.length > 0) problems.push(`${id} is ${known.status} and records outputs ${JSON.stringify(outputs)}`);
      if (known.status === 'cancelled' && (job.error as { code?: string } | undefined)?.code !== 'cancelled') problems.push(`${id} is cancelled with error ${JSON.stringify(job.error)}`);
      if (known.cancel === 'cancelled' && known.status !== 'cancelled') problems.push(`${id}: a cancel answered 200, and the job ended ${known.status}`);
      // (Unless its deadline passed first, a clock jump away: the poll that would have delivered it came too late.)
      if (known.cancel === 'completed' && known.status !== 'succeeded' && !['timeout', 'expired'].includes(known.failure ?? '')) problems.push(`${id}: a cancel answered 409 generation_finished while it ran (the provider had completed it), and the job ended ${known.status}`);
      if (known.status === 'succeeded') {
        const video = (VIDEO_MODELS as readonly string[]).includes(known.modelId);
        if (!video && outputs.length !== known.count) problems.push(`${id} succeeded with ${outputs.length} outputs, ${known.count} asked for`);
        if (video && outputs.length === 0) problems.push(`${id} succeeded without outputs`);
        if (video && outputs.length < known.count) problems.push(`video job ${known.id} (g${known.tag}) charged ${known.credits} credits for ${known.count} videos and delivered ${outputs.length}`);
        const listed = await w.t.s3.client.send(new ListObjectsV2Command({ Bucket: w.t.s3.bucket, Prefix: `outputs/${accountId}/${known.id}/` }));
        const keys = new Set((listed.Contents ?? []).map((o) => o.Key));
        const missing = outputs.filter((o) => !keys.has(o.key)).map((o) => o.key);
        if (missing.length > 0) problems.push(`${id} records ${missing.length} of its ${outputs.length} outputs that are not in the bucket: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}`);
      }
    }
    return problems;
  }

  private checkAccount(accountId: string, account: StoredAccount | null, entries: readonly LedgerItem[]): string[] {
    const problems: string[] = [];
    const model = this.w.model;
    if (!account) return ['the account is missing'];
    if (accountId === TEAM_WALLET && this.teamCheck) problems.push(...this.teamCheck(account as unknown as Record<string, unknown>, entries));

    for (const bucket of account.buckets) {
      if (bucket.type === 'payg') {
        const payg = model.account(accountId).payg;
        if (!payg) problems.push(`unexpected PAYG bucket ${bucket.id} (${bucket.balance}): PAYG is off`);
        else if (bucket.id !== 'payg' || bucket.balance > 0 || bucket.balance < -payg.limit) problems.push(`PAYG bucket ${bucket.id} holds ${bucket.balance}, outside [-${payg.limit}, 0]`);
      }
      else if (bucket.type === 'debt') {
        if (bucket.balance > 0 || bucket.id !== 'debt') problems.push(`debt bucket ${bucket.id} holds ${bucket.balance}: a debt is never positive`);
      } else if (bucket.balance < 0) problems.push(`bucket ${bucket.id} is negative: ${bucket.balance}`);
    }
    // A take-back into debt must first have emptied the bucket the payment credited (a subscription payment's own bucket, else the top-up bucket).
    problems.push(...checkDebtRules(entries, (reference) => {
      const payment = model.payments.get(reference);
      return payment?.paidFor === 'subscription' ? (payment.bucketId ?? null) : payment?.paidFor === 'payg' ? null : 'topup';
    }));

    // The ledger sums to every balance, and each balanceAfter is the running sum.
    const running = new Map<string, number>();
    for (const entry of entries) {
      const after = (running.get(entry.bucketId) ?? 0) + entry.amount;
      running.set(entry.bucketId, after);
      if (entry.balanceAfter !== after) problems.push(`ledger ${entry.sk} (${entry.type} ${entry.amount} on ${entry.bucketId}) says balanceAfter ${entry.balanceAfter}, the running sum is ${after}`);
    }
    for (const bucketId of new Set([...account.buckets.map((b) => b.id), ...running.keys()])) {
      const balance = account.buckets.find((b) => b.id === bucketId)?.balance ?? 0;
      if (balance !== (running.get(bucketId) ?? 0)) problems.push(`bucket ${bucketId} holds ${balance}, its ledger sums to ${running.get(bucketId) ?? 0}`);
    }

    // Append-only.
    const seen = this.seen.get(accountId) ?? new Map<string, string>();
    this.seen.set(accountId, seen);
    const current = new Map(entries.map((e) => [e.sk, JSON.stringify([e.type, e.amount, e.bucketId, e.balanceAfter, e.reference, e.at])]));
    for (const [sk, before] of seen) {
      if (versionOf(sk) > account.version) continue;
      const now = current.get(sk);
      if (now === undefined) problems.push(`ledger entry ${sk} disappeared`);
      else if (now !== before) problems.push(`ledger entry ${sk} changed from ${before} to ${now}`);
    }
    for (const [sk, value] of current) seen.set(sk, value);

    // Each effect exactly once, by reference.
    const byRef = new Map<string, LedgerItem[]>();
    for (const e of entries) {
      const key = `${e.type}\n${e.reference}`;
      byRef.set(key, [...(byRef.get(key) ?? []), e]);
    }
    const grants = new Set<string>();
    const coupons = new Set<string>();
    const payments = new Set<string>();
    for (const [key, group] of byRef) {
      const [type, reference] = key.split('\n') as [string, string];
      const first = group[0]!;
      switch (type) {
        case 'debit':
        case 'refund': {
          const job = model.jobsById.get(reference);
          if (!job || job.accountId !== accountId) {
            problems.push(`${type} entries for ${reference}, a job no client was answered 202 for`);
            break;
          }
          const expected = job.charges.map((c) => ({ bucketId: c.bucketId, amount: type === 'debit' ? -c.amount : c.amount }));
          if (!sameCharges(group, expected)) problems.push(`${type} entries of job ${reference} are ${describe(group)}, its charges are ${JSON.stringify(job.charges)}`);
          if (new Set(group.map((e) => versionOf(e.sk))).size !== 1) problems.push(`${type} entries of job ${reference} span several commits: ${describe(group)}`);
          if (type === 'refund' && job.status === 'succeeded') problems.push(`job ${reference} succeeded and was refunded: ${describe(group)}`);
          break;
        }
        case 'grant': {
          // A period's grant (FREE or paid: `period:<start>`) or a paid upgrade's (`upgrade:<plan>:<invoice>`), each exactly as the model predicts.
          grants.add(reference);
          const grant = model.account(accountId).grants.get(reference);
          if (!grant) problems.push(`a grant ${reference} (${describe(group)}), which the model did not predict`);
          else if (group.length !== 1 || first.amount !== grant.credits || first.bucketId !== grant.bucketId) problems.push(`${reference} granted as ${describe(group)} (want one grant of ${grant.credits} into ${grant.bucketId})`);
          break;
        }
        case 'coupon': {
          coupons.add(reference);
          const coupon = model.couponsByCode.get(reference);
          if (!model.account(accountId).redeemed.has(reference)) problems.push(`coupon ${reference} credited, but the model saw no redemption`);
          if (group.length !== 1 || first.amount !== coupon?.credits || first.bucketId !== 'coupon') problems.push(`coupon ${reference} credited as ${describe(group)} (want once ${coupon?.credits} into coupon)`);
          break;
        }
        case 'topup': {
          payments.add(reference);
          const payment = model.payments.get(reference);
          if (!payment || payment.accountId !== accountId) problems.push(`a top-up credit for ${reference}, a payment the model does not know for this account`);
          else if (!payment.creditable) problems.push(`payment ${reference} credited although its amount does not match its credits`);
          if (group.length !== 1 || first.amount !== payment?.credits || first.bucketId !== 'topup') problems.push(`payment ${reference} credited as ${describe(group)} (want once ${payment?.credits} into topup)`);
          break;
        }
        case 'adjustment': {
          if (reference.startsWith('debt-repayment:')) {
            // Moves credits that just arrived into the debt bucket: out of a credit bucket, into debt, summing to 0.
            const into = group.filter((e) => e.bucketId === 'debt');
            const out = group.filter((e) => e.bucketId !== 'debt');
            if (group.reduce((sum, e) => sum + e.amount, 0) !== 0 || into.some((e) => e.amount <= 0) || out.some((e) => e.amount >= 0 || e.bucketType === 'debt' || e.bucketType === 'payg')) {
              problems.push(`debt repayment ${reference} is ${describe(group)} (want credits moved out of credit buckets into debt, summing to 0)`);
            }
            break;
          }
          const paygSettled = model.account(accountId).payg?.settled.get(reference);
          if (paygSettled !== undefined) {
            // A paid PAYG invoice: its usage back into the PAYG bucket, once.
            if (group.length !== 1 || first.bucketId !== 'payg' || first.amount !== paygSettled) problems.push(`PAYG invoice ${reference} settled as ${describe(group)} (want one adjustment of ${paygSettled} into payg)`);
            break;
          }
          // A take-back or restore of a payment: on the bucket it credited (a subscription payment's own; a restore after it expired: the
          // top-up bucket), the top-up bucket and debt only, never more than the payment.
          const payment = model.payments.get(reference);
          const sum = group.reduce((total, e) => total + e.amount, 0);
          if (!payment || payment.accountId !== accountId || payment.status === 'not_credited') problems.push(`adjustment entries for ${reference}, which is not a credited payment of this account: ${describe(group)}`);
          else if (sum > 0 || sum < -payment.credits) problems.push(`payment ${reference}'s adjustments sum to ${sum}, outside [-${payment.credits}, 0]`);
          const own = payment?.paidFor === 'subscription' ? payment.bucketId : undefined;
          if (group.some((e) => e.bucketId !== 'topup' && e.bucketId !== 'debt' && e.bucketId !== own)) problems.push(`payment ${reference} adjusted other buckets than ${own ? `${own}, ` : ''}topup and debt: ${describe(group)}`);
          break;
        }
        case 'expire': {
          for (const e of group) {
            const bucket = account.buckets.find((b) => b.id === e.bucketId);
            if (e.reference !== e.bucketId) problems.push(`expire entry ${e.sk} on ${e.bucketId} references ${e.reference}`);
            if (!bucket?.expiresAt || Date.parse(bucket.expiresAt) > Date.parse(e.at)) problems.push(`bucket ${e.bucketId} expired at ${e.at}, before its expiry ${bucket?.expiresAt ?? 'never'}`);
            if (e.amount >= 0 || e.balanceAfter !== 0) problems.push(`expire entry ${e.sk} took ${e.amount} and left ${e.balanceAfter}`);
          }
          break;
        }
        default:
          problems.push(`unexpected ${type} entries: ${describe(group)}`);
      }
    }
    for (const grant of model.account(accountId).grants.values()) if (!grants.has(grant.reference)) problems.push(`the model granted ${grant.reference} (${grant.credits} into ${grant.bucketId}), the ledger has no grant`);
    for (const code of model.account(accountId).redeemed) if (!coupons.has(code)) problems.push(`the model redeemed coupon ${code}, the ledger has no credit`);
    for (const payment of model.payments.values()) {
      if (payment.accountId === accountId && payment.paidFor === 'topup' && payment.status === 'credited' && !payments.has(payment.paymentId)) problems.push(`payment ${payment.paymentId} was delivered and confirmed, the ledger has no credit`);
    }

    const pending = model.pendingJobs(accountId).length;
    if (account.activeJobs < 0 || account.activeJobs > pending) problems.push(`activeJobs is ${account.activeJobs}, with ${pending} jobs not known to have finished`);
    return problems;
  }

  /** After `drain`: reads every pending job's final state and every pending payment into the model. */
  async syncModel(): Promise<string[]> {
    const problems: string[] = [];
    const model = this.w.model;
    const now = this.w.now();
    const settled: Array<{ job: ModelJob; status: EndedStatus; failure?: string }> = [];
    for (const job of model.jobs) {
      if (job.status !== 'pending') continue;
      const stored = await this.w.store.getGeneration(job.accountId, job.id);
      if (!stored) problems.push(`job ${job.id} (g${job.tag}) was accepted and is not stored`);
      else if (stored.status === 'queued' || stored.status === 'running') problems.push(`job ${job.id} (g${job.tag}) is still ${stored.status} after draining`);
      else settled.push({ job, status: stored.status, ...(stored.error ? { failure: stored.error.code } : {}) });
    }
    const credited: ModelPayment[] = [];
    for (const payment of model.payments.values()) {
      if (payment.status !== 'pending') continue;
      const stored = await this.w.store.getPayment(payment.paymentId);
      if (!stored) problems.push(`payment ${payment.paymentId} (${payment.credits} credits to ${payment.accountId}) was never credited`);
      else credited.push(payment);
    }
    // Whether the order in which these landed matters (an open debt), judged before applying any.
    for (const accountId of model.accounts.keys()) {
      const before = model.account(accountId).uncertain;
      model.noteSettling(accountId, settled.filter((s) => s.job.accountId === accountId && isRefundedStatus(s.status)).map((s) => s.job), credited.filter((p) => p.accountId === accountId && p.creditable), now);
      if (!before && model.account(accountId).uncertain) this.w.stats.reversals.uncertain! += 1;
    }
    for (const { job, status, failure } of settled) {
      model.settleJob(job, status, now, failure);
      this.w.stats.jobs[status]! += 1;
      if (failure) this.w.stats.failureCodes[failure] = (this.w.stats.failureCodes[failure] ?? 0) + 1;
      // What each provider behaviour ended as (videos.ts's stats): a failure code a behaviour does not explain is worth a look.
      const ended = `ended ${job.behaviour}: ${status}${failure && failure !== status ? ` ${failure}` : ''}`;
      this.w.stats.videos[ended] = (this.w.stats.videos[ended] ?? 0) + 1;
      // `ours` the behaviour did not ask for: a cancel that stopped the operation before the worker's poll (task_cancelled), or outputs that could not be stored.
      if (failure === 'provider_error' && job.behaviour !== 'ours') {
        const why = `provider_error unexplained by its behaviour: g${job.tag} ${job.modelId} ${job.behaviour}${job.cancelAsked ? ', after a cancel' : ''}`;
        this.w.stats.videos[why] = (this.w.stats.videos[why] ?? 0) + 1;
      }
    }
    for (const payment of credited) model.creditPayment(payment.paymentId, 'sync');
    return problems;
  }

  async checkSettled(): Promise<string[]> {
    const problems: string[] = [];
    const { w } = this;
    const model = w.model;
    const now = w.now();
    for (const accountId of model.accounts.keys()) {
      const p = (message: string) => problems.push(`${accountId}: ${message}`);
      const { account, entries } = await this.snapshot(accountId);
      for (const message of this.checkAccount(accountId, account, entries)) p(message);
      if (!account) continue;
      if (account.activeJobs !== 0) p(`activeJobs is ${account.activeJobs} with every job finished: a concurrency slot leaked`);

      // Buckets against the model.
      const modelAccount = model.account(accountId);
      // The debt moves predicted since the last settle point are checked exactly below unless the account is uncertain.
      const debtEvents = modelAccount.debtEvents.splice(0);
      if (modelAccount.uncertain) w.stats.debt.unchecked += debtEvents.length;
      else for (const event of debtEvents) w.stats.debt.checked[event] = (w.stats.debt.checked[event] ?? 0) + 1;
      const nonExpire = new Map<string, number>();
      for (const e of entries) if (e.type !== 'expire') nonExpire.set(e.bucketId, (nonExpire.get(e.bucketId) ?? 0) + e.amount);
      if ((nonExpire.get('debt') ?? 0) < 0) w.stats.reversals.debtAtSettle = (w.stats.reversals.debtAtSettle ?? 0) + 1;
      if (modelAccount.uncertain) {
        // The split over the buckets depends on an order the model does not know (model.ts, "Reversals
        // and debt"): check what holds in every order, then re-base on the stored buckets.
        const storedNet = [...nonExpire.values()].reduce((sum, v) => sum + v, 0);
        if (storedNet !== model.net(accountId)) p(`(uncertain split) all buckets without expiry sum to ${storedNet}, the model says ${model.net(accountId)}`);
        model.rebase(
          accountId,
          account.buckets.map((b) => ({ id: b.id, type: b.type as ModelBucket['type'], expiresAt: b.expiresAt ?? null, balance: nonExpire.get(b.id) ?? 0, createdAt: b.createdAt ?? '' })),
        );
        w.stats.reversals.rebases! += 1;
      }
      for (const bucket of account.buckets) {
        const expected = modelAccount.buckets.get(bucket.id);
        if (!expected) {
          p(`bucket ${bucket.id} (${bucket.type}, ${bucket.balance}) is not in the model`);
          continue;
        }
        if (expected.type !== bucket.type || expected.expiresAt !== (bucket.expiresAt ?? null)) p(`bucket ${bucket.id} is ${bucket.type} until ${bucket.expiresAt}, the model says ${expected.type} until ${expected.expiresAt}`);
        if ((nonExpire.get(bucket.id) ?? 0) !== expected.balance) p(`bucket ${bucket.id}: the ledger without expiry sums to ${nonExpire.get(bucket.id) ?? 0}, the model says ${expected.balance}`);
        const live = bucket.expiresAt === null || bucket.expiresAt === undefined || Date.parse(bucket.expiresAt) > now.getTime();
        if (live && bucket.balance !== expected.balance) p(`live bucket ${bucket.id} holds ${bucket.balance}, the model says ${expected.balance}`);
        if (!live && (bucket.balance < 0 || bucket.balance > expected.balance)) p(`expired bucket ${bucket.id} holds ${bucket.balance}, the model says it held ${expected.balance}`);
      }
      for (const id of modelAccount.buckets.keys()) if (!account.buckets.some((b) => b.id === id)) p(`the model's bucket ${id} is not stored`);

      // Ledger totals per type.
      const totals: Record<string, number> = {};
      for (const e of entries) totals[e.type] = (totals[e.type] ?? 0) + e.amount;
      for (const [type, expected] of Object.entries(model.ledgerTotals(accountId))) if ((totals[type] ?? 0) !== expected) p(`the ledger's ${type} entries sum to ${totals[type] ?? 0}, the model says ${expected}`);

      // What the API shows.
      const balance = await w.call(`check-balance:${accountId}`, 'GET', '/v1/balance', { as: accountId });
      const expectedAvailable = model.available(accountId, w.now());
      if (balance.status !== 200 || balance.body.available !== expectedAvailable) p(`GET /v1/balance: ${balance.status} available ${balance.body?.available}, the model says ${expectedAvailable}`);
      else {
        const shown = Object.fromEntries((balance.body.buckets as StoredBucket[]).map((b) => [b.id, b.balance]));
        const liveModel = Object.fromEntries([...modelAccount.buckets.values()].filter((b) => b.type !== 'debt' && b.type !== 'payg' && (b.expiresAt === null || Date.parse(b.expiresAt) > w.now().getTime())).map((b) => [b.id, b.balance]));
        if (JSON.stringify(sortKeys(shown)) !== JSON.stringify(sortKeys(liveModel))) p(`GET /v1/balance shows buckets ${JSON.stringify(shown)}, the model ${JSON.stringify(liveModel)}`);
        const payg = balance.body.payg as { enabled?: boolean; limit?: number; used?: number } | undefined;
        if (modelAccount.payg && (payg?.enabled !== true || payg.limit !== modelAccount.payg.limit || payg.used !== model.paygUsed(accountId))) p(`GET /v1/balance shows PAYG ${JSON.stringify(payg)}, the model: enabled, limit ${modelAccount.payg.limit}, used ${model.paygUsed(accountId)}`);
      }

      // Jobs.
      const stored = await this.storedJobs(accountId);
      for (const job of stored) {
        const known = model.jobsById.get(job.id as string);
        if (!known) {
          p(`job ${String(job.id)} (${String(job.status)}, ${String(job.credits)} credits) is stored, but no client was answered 202 for it`);
          continue;
        }
        problems.push(...checkFinishedJob(known, job).map((m) => `${accountId}: ${m}`));
      }
      for (const job of model.jobs) if (job.accountId === accountId && !stored.some((s) => s.id === job.id)) p(`job ${job.id} was accepted and is not stored`);
      for (const message of await this.checkJobOutcomes(accountId, entries, stored)) p(message);
    }

    const reconcile = (await w.t.service.jobs.reconcile!()) as { mismatches: unknown[] };
    if (reconcile.mismatches.length > 0) problems.push(`reconcile found mismatches: ${JSON.stringify(reconcile.mismatches)}`);
    const due: string[] = [];
    for await (const ref of w.store.dueJobs(new Date('9999-12-31T00:00:00Z'))) due.push(ref.jobId);
    if (due.length > 0) problems.push(`jobs left in the reaper's index after draining: ${due.join(', ')}`);

    const adjusted = new Map<string, number>();
    const debtLedger: Record<string, number> = {};
    for (const accountId of model.accounts.keys()) {
      const { entries } = await this.snapshot(accountId);
      for (const e of entries) if (e.type === 'adjustment' && !e.reference.startsWith('debt-repayment:')) adjusted.set(e.reference, (adjusted.get(e.reference) ?? 0) + e.amount);
      for (const [key, value] of Object.entries(debtMoves(entries))) debtLedger[key] = (debtLedger[key] ?? 0) + value;
    }
    w.stats.debtLedger = debtLedger;
    for (const payment of model.payments.values()) {
      const stored = await w.store.getPayment(payment.paymentId);
      if (payment.status === 'credited' && stored?.credits !== payment.credits) problems.push(`payment ${payment.paymentId}: record ${JSON.stringify(stored)}, want ${payment.credits} credits`);
      if (payment.status === 'not_credited' && stored) problems.push(`payment ${payment.paymentId} with a mismatched amount has a payment record: ${JSON.stringify(stored)}`);
      if (payment.status === 'credited') {
        // Each reversal applied exactly once: what the ledger took back is what the final state takes back.
        const want = takenBack(payment);
        if ((adjusted.get(payment.paymentId) ?? 0) !== -want) problems.push(`payment ${payment.paymentId} (${payment.credits} credits, refunded ${payment.refundedCredits}, dispute ${payment.dispute}): its adjustments sum to ${adjusted.get(payment.paymentId) ?? 0}, its reversals take back ${want}`);
        if (stored && (stored.refundedCredits !== payment.refundedCredits || stored.disputedCredits !== payment.disputedCredits)) {
          problems.push(`payment ${payment.paymentId}: record says refunded ${stored.refundedCredits}, disputed ${stored.disputedCredits}; the model ${payment.refundedCredits}, ${payment.disputedCredits} (dispute ${payment.dispute})`);
        }
      }
      if (payment.topupId) {
        const topup = await w.store.getTopup(payment.accountId, payment.topupId);
        const status = payment.disputedCredits > 0 ? 'disputed' : payment.refundedCredits > 0 ? 'refunded' : 'succeeded';
        if (topup?.status !== status || topup.paymentId !== payment.paymentId) {
          problems.push(`top-up ${payment.topupId} (payment ${payment.paymentId}) is credited (${status}), but its record is ${topup ? `${topup.status} with payment ${topup.paymentId}` : 'missing'}`);
        }
      }
    }
    for (const coupon of model.coupons) {
      const got = await w.t.table.db.send(new GetCommand({ TableName: w.t.table.tableName, Key: { pk: `COUPON#${coupon.code}`, sk: 'COUPON' }, ConsistentRead: true }));
      if (got.Item?.redemptions !== coupon.redemptions) problems.push(`coupon ${coupon.code} counts ${String(got.Item?.redemptions)} redemptions, the model ${coupon.redemptions}`);
    }
    return problems;
  }

  private async storedJobs(accountId: string): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.w.t.table.db.send(
        new QueryCommand({ TableName: this.w.t.table.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':p': 'JOB#' }, ConsistentRead: true, ExclusiveStartKey: startKey }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** After an expire-credits run that began at `startedAt` and completed: nothing expired by then still holds credits. */
  async checkExpiredAreEmpty(startedAt: Date): Promise<string[]> {
    const problems: string[] = [];
    for (const accountId of this.w.model.accounts.keys()) {
      const { account } = await this.snapshot(accountId);
      for (const bucket of account?.buckets ?? []) {
        if (bucket.expiresAt && Date.parse(bucket.expiresAt) <= startedAt.getTime() && bucket.balance !== 0) {
          problems.push(`${accountId}: bucket ${bucket.id} expired at ${bucket.expiresAt} and still holds ${bucket.balance} after an expire-credits run at ${startedAt.toISOString()}`);
        }
      }
    }
    return problems;
  }
}

/**
 * The debt rules of lambdas/domain/credit.ts on every commit, in the order they were stored (so
 * whatever the order in which concurrent effects landed): a commit that brings credits into credit
 * buckets that are not expiring in it pays the open debt first (`debt-repayment:` adjustments into
 * the debt bucket of min(owed, credits)); a take-back leaves debt only once the top-up bucket is
 * empty; the debt bucket never goes above zero.
 */
function checkDebtRules(entries: readonly LedgerItem[], sourceOf: (paymentId: string) => string | null): string[] {
  const problems: string[] = [];
  const running = new Map<string, number>();
  const commits = new Map<number, LedgerItem[]>();
  for (const e of entries) commits.set(versionOf(e.sk), [...(commits.get(versionOf(e.sk)) ?? []), e]);
  for (const [version, commit] of [...commits].sort(([a], [b]) => a - b)) {
    const owed = 0 - (running.get('debt') ?? 0);
    const expiring = new Set(commit.filter((e) => e.type === 'expire').map((e) => e.bucketId));
    const repaid = commit.filter((e) => e.bucketId === 'debt' && e.reference.startsWith('debt-repayment:')).reduce((sum, e) => sum + e.amount, 0);
    const arriving = commit
      .filter((e) => e.amount > 0 && e.type !== 'expire' && !e.reference.startsWith('debt-repayment:') && e.bucketType !== 'debt' && e.bucketType !== 'payg' && !expiring.has(e.bucketId))
      .reduce((sum, e) => sum + e.amount, 0);
    if (repaid !== Math.min(owed, arriving)) problems.push(`commit ${version} brought ${arriving} credits with ${owed} owed and repaid ${repaid}: ${describe(commit)}`);
    for (const e of commit) running.set(e.bucketId, (running.get(e.bucketId) ?? 0) + e.amount);
    if ((running.get('debt') ?? 0) > 0) problems.push(`commit ${version} left the debt at ${running.get('debt')}: ${describe(commit)}`);
    const intoDebt = commit.find((e) => e.type === 'adjustment' && e.bucketId === 'debt' && e.amount < 0);
    const source = intoDebt ? sourceOf(intoDebt.reference) : null;
    if (intoDebt && source !== null && (running.get(source) ?? 0) !== 0) problems.push(`commit ${version} took payment ${intoDebt.reference} back into debt while its bucket ${source} still holds ${running.get(source)}: ${describe(commit)}`);
  }
  return problems;
}

/** Counts, per commit: a payment taken back into debt (`into debt`), a debt repaid (`repaid by <entry type of the credit>`, a won dispute's restore as `adjustment`). */
function debtMoves(entries: readonly LedgerItem[]): Record<string, number> {
  const moves: Record<string, number> = {};
  const commits = new Map<number, LedgerItem[]>();
  for (const e of entries) commits.set(versionOf(e.sk), [...(commits.get(versionOf(e.sk)) ?? []), e]);
  for (const commit of commits.values()) {
    if (commit.some((e) => e.type === 'adjustment' && e.bucketId === 'debt' && e.amount < 0)) moves['into debt'] = (moves['into debt'] ?? 0) + 1;
    if (commit.some((e) => e.bucketId === 'debt' && e.reference.startsWith('debt-repayment:'))) {
      const credit = commit.find((e) => e.amount > 0 && e.bucketId !== 'debt' && !e.reference.startsWith('debt-repayment:'));
      const key = `repaid by ${credit?.type ?? '?'}`;
      moves[key] = (moves[key] ?? 0) + 1;
    }
  }
  return moves;
}

function checkFinishedJob(known: ModelJob, job: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const id = `job ${known.id} (g${known.tag})`;
  if (job.status !== known.status) problems.push(`${id} is ${String(job.status)}, the model settled it as ${known.status}`);
  if (job.credits !== known.credits || chargesKey(job.charges as ModelJob['charges']) !== chargesKey(known.charges)) problems.push(`${id} stores ${String(job.credits)} credits charged ${JSON.stringify(job.charges)}; its 202 said ${known.credits}, ${JSON.stringify(known.charges)}`);
  const refund = job.refund as { credits?: number } | undefined;
  if ((job.status === 'failed' || job.status === 'cancelled') && refund?.credits !== known.credits) problems.push(`${id} ${String(job.status)} with refund ${JSON.stringify(refund)}, want ${known.credits} credits`);
  if (job.status === 'succeeded' && refund !== undefined) problems.push(`${id} succeeded and records a refund ${JSON.stringify(refund)}`);
  if (job.dueAt !== null || job.leaseUntil !== null) problems.push(`${id} finished with dueAt ${String(job.dueAt)} leaseUntil ${String(job.leaseUntil)}`);
  if (known.expectation === 'must_fail' && job.status === 'succeeded') problems.push(`${id} should have ended without outputs (its provider refuses, never finishes or keeps failing; or a call that may have run has no idempotency key) and succeeded`);
  return problems;
}

/** Charges as comparable text, in their order, whatever the key order of the objects. */
export function chargesKey(charges: ReadonlyArray<{ bucketId: string; bucketType?: string; amount: number }> | undefined): string {
  return JSON.stringify((charges ?? []).map((c) => [c.bucketId, c.bucketType, c.amount]));
}

function sameCharges(group: readonly LedgerItem[], expected: ReadonlyArray<{ bucketId: string; amount: number }>): boolean {
  const key = (xs: ReadonlyArray<{ bucketId: string; amount: number }>) => JSON.stringify(xs.map((x) => `${x.bucketId}:${x.amount}`).sort());
  return key(group) === key(expected);
}

function describe(group: readonly LedgerItem[]): string {
  return JSON.stringify(group.map((e) => `${e.sk} ${e.type} ${e.amount} ${e.bucketId}`));
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
