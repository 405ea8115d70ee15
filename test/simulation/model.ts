/**
 * The pure reference model of the simulation: what every account's buckets must hold, computed only
 * from outcomes the simulated clients and operators have seen confirmed (responses, job runs, the
 * final state of settled jobs). No I/O, no clock, no import from the service: prices, plan limits,
 * drain order and billing periods are written out again here from the README, so the model checks the
 * service instead of repeating it.
 *
 * Scope (what is exact and what is bounded):
 * - Exact at every point: grants, coupon credits, webhook-credited payments, and each accepted job's
 *   debit (its charges, as the 202 reported them). Grants: the account opening's and each
 *   `subscription-grants` run's FREE months; for the subscribers (subscriptions.ts: moved between
 *   plans only through the API) each paid period's plan credits into `sub:<periodStart>` and each
 *   paid upgrade's prorated difference into `sub:<periodStart>:upgrade:<invoice>` (from the amount
 *   the payment simulator charged: the time left's share of the monthly difference, never more than
 *   the money buys at the plans' rate), nothing for a downgrade, a decline or an unpaid invoice, and
 *   a FREE month when a cancelled subscription ends. The fixed-plan accounts (sim-pro, sim-team-*,
 *   sim-payg) are set with fixtures.setPlan and get no paid grants. PAYG (payg.ts): debits draw on
 *   the PAYG bucket once the credits run out, up to the limit less the usage and any debt; a paid
 *   PAYG invoice gives its usage back to the PAYG bucket.
 * - Confirmed at settle points only: whether a job succeeded or failed (so its refund) and when a
 *   top-up paid through the payment simulator lands. Between settle points the model therefore
 *   knows an interval for the available credits: `lo` (no pending job refunded, no pending top-up
 *   credited) to `hi` (all of them). With nothing pending it knows the balance exactly and predicts
 *   the drain-order allocation of a debit.
 * - Expiry: the model tracks each bucket's sum of every non-`expire` posting ("balance before
 *   expiry"). It does not predict when the expire-credits job has zeroed an expired bucket; instead
 *   the invariants check that a bucket is only expired once past its expiry, that what expired is
 *   exactly what it held, and that nothing expired is spendable.
 *
 * Reversals and debt (lambdas/domain/credit.ts, written out again): a refund or dispute sets how much
 * of a payment is taken back (a refund's running total in cents, as a share of what was charged;
 * a closed dispute is final); the difference leaves the bucket the payment credited as far as it
 * holds credits (a top-up's: the top-up bucket; a subscription or upgrade payment's: its own
 * `sub:` bucket; a PAYG payment's credits were spent already: none) and the rest goes into the debt
 * bucket (≤ 0); a won dispute gives it back into that bucket while it is live (else the top-up
 * bucket), paying the debt first; a subscription payment taken back leaves the subscription
 * past_due (good standing again once a dispute is won or the provider reports it again). The
 * expired-bucket rules (expired credits are not owed back; a dispute won after the bucket expired)
 * are not modelled: the simulation never reverses a payment whose bucket has expired; every later credit (grant, coupon, top-up, a failed
 * job's refund into a bucket that has not expired) pays the debt first. The model applies these rules
 * exactly when it knows the order in which they happened: a reversal or a credit while the account
 * has nothing pending that may land meanwhile (pending jobs the simulation parked, whose enqueue it
 * made fail, cannot: see `parked`), and, at a settle point, a single pending credit-like outcome. When the order
 * is unknown (a reversal or a credit while a job or top-up of the same account may land concurrently,
 * several job refunds or top-ups landing while a debt is open, a refund into a bucket that expired
 * meanwhile, a refund racing its own payment's credit) the split over the buckets depends on it, and
 * the account is marked `uncertain` until the next settle point. There the invariants check only what
 * holds in every order (each reversal applied exactly once: a payment's `adjustment` entries sum to
 * minus what its final refund/dispute state takes back; the ledger's totals per entry type; the sum of
 * all buckets, debt included; no bucket below its floor and the debt never positive; ledger sums =
 * balances; and, on every commit in the stored order, that a credit paid the open debt first and that
 * a take-back emptied the top-up bucket before adding debt), then re-base the account's buckets on
 * the stored ones. While uncertain, the account's available credits are only known to be ≥ 0.
 */

