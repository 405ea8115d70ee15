/**
 * The pure reference model of the simulation: what every account's buckets must hold, computed only
 * from outcomes the simulated clients and operators have seen confirmed (responses, job runs, the
 * final state of settled jobs). No I/O, no clock, no import from the service: prices, plan limits,
 * drain order and billing periods are written out again here from the README, so the model checks the
 * service instead of repeating it.
 *
 * Scope (what is exact and what is bounded):
 * - Exact at every point: grants (account opening and `subscription-grants` runs, FREE only: paid plans
 *   are set with fixtures.setPlan and granted by invoices, which the simulation does not send),
 *   coupon credits, webhook-credited payments, and each accepted job's debit (its charges, as the
 *   202 reported them).
 * - Confirmed at settle points only: whether a job succeeded or failed (so its refund) and when a
 *   top-up paid through the payment simulator lands. Between settle points the model therefore
 *   knows an interval for the available credits: `lo` (no pending job refunded, no pending top-up
 *   credited) to `hi` (all of them). With nothing pending it knows the balance exactly and predicts
 *   the drain-order allocation of a debit.
 * - Expiry: the model tracks each bucket's sum of every non-`expire` posting ("balance before
 *   expiry"). It does not predict when the expire-credits job has zeroed an expired bucket; instead
 *   the invariants check that a bucket is only expired once past its expiry, that what expired is
 *   exactly what it held, and that nothing expired is spendable.
 */

/** Credits per output (README, "Models"). */
export const MODEL_PRICES: Readonly<Record<string, number>> = {
  'nano-banana-2': 8,
  'nano-banana-pro': 15,
  'gpt-image-2': 5,
  'seedance-2.0': 40,
  'veo-3.1': 60,
};

export type SimPlan = 'FREE' | 'PRO' | 'TEAM';

/** README, "Plans". */
export const PLAN_SPEC: Readonly<Record<SimPlan, { monthlyCredits: number; maxConcurrentJobs: number; maxCountPerRequest: number; topupMin: number; topupMax: number }>> = {
  FREE: { monthlyCredits: 100, maxConcurrentJobs: 1, maxCountPerRequest: 4, topupMin: 100, topupMax: 10_000 },
  PRO: { monthlyCredits: 6_000, maxConcurrentJobs: 5, maxCountPerRequest: 12, topupMin: 100, topupMax: 200_000 },
  TEAM: { monthlyCredits: 25_000, maxConcurrentJobs: 20, maxCountPerRequest: 16, topupMin: 500, topupMax: 1_000_000 },
};

/** The FREE plan's monthly grant, also what every account is opened with. */
export const OPENING_GRANT = PLAN_SPEC.FREE.monthlyCredits;

export type BucketType = 'subscription' | 'coupon' | 'topup';

export interface Charge {
  readonly bucketId: string;
  readonly bucketType: string;
  readonly amount: number;
}

export interface ModelBucket {
  readonly id: string;
  readonly type: BucketType;
  readonly expiresAt: string | null;
  /** Every posting but `expire`: what the bucket holds until it expires. */
  balance: number;
}

export interface ModelAccount {
  readonly id: string;
  plan: SimPlan;
  readonly anchor: Date;
  readonly buckets: Map<string, ModelBucket>;
  /** ISO starts of the periods granted (the opening grant included). */
  readonly grantedPeriods: Set<string>;
  readonly redeemed: Set<string>;
  /** Failed coupon lookups per clock hour (`YYYY-MM-DDTHH`), the brute-force counter's window. */
  readonly couponFailures: Map<string, number>;
}

export type JobExpectation = 'must_fail' | 'either';
export type JobStatus = 'pending' | 'succeeded' | 'failed';

export interface ModelJob {
  /** The generation request's ordinal, also sent as `params.tag`: stable across runs of a seed. */
  readonly tag: number;
  readonly id: string;
  readonly accountId: string;
  readonly key: string;
  readonly body: string;
  readonly credits: number;
  readonly charges: readonly Charge[];
  readonly expectation: JobExpectation;
  status: JobStatus;
  /** Set once settled: the failure code if it failed. */
  failure?: string;
}

export interface ModelCoupon {
  readonly code: string;
  readonly credits: number;
  readonly maxRedemptions: number;
  redemptions: number;
  readonly redeemBy: string | null;
}