/** Credits per output (README, "Models"). */
export const MODEL_PRICES: Readonly<Record<string, number>> = {
  'nano-banana-2': 8,
  'nano-banana-pro': 15,
  'gpt-image-2': 5,
  'seedance-2.0': 40,
  'veo-3.1': 60,
};

export type SimPlan = 'FREE' | 'BEGINNER' | 'PRO' | 'TEAM';
export type PaidPlan = Exclude<SimPlan, 'FREE'>;

/** README, "Plans". */
export const PLAN_SPEC: Readonly<Record<SimPlan, { monthlyCredits: number; priceCents: number; maxConcurrentJobs: number; maxCountPerRequest: number; paygLimit: number; topupMin: number; topupMax: number }>> = {
  FREE: { monthlyCredits: 100, priceCents: 0, maxConcurrentJobs: 1, maxCountPerRequest: 4, paygLimit: 0, topupMin: 100, topupMax: 10_000 },
  BEGINNER: { monthlyCredits: 1_200, priceCents: 999, maxConcurrentJobs: 2, maxCountPerRequest: 8, paygLimit: 500, topupMin: 100, topupMax: 50_000 },
  PRO: { monthlyCredits: 6_000, priceCents: 3_999, maxConcurrentJobs: 5, maxCountPerRequest: 12, paygLimit: 5_000, topupMin: 100, topupMax: 200_000 },
  TEAM: { monthlyCredits: 25_000, priceCents: 14_999, maxConcurrentJobs: 20, maxCountPerRequest: 16, paygLimit: 25_000, topupMin: 500, topupMax: 1_000_000 },
};

/** The FREE plan's monthly grant, also what every account is opened with. */
export const OPENING_GRANT = PLAN_SPEC.FREE.monthlyCredits;

export type BucketType = 'subscription' | 'coupon' | 'topup' | 'debt' | 'payg';

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
  /** When it was created, as an ordinal: of two subscription buckets expiring together (a period's and its upgrades') the older drains first. */
  seq?: number;
}

/** One grant the model predicts, by its ledger reference: a FREE period's, a paid period's (`period:<start>`) or a paid upgrade's (`upgrade:<plan>:<invoiceId>`). */
export interface ModelGrant {
  readonly reference: string;
  readonly kind: 'free' | 'period' | 'upgrade';
  readonly bucketId: string;
  /** The billing period the credits belong to (ISO start). */
  readonly periodStart: string;
  readonly credits: number;
}

/**
 * A subscriber account's subscription (accounts moved between plans only through the API; see
 * subscriptions.ts), as the model knows it from the answers and the paid invoices.
 */
export interface ModelSubscription {
  /** The paid subscription the account follows; null while FREE. */
  id: string | null;
  /** Its first period's start, in whole seconds (the provider's billing cycle anchor), and the current period's index. */
  anchor: Date;
  index: number;
  /** The downgrade waiting for the renewal. */
  pendingPlan: PaidPlan | null;
  cancelAtPeriodEnd: boolean;
  /** 'past_due' once a subscription payment was taken back (until the provider reports the subscription again or a dispute is won). */
  status: 'active' | 'past_due';
}

/** Per subscriber: what is known of its subscriptions beyond the one in force (unpaid ones, upgrade invoices). */
export interface SubscriberState {
  sub: ModelSubscription | null;
  /** An unpaid first subscription (declined or waiting for confirmation), until paid, replaced, abandoned or expired. */
  incomplete: { id: string; plan: PaidPlan; clientSecret: string; createdAt: Date; expired: boolean; abandoned: boolean } | null;
  /** Upgrade invoices answered, by (from, to, minute): a request within the same minute replays the same one. */
  readonly upgrades: Map<string, { invoiceId: string; clientSecret: string | null; paid: boolean; from: PaidPlan; to: PaidPlan; periodIndex: number }>;
  /** Subscription invoice ids the model has accounted for. */
  readonly invoices: Set<string>;
}

export interface ModelAccount {
  readonly id: string;
  plan: SimPlan;
  /** The FREE periods' anchor (moved when a subscription ends: a FREE month from then). */
  anchor: Date;
  readonly buckets: Map<string, ModelBucket>;
  /** ISO starts of the FREE periods granted (the opening grant included). */
  readonly grantedPeriods: Set<string>;
  /** Every grant, by ledger reference. */
  readonly grants: Map<string, ModelGrant>;
  /** Set on subscriber accounts (moved between plans through the API), else null. */
  subscriber: SubscriberState | null;
  /** Pay-as-you-go, when enabled (payg.ts): its limit, and the PAYG invoices paid, by id, with the credits each settled. */
  payg: { readonly limit: number; readonly settled: Map<string, number> } | null;
  readonly redeemed: Set<string>;
  /** Failed coupon lookups per clock hour (`YYYY-MM-DDTHH`), the brute-force counter's window. */
  readonly couponFailures: Map<string, number>;
  /**
   * Whether the split of the account's credits over its buckets (the debt bucket included) is
   * unknown until the next settle point: set when something that moves a debt happened in an order
   * the model cannot know (see "Reversals and debt" above). The totals stay exact.
   */
  uncertain: boolean;
  /**
   * Debt moves the model predicted while the account's order was known, since the last settle point
   * (`arose`, or the kind of credit that repaid: grant, coupon, topup, refund, restore): counted as
   * checked at the next settle point if the account is still not uncertain there.
   */
  readonly debtEvents: string[];
}

/** `must_fail`: the job can only end without outputs (failed, or cancelled), whatever the faults. */
export type JobExpectation = 'must_fail' | 'either';
/** `cancelled` ends a job as `failed` does: refunded, no outputs. */
export type JobStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled';
export type EndedStatus = Exclude<JobStatus, 'pending'>;

/** A job that ended with its credits given back (failed or cancelled). */
export const isRefundedStatus = (status: JobStatus) => status === 'failed' || status === 'cancelled';

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
  /** The model id, the outputs asked for, and the behaviour its prompt asks of the provider (providers.ts). */
  readonly modelId: string;
  readonly count: number;
  readonly behaviour: string;
  status: JobStatus;
  /**
   * What cancels answered (videos.ts): `cancelled` once one answered 200 (the job must end cancelled,
   * refunded), `completed` once one answered 409 generation_finished while the job had not finished
   * (the provider had completed it: the job must end succeeded).
   */
  cancel?: 'cancelled' | 'completed';
  /** Whether someone allowed to cancel it asked to (whatever the answer). */
  cancelAsked?: boolean;
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
  /** 'simulator': a POST /v1/topups or an invoice the payment simulator paid; 'webhook': events the simulation signs itself. */
  readonly source: 'simulator' | 'webhook';
  /** What it paid for: a top-up's credits (top-up bucket), a subscription period or upgrade (its own bucket), a PAYG invoice (the usage it settled). */
  readonly paidFor: 'topup' | 'subscription' | 'payg';
  /** What was charged (a top-up: 1 credit = 1 cent; an invoice: its amount). */
  readonly amountCents: number;
  /** A subscription payment: the bucket it granted into, its invoice, the period it belongs to, and an upgrade's plans. */
  readonly bucketId?: string;
  readonly invoiceId?: string;
  readonly periodStart?: string;
  readonly upgrade?: { readonly from: PaidPlan; readonly to: PaidPlan };
  /** Whether its credits must land (a mismatched amount must not be credited). */
  readonly creditable: boolean;
  status: 'pending' | 'credited' | 'not_credited';
  readonly topupId?: string;
  /** Credits taken back by refunds (the highest running total refunded seen, in whole credits). */
  refundedCredits: number;
  /** Credits held back by an open or lost dispute. */
  disputedCredits: number;
  dispute: 'none' | 'open' | 'won' | 'lost';
  /** Reversals sent while the payment was still pending in the model: applied after its credit, at sync. */
  readonly pendingReversals: PaymentReversal[];
}