export interface ModelPayment {
  readonly paymentId: string;
  readonly accountId: string;
  readonly credits: number;
  /** 'simulator': a POST /v1/topups the payment simulator pays; 'webhook': events the simulation signs itself. */
  readonly source: 'simulator' | 'webhook';
  /** Whether its credits must land (a mismatched amount must not be credited). */
  readonly creditable: boolean;
  status: 'pending' | 'credited' | 'not_credited';
  readonly topupId?: string;
}

const TYPE_RANK: Record<BucketType, number> = { subscription: 0, coupon: 1, topup: 2 };

/** `months` whole months after `anchor`, on the anchor's day or the month's last day (README, billing periods). */
export function addMonths(anchor: Date, months: number): Date {
  const year = anchor.getUTCFullYear();
  const month = anchor.getUTCMonth() + months;
  const daysInMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(anchor.getUTCDate(), daysInMonth), anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds()));
}

export function periodAt(anchor: Date, at: Date): { start: Date; end: Date } {
  let index = 0;
  while (addMonths(anchor, index + 1).getTime() <= at.getTime()) index += 1;
  return { start: addMonths(anchor, index), end: addMonths(anchor, index + 1) };
}

const isLive = (bucket: { expiresAt: string | null }, now: Date) => bucket.expiresAt === null || Date.parse(bucket.expiresAt) > now.getTime();

export class ReferenceModel {
  readonly accounts = new Map<string, ModelAccount>();
  readonly jobs: ModelJob[] = [];
  readonly jobsById = new Map<string, ModelJob>();
  /** Generation Idempotency-Keys that were accepted, per account and key. */
  readonly acceptedKeys = new Map<string, ModelJob>();
  readonly coupons: ModelCoupon[] = [];
  readonly couponsByCode = new Map<string, ModelCoupon>();
  readonly payments = new Map<string, ModelPayment>();