/** One provider event that takes back (or gives back) a payment's credits. Refund amounts are running totals, in cents (a top-up's: 1 credit = 1 cent). */
export type PaymentReversal = { readonly kind: 'refund'; readonly totalRefunded: number } | { readonly kind: 'dispute_opened' } | { readonly kind: 'dispute_won' } | { readonly kind: 'dispute_lost' };

/** Credits currently taken back from a payment (lambdas/domain/payment-record.ts, written out again). */
export function takenBack(payment: Pick<ModelPayment, 'credits' | 'refundedCredits' | 'disputedCredits'>): number {
  return Math.min(payment.credits, payment.refundedCredits + payment.disputedCredits);
}

/**
 * A payment's reversal state after one event. A closed dispute (won or lost) is final: a
 * `charge.dispute.created` delivered after its `charge.dispute.closed` (Stripe does not order
 * events) must not take the credits back again.
 */
export function nextReversalState(
  payment: Pick<ModelPayment, 'credits' | 'amountCents' | 'refundedCredits' | 'disputedCredits' | 'dispute'>,
  reversal: PaymentReversal,
): { refundedCredits: number; disputedCredits: number; dispute: ModelPayment['dispute'] } {
  const { refundedCredits, disputedCredits, dispute } = payment;
  switch (reversal.kind) {
    case 'refund': {
      // Whole credits, rounded down, for the share of the amount refunded.
      const refunded = payment.amountCents > 0 ? Math.min(payment.credits, Math.floor((payment.credits * reversal.totalRefunded) / payment.amountCents)) : 0;
      return { refundedCredits: Math.max(refundedCredits, refunded), disputedCredits, dispute };
    }
    case 'dispute_opened':
      return dispute === 'won' || dispute === 'lost' ? { refundedCredits, disputedCredits, dispute } : { refundedCredits, disputedCredits: payment.credits - refundedCredits, dispute: 'open' };
    case 'dispute_lost':
      return { refundedCredits, disputedCredits: payment.credits - refundedCredits, dispute: 'lost' };
    case 'dispute_won':
      return { refundedCredits, disputedCredits: 0, dispute: 'won' };
  }
}

const TYPE_RANK: Record<BucketType, number> = { subscription: 0, coupon: 1, topup: 2, debt: 3, payg: 4 };
const PAYG = 'payg';
const DEBT = 'debt';

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
  /**
   * Pending jobs that cannot land before the next reaper run: the simulation made their enqueue fail
   * (actions.ts, debt), so no worker sees them until reap-stuck-jobs enqueues them again. A reversal
   * or credit while only parked jobs are pending happens in a known order. Emptied by the action
   * that parks them before it ends.
   */
  readonly parked = new Set<string>();
  /** Creation ordinals of buckets (see ModelBucket.seq). */
  private bucketSeq = 0;

  account(accountId: string): ModelAccount {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`the model has no account ${accountId}`);
    return account;
  }

  /** An account opened at `anchor`: FREE, with its first month granted. */
  openAccount(accountId: string, anchor: Date): void {
    const account: ModelAccount = { id: accountId, plan: 'FREE', anchor, buckets: new Map(), grantedPeriods: new Set(), grants: new Map(), subscriber: null, payg: null, redeemed: new Set(), couponFailures: new Map(), uncertain: false, debtEvents: [] };
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
    this.grantCredits(account.id, { reference: `period:${start}`, kind: 'free', bucketId: `sub:${start}`, periodStart: start, credits: PLAN_SPEC.FREE.monthlyCredits }, period.end, 'now');
  }

  /** A FREE month granted at once from `start` (a subscription ended: the account's FREE periods are anchored there). */
  startFreePeriods(accountId: string, start: Date): void {
    const account = this.account(accountId);
    account.plan = 'FREE';
    account.anchor = start;
    this.grant(account, periodAt(start, start));
  }

  /**
   * Credits granted into a subscription bucket of their own (created here, expiring at `expiresAt`),
   * paying an open debt first. Nothing for 0 credits.
   */
  grantCredits(accountId: string, grant: ModelGrant, expiresAt: Date, when: 'now' | 'sync'): void {
    if (grant.credits <= 0) return;
    const account = this.account(accountId);
    if (account.grants.has(grant.reference)) throw new Error(`the model granted ${grant.reference} twice`);
    account.grants.set(grant.reference, grant);
    account.buckets.set(grant.bucketId, { id: grant.bucketId, type: 'subscription', expiresAt: expiresAt.toISOString(), balance: 0, seq: (this.bucketSeq += 1) });
    this.credit(account, { id: grant.bucketId, type: 'subscription' }, grant.credits, when);
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

  /** Whether nothing that may land unseen is pending on the account (jobs, top-ups). */
  nothingPending(accountId: string): boolean {
    return this.pendingJobs(accountId).length === 0 && this.pendingPayments(accountId).length === 0;
  }

  /** Whether something of the account may land while a step runs, in an order the model cannot know (pending top-ups, pending jobs that are not parked). */
  mayLandUnseen(accountId: string): boolean {
    return this.pendingPayments(accountId).length > 0 || this.pendingJobs(accountId).some((j) => !this.parked.has(j.id));
  }

  /** Whether the model knows the account's balances exactly (nothing pending, the split over its buckets known). */
  isExact(accountId: string): boolean {
    return this.nothingPending(accountId) && !this.account(accountId).uncertain;
  }

  /** Credits the account owes (minus the debt bucket's balance). */
  owed(accountId: string): number {
    return 0 - (this.account(accountId).buckets.get(DEBT)?.balance ?? 0);
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
    if (account.uncertain) return { lo: 0, hi: Number.POSITIVE_INFINITY };
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

  /** The interval of the PAYG headroom a debit may draw on besides the available credits (pending refunds into the PAYG bucket may only raise it). */
  paygHeadroomBounds(accountId: string): { lo: number; hi: number } {
    const lo = this.paygHeadroom(accountId);
    return { lo, hi: lo + this.pendingJobs(accountId).reduce((sum, j) => sum + j.charges.filter((c) => c.bucketId === PAYG).reduce((t, c) => t + c.amount, 0), 0) };
  }

  /** Credits the account owes PAYG (what its PAYG bucket lacks). */
  paygUsed(accountId: string): number {
    return 0 - Math.min(this.account(accountId).buckets.get(PAYG)?.balance ?? 0, 0);
  }

  /** README: once every bucket is empty, debits draw on PAYG up to the plan's limit, less the PAYG used and any debt (a debt uses up PAYG headroom). */
  paygHeadroom(accountId: string): number {
    const payg = this.account(accountId).payg;
    return payg ? Math.max(payg.limit - this.paygUsed(accountId) - this.owed(accountId), 0) : 0;
  }

  /** The debit's allocation in drain order (subscription by soonest expiry, coupon, top-up), or null if it does not fit. */
  predictAllocation(accountId: string, cost: number, now: Date): Charge[] | null {
    const spendable = [...this.account(accountId).buckets.values()]
      .filter((b) => isLive(b, now) && b.balance > 0)
      .sort((a, b) => TYPE_RANK[a.type] - TYPE_RANK[b.type] || compareExpiry(a.expiresAt, b.expiresAt) || (a.seq ?? 0) - (b.seq ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const charges: Charge[] = [];
    let remaining = cost;
    for (const bucket of spendable) {
      if (remaining === 0) break;
      const amount = Math.min(bucket.balance, remaining);
      charges.push({ bucketId: bucket.id, bucketType: bucket.type, amount });
      remaining -= amount;
    }
    const payg = Math.min(this.paygHeadroom(accountId), remaining);
    if (payg > 0) {
      charges.push({ bucketId: PAYG, bucketType: 'payg', amount: payg });
      remaining -= payg;
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
    // The PAYG bucket appears with the first debit that draws on it.
    const headroom = this.paygHeadroom(job.accountId) + (pendingRefund.get(PAYG) ?? 0);
    if (account.payg && job.charges.some((c) => c.bucketId === PAYG) && !account.buckets.has(PAYG)) account.buckets.set(PAYG, { id: PAYG, type: 'payg', expiresAt: null, balance: 0 });
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
      if (bucket.type === 'debt') problems.push(`job ${job.id} charged the debt bucket`);
      else if (bucket.type === 'payg') {
        if (charge.amount > headroom && !account.uncertain) problems.push(`job ${job.id} drew ${charge.amount} on PAYG, whose headroom is at most ${headroom}`);
      }
      else if (charge.amount > atMost && !account.uncertain) problems.push(`job ${job.id} took ${charge.amount} from ${charge.bucketId}, which holds at most ${atMost}`);
      bucket.balance -= charge.amount;
    }
    if (total !== job.credits) problems.push(`job ${job.id}'s charges sum to ${total}, its price is ${job.credits}`);
    this.jobs.push(job);
    this.jobsById.set(job.id, job);
    this.acceptedKeys.set(`${job.accountId}\n${job.key}`, job);
    return problems;
  }

  /**
   * A settled job's final state: a failed or cancelled one gives its charges back to the same buckets, then pays
   * an open debt out of them (in charge order, from buckets that have not expired at `now`).
   */
  settleJob(job: ModelJob, status: EndedStatus, now: Date, failure?: string): void {
    if (job.status !== 'pending') throw new Error(`job ${job.id} settled twice in the model`);
    job.status = status;
    if (failure !== undefined) job.failure = failure;
    if (!isRefundedStatus(status)) return;
    const account = this.account(job.accountId);
    for (const c of job.charges) account.buckets.get(c.bucketId)!.balance += c.amount;
    for (const c of job.charges) {
      const bucket = account.buckets.get(c.bucketId)!;
      // (A refund into the PAYG bucket only lowers the PAYG used: it holds no credits to repay a debt with.)
      const repay = bucket.type === 'payg' ? 0 : Math.min(this.owed(account.id), c.amount, isLive(bucket, now) ? Math.max(bucket.balance, 0) : 0);
      if (repay > 0) this.repay(account, bucket, repay, 'refund');
    }
  }

  /**
   * Before a settle point applies the outcomes it read: whether the order in which they landed
   * matters for the account's buckets (a debt is open and more than one credit-like outcome landed,
   * or a refund went into a bucket that has expired since, which may or may not have paid the debt).
   */
  noteSettling(accountId: string, failedJobs: readonly ModelJob[], creditedPayments: readonly ModelPayment[], now: Date): void {
    const account = this.account(accountId);
    const reversals = creditedPayments.some((p) => p.pendingReversals.length > 0);
    if (this.owed(accountId) === 0 && !reversals) return;
    const count = failedJobs.length + creditedPayments.length;
    const expiredSince = failedJobs.some((j) => j.charges.some((c) => !isLive(account.buckets.get(c.bucketId)!, now)));
    if (count > 1 || expiredSince || reversals) account.uncertain = true;
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
    this.credit(account, { id: 'coupon', type: 'coupon' }, coupon.credits, 'now');
  }

  noteCouponFailure(accountId: string, now: Date): void {
    const window = now.toISOString().slice(0, 13);
    const failures = this.account(accountId).couponFailures;
    failures.set(window, (failures.get(window) ?? 0) + 1);
  }

  couponFailuresThisHour(accountId: string, now: Date): number {
    return this.account(accountId).couponFailures.get(now.toISOString().slice(0, 13)) ?? 0;
  }

  addPayment(payment: Omit<ModelPayment, 'refundedCredits' | 'disputedCredits' | 'dispute' | 'pendingReversals' | 'paidFor' | 'amountCents'> & Partial<Pick<ModelPayment, 'paidFor' | 'amountCents'>>): void {
    this.payments.set(payment.paymentId, { paidFor: 'topup', amountCents: payment.credits, ...payment, refundedCredits: 0, disputedCredits: 0, dispute: 'none', pendingReversals: [] });
  }

  /**
   * A payment's credits landed (once): into the top-up bucket, paying the debt first; then the
   * reversals sent while it was pending. `when`: 'now' in a step (the credit was confirmed by its
   * webhook answer), 'sync' at a settle point (noteSettling judged the order).
   */
  creditPayment(paymentId: string, when: 'now' | 'sync'): void {
    const payment = this.payments.get(paymentId)!;
    if (payment.status !== 'pending') throw new Error(`payment ${paymentId} settled twice in the model`);
    payment.status = payment.creditable ? 'credited' : 'not_credited';
    if (!payment.creditable) return;
    this.credit(this.account(payment.accountId), { id: 'topup', type: 'topup' }, payment.credits, when);
    for (const reversal of payment.pendingReversals.splice(0)) this.reverse(paymentId, reversal, 'sync');
  }

  /**
   * One reversal event of a payment, applied (the service applies each event's difference once).
   * Of a payment still pending in the model, it is kept and applied after the credit, at sync.
   * 'now': applied in a step; with anything else of the account pending, the order is unknown.
   */
  reverse(paymentId: string, reversal: PaymentReversal, when: 'now' | 'sync', now?: Date): void {
    const payment = this.payments.get(paymentId)!;
    const account = this.account(payment.accountId);
    if (payment.status === 'pending') {
      payment.pendingReversals.push(reversal);
      return;
    }
    if (payment.status !== 'credited') throw new Error(`a reversal of ${paymentId}, which was not credited`);
    if (when === 'now' && this.mayLandUnseen(account.id)) account.uncertain = true;
    const before = { ...payment };
    Object.assign(payment, nextReversalState(payment, reversal));
    const delta = takenBack(payment) - takenBack(before);
    // A top-up's credits are in the top-up bucket; a subscription payment's in the bucket it granted; a PAYG payment's were spent
    // already (taking it back reopens the usage it settled, as a debt).
    const source = payment.paidFor === 'topup' ? account.buckets.get('topup') : payment.paidFor === 'subscription' ? account.buckets.get(payment.bucketId ?? '') : undefined;
    // Once that bucket has expired, whether the expire-credits job has emptied it yet decides the split.
    const sourceLive = source !== undefined && (now === undefined || isLive(source, now));
    if (source && !sourceLive && delta !== 0) account.uncertain = true;
    if (payment.paidFor === 'subscription' && account.subscriber?.sub && account.plan !== 'FREE') account.subscriber.sub.status = standingAfter(account.subscriber.sub.status, before, payment);
    if (delta > 0) {
      const unspent = Math.min(Math.max(source?.balance ?? 0, 0), delta);
      if (source) source.balance -= unspent;
      if (delta > unspent) {
        const debt = account.buckets.get(DEBT) ?? { id: DEBT, type: 'debt', expiresAt: null, balance: 0 };
        debt.balance -= delta - unspent;
        account.buckets.set(DEBT, debt);
        if (!account.uncertain) account.debtEvents.push('arose');
      }
    }
    // A won dispute gives back into the bucket it left while that can still be spent, else into the top-up bucket.
    if (delta < 0) this.credit(account, sourceLive && source ? { id: source.id, type: source.type } : { id: 'topup', type: 'topup' }, -delta, 'sync', 'restore');
  }

  /** The reversal events of a payment so far, as the ledger must show them: minus what its state takes back. */
  takenBackTotal(accountId: string): number {
    return [...this.payments.values()].filter((p) => p.accountId === accountId && p.status === 'credited').reduce((sum, p) => sum + takenBack(p), 0);
  }

  /**
   * Credits into a bucket, paying an open debt first. 'now': in a step; if anything else of the
   * account may land concurrently while a debt is open, the order is unknown.
   */
  private credit(account: ModelAccount, target: { id: string; type: BucketType }, credits: number, when: 'now' | 'sync', kind = target.type === 'subscription' ? 'grant' : target.type): void {
    const bucket = account.buckets.get(target.id) ?? { id: target.id, type: target.type, expiresAt: null, balance: 0 };
    account.buckets.set(target.id, bucket);
    bucket.balance += credits;
    const owed = this.owed(account.id);
    if (owed > 0 && when === 'now' && this.mayLandUnseen(account.id)) account.uncertain = true;
    const repay = Math.min(owed, credits);
    if (repay > 0) this.repay(account, bucket, repay, kind);
  }

  /** `kind`: what kind of credit repaid (grant, coupon, topup, refund, restore), for the debt statistics. */
  private repay(account: ModelAccount, from: ModelBucket, credits: number, kind: string): void {
    from.balance -= credits;
    account.buckets.get(DEBT)!.balance += credits;
    if (!account.uncertain) account.debtEvents.push(`repaid by ${kind}`);
  }

  /**
   * A PAYG invoice was paid: its credits stop counting as used (back into the PAYG bucket); what of it
   * was refunded meanwhile (a failed job's refund into PAYG) lands in the top-up bucket, paying the
   * debt first (README, PAYG; lambdas/domain/payg.ts written out again).
   */
  settlePayg(accountId: string, invoiceId: string, credits: number): void {
    const account = this.account(accountId);
    const bucket = account.buckets.get(PAYG)!;
    const settled = Math.min(credits, this.paygUsed(accountId));
    bucket.balance += settled;
    account.payg!.settled.set(invoiceId, settled);
    if (credits > settled) this.credit(account, { id: 'topup', type: 'topup' }, credits - settled, 'now');
  }

  /** At a settle point, after the weak checks of an uncertain account: its buckets as stored (each bucket's sum of every non-`expire` posting). */
  rebase(accountId: string, stored: ReadonlyArray<{ id: string; type: BucketType; expiresAt: string | null; balance: number; createdAt: string }>): void {
    const account = this.account(accountId);
    account.buckets.clear();
    for (const { createdAt: _createdAt, ...b } of [...stored].sort((x, y) => (x.createdAt < y.createdAt ? -1 : x.createdAt > y.createdAt ? 1 : 0))) account.buckets.set(b.id, { ...b, seq: (this.bucketSeq += 1) });
    account.uncertain = false;
  }

  /** The sum of all the account's buckets (before expiry), the debt included: the same in every order. */
  net(accountId: string): number {
    return [...this.account(accountId).buckets.values()].reduce((sum, b) => sum + b.balance, 0);
  }

  /** The ledger's expected totals per entry type for an account (expire excepted: see the scope above). */
  ledgerTotals(accountId: string): Record<'grant' | 'coupon' | 'topup' | 'debit' | 'refund' | 'adjustment', number> {
    const account = this.account(accountId);
    const jobs = this.jobs.filter((j) => j.accountId === accountId);
    return {
      grant: [...account.grants.values()].reduce((sum, g) => sum + g.credits, 0),
      coupon: [...account.redeemed].reduce((sum, code) => sum + this.couponsByCode.get(code)!.credits, 0),
      topup: [...this.payments.values()].filter((p) => p.accountId === accountId && p.status === 'credited' && p.paidFor === 'topup').reduce((sum, p) => sum + p.credits, 0),
      debit: -jobs.reduce((sum, j) => sum + j.credits, 0),
      refund: jobs.filter((j) => isRefundedStatus(j.status)).reduce((sum, j) => sum + j.credits, 0),
      // Take-backs and restores reference the payment; debt repayments move credits between buckets (sum 0); a paid PAYG invoice gives its usage back to the PAYG bucket.
      adjustment: -this.takenBackTotal(accountId) + [...(account.payg?.settled.values() ?? [])].reduce((sum, c) => sum + c, 0),
    };
  }
}

/**
 * A subscription payment taken back leaves the subscription past due (refunded, or a dispute open
 * or lost); a dispute won after it was open puts it back in good standing (lambdas/use-cases/
 * reverse-payment.ts, written out again).
 */
function standingAfter(status: 'active' | 'past_due', before: Pick<ModelPayment, 'dispute'>, after: ModelPayment): 'active' | 'past_due' {
  if (takenBack(after) > 0 || after.refundedCredits > 0 || after.dispute === 'open' || after.dispute === 'lost') return 'past_due';
  return before.dispute === 'open' ? 'active' : status;
}

function compareExpiry(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