  account(accountId: string): ModelAccount {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`the model has no account ${accountId}`);
    return account;
  }

  /** An account opened at `anchor`: FREE, with its first month granted. */
  openAccount(accountId: string, anchor: Date): void {
    const account: ModelAccount = { id: accountId, plan: 'FREE', anchor, buckets: new Map(), grantedPeriods: new Set(), redeemed: new Set(), couponFailures: new Map() };
    this.accounts.set(accountId, account);
    this.grant(account, periodAt(anchor, anchor));
  }

  /** Grants due from a `subscription-grants` run at `now` (FREE accounts whose current period has none yet). */
  grantsDue(now: Date): Array<{ accountId: string; start: string; credits: number }> {
    const due: Array<{ accountId: string; start: string; credits: number }> = [];
    for (const account of this.accounts.values()) {
      if (account.plan !== 'FREE') continue;
      const period = periodAt(account.anchor, now);
      if (!account.grantedPeriods.has(period.start.toISOString())) due.push({ accountId: account.id, start: period.start.toISOString(), credits: PLAN_SPEC.FREE.monthlyCredits });
    }
    return due;
  }

  applyGrantsDue(now: Date): number {
    let credits = 0;
    for (const due of this.grantsDue(now)) {
      const account = this.account(due.accountId);
      this.grant(account, periodAt(account.anchor, now));
      credits += due.credits;
    }
    return credits;
  }

  private grant(account: ModelAccount, period: { start: Date; end: Date }): void {
    const start = period.start.toISOString();
    account.grantedPeriods.add(start);
    account.buckets.set(`sub:${start}`, { id: `sub:${start}`, type: 'subscription', expiresAt: period.end.toISOString(), balance: PLAN_SPEC.FREE.monthlyCredits });
  }

  quote(modelId: string, count: number): number {
    const price = MODEL_PRICES[modelId];
    if (price === undefined) throw new Error(`unknown model ${modelId}`);
    return price * count;
  }

  pendingJobs(accountId: string): ModelJob[] {
    return this.jobs.filter((j) => j.accountId === accountId && j.status === 'pending');
  }

  pendingPayments(accountId: string): ModelPayment[] {
    return [...this.payments.values()].filter((p) => p.accountId === accountId && p.status === 'pending' && p.creditable);
  }

  /** Whether the model knows the account's balances exactly (nothing that may land unseen is pending). */
  isExact(accountId: string): boolean {
    return this.pendingJobs(accountId).length === 0 && this.pendingPayments(accountId).length === 0;
  }

  /** Available credits at `now`, exact when nothing is pending. */
  available(accountId: string, now: Date): number {
    let sum = 0;
    for (const bucket of this.account(accountId).buckets.values()) if (isLive(bucket, now) && bucket.balance > 0) sum += bucket.balance;
    return sum;
  }

  /**
   * The interval the service's available credits must lie in at `now`: from no pending refund or
   * top-up landed yet to all of them landed.
   */
  availableBounds(accountId: string, now: Date): { lo: number; hi: number } {
    const account = this.account(accountId);
    const pendingRefund = new Map<string, number>();
    for (const job of this.pendingJobs(accountId)) for (const c of job.charges) pendingRefund.set(c.bucketId, (pendingRefund.get(c.bucketId) ?? 0) + c.amount);
    let lo = 0;
    let hi = 0;
    for (const bucket of account.buckets.values()) {
      if (!isLive(bucket, now)) continue;
      lo += Math.max(bucket.balance, 0);
      hi += Math.max(bucket.balance + (pendingRefund.get(bucket.id) ?? 0), 0);
    }
    hi += this.pendingPayments(accountId).reduce((sum, p) => sum + p.credits, 0);
    return { lo, hi };
  }

  /** The debit's allocation in drain order (subscription by soonest expiry, coupon, top-up), or null if it does not fit. */
  predictAllocation(accountId: string, cost: number, now: Date): Charge[] | null {
    const spendable = [...this.account(accountId).buckets.values()]
      .filter((b) => isLive(b, now) && b.balance > 0)
      .sort((a, b) => TYPE_RANK[a.type] - TYPE_RANK[b.type] || compareExpiry(a.expiresAt, b.expiresAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const charges: Charge[] = [];
    let remaining = cost;
    for (const bucket of spendable) {
      if (remaining === 0) break;
      const amount = Math.min(bucket.balance, remaining);
      charges.push({ bucketId: bucket.id, bucketType: bucket.type, amount });
      remaining -= amount;
    }
    return remaining === 0 ? charges : null;
  }

  /**
   * Records an accepted job and takes its charges from the model's buckets. Returns what is wrong
   * with the charges (unknown, expired or overdrawn buckets), as seen from the model.
   */
  acceptJob(job: ModelJob, now: Date): string[] {
    const problems: string[] = [];
    const account = this.account(job.accountId);
    const pendingRefund = new Map<string, number>();
    for (const other of this.pendingJobs(job.accountId)) for (const c of other.charges) pendingRefund.set(c.bucketId, (pendingRefund.get(c.bucketId) ?? 0) + c.amount);
    // A top-up the payment simulator has not been seen to credit yet may have landed already.
    const pendingTopups = this.pendingPayments(job.accountId).reduce((sum, p) => sum + p.credits, 0);
    if (pendingTopups > 0 && !account.buckets.has('topup')) account.buckets.set('topup', { id: 'topup', type: 'topup', expiresAt: null, balance: 0 });
    let total = 0;
    for (const charge of job.charges) {
      total += charge.amount;
      const bucket = account.buckets.get(charge.bucketId);
      if (!bucket) {
        problems.push(`job ${job.id} charged bucket ${charge.bucketId}, which the model does not know`);
        continue;
      }
      if (charge.bucketType !== bucket.type) problems.push(`job ${job.id} charged ${charge.bucketId} as ${charge.bucketType}, the bucket is ${bucket.type}`);
      if (!isLive(bucket, now)) problems.push(`job ${job.id} charged ${charge.bucketId}, expired at ${bucket.expiresAt}`);
      if (!(charge.amount > 0) || !Number.isInteger(charge.amount)) problems.push(`job ${job.id} charged ${charge.amount} to ${charge.bucketId}`);
      const atMost = bucket.balance + (pendingRefund.get(bucket.id) ?? 0) + (bucket.type === 'topup' ? pendingTopups : 0);
      if (charge.amount > atMost) problems.push(`job ${job.id} took ${charge.amount} from ${charge.bucketId}, which holds at most ${atMost}`);
      bucket.balance -= charge.amount;
    }
    if (total !== job.credits) problems.push(`job ${job.id}'s charges sum to ${total}, its price is ${job.credits}`);
    this.jobs.push(job);
    this.jobsById.set(job.id, job);
    this.acceptedKeys.set(`${job.accountId}\n${job.key}`, job);
    return problems;
  }

  /** A settled job's final state: a failed one gives its charges back to the same buckets. */
  settleJob(job: ModelJob, status: 'succeeded' | 'failed', failure?: string): void {
    if (job.status !== 'pending') throw new Error(`job ${job.id} settled twice in the model`);
    job.status = status;
    if (failure !== undefined) job.failure = failure;
    if (status === 'failed') for (const c of job.charges) this.account(job.accountId).buckets.get(c.bucketId)!.balance += c.amount;
  }

  addCoupon(coupon: ModelCoupon): void {
    this.coupons.push(coupon);
    this.couponsByCode.set(coupon.code, coupon);
  }

  /** What redeeming `code` must answer now, before any fault. */
  expectRedemption(accountId: string, code: string, now: Date): { status: 200; credits: number } | { status: 404 | 409 | 410; code: string } {
    const account = this.account(accountId);
    if (account.redeemed.has(code)) return { status: 409, code: 'coupon_already_redeemed' };
    const coupon = this.couponsByCode.get(code);
    if (!coupon) return { status: 404, code: 'coupon_not_found' };
    if (coupon.redeemBy !== null && Date.parse(coupon.redeemBy) <= now.getTime()) return { status: 410, code: 'coupon_expired' };
    if (coupon.redemptions >= coupon.maxRedemptions) return { status: 410, code: 'coupon_exhausted' };
    return { status: 200, credits: coupon.credits };
  }

  redeem(accountId: string, code: string): void {
    const account = this.account(accountId);
    const coupon = this.couponsByCode.get(code)!;
    account.redeemed.add(code);
    coupon.redemptions += 1;
    this.credit(account, { id: 'coupon', type: 'coupon' }, coupon.credits);
  }

  noteCouponFailure(accountId: string, now: Date): void {
    const window = now.toISOString().slice(0, 13);
    const failures = this.account(accountId).couponFailures;
    failures.set(window, (failures.get(window) ?? 0) + 1);
  }

  couponFailuresThisHour(accountId: string, now: Date): number {
    return this.account(accountId).couponFailures.get(now.toISOString().slice(0, 13)) ?? 0;
  }

  addPayment(payment: ModelPayment): void {
    this.payments.set(payment.paymentId, payment);
  }

  /** A payment's credits landed (once): into the top-up bucket. */
  creditPayment(paymentId: string): void {
    const payment = this.payments.get(paymentId)!;
    if (payment.status !== 'pending') throw new Error(`payment ${paymentId} settled twice in the model`);
    payment.status = payment.creditable ? 'credited' : 'not_credited';
    if (payment.creditable) this.credit(this.account(payment.accountId), { id: 'topup', type: 'topup' }, payment.credits);
  }

  private credit(account: ModelAccount, target: { id: string; type: BucketType }, credits: number): void {
    const bucket = account.buckets.get(target.id) ?? { id: target.id, type: target.type, expiresAt: null, balance: 0 };
    bucket.balance += credits;
    account.buckets.set(target.id, bucket);
  }

  /** The ledger's expected totals per entry type for an account (expire excepted: see the scope above). */
  ledgerTotals(accountId: string): Record<'grant' | 'coupon' | 'topup' | 'debit' | 'refund' | 'adjustment', number> {
    const account = this.account(accountId);
    const jobs = this.jobs.filter((j) => j.accountId === accountId);
    return {
      grant: account.grantedPeriods.size * PLAN_SPEC.FREE.monthlyCredits,
      coupon: [...account.redeemed].reduce((sum, code) => sum + this.couponsByCode.get(code)!.credits, 0),
      topup: [...this.payments.values()].filter((p) => p.accountId === accountId && p.status === 'credited').reduce((sum, p) => sum + p.credits, 0),
      debit: -jobs.reduce((sum, j) => sum + j.credits, 0),
      refund: jobs.filter((j) => j.status === 'failed').reduce((sum, j) => sum + j.credits, 0),
      adjustment: 0,
    };
  }
}

function compareExpiry(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
