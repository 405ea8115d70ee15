/**
 * Subscriber accounts (`sim-sub-a`, `sim-sub-b`): opened FREE, moved between plans only through the
 * real API (`POST /v1/subscription`, `DELETE /v1/subscription`), with the saved card switched by
 * `PUT /_local/card` and client secrets confirmed with the payment simulator's `confirm` (standing
 * in for Stripe.js). Each action is a short sequence of plan requests on one subscriber, in any
 * order: subscribe, upgrade, downgrade, the same plan again (undoing a pending downgrade), an
 * upgrade again within the period, a declined or unconfirmed upgrade (the plan and its credits
 * stay), an unpaid first subscription (then paid, replaced by another plan, abandoned, or left to
 * expire), a cancellation. Renewals come from clock jumps (World.jumpClock drives the simulator's
 * billing clock; `renewals` below follows). Every payment the simulator charges is recorded in the
 * model, so the generic `reverse` action refunds and disputes subscription and upgrade payments too.
 *
 * What the model predicts, from the README's rules written out again (never from the service's code):
 * - each answer: `effective` (now, at_renewal, when_paid), the status, the client secret, the message;
 * - each grant: a paid period's plan credits into `sub:<periodStart>` (a renewal: the pending
 *   downgrade's plan), a paid upgrade's prorated difference into `sub:<periodStart>:upgrade:<invoice>`,
 *   computed from the amount the simulator charged (min of the time left's share of the monthly
 *   difference and what the money buys at the plans' rate); nothing on a downgrade, a decline, an
 *   unconfirmed invoice; a FREE month when a cancelled subscription ends;
 * - the plan in force, the pending downgrade, the standing (past_due after a subscription payment
 *   is taken back), the period and the cancellation, checked on GET /v1/billing at settle points.
 * What it reads rather than predicts: the instants the simulator stamped (a subscription's start,
 * to the second; the FREE anchor a subscription's end sets) and the invoices' ids and amounts.
 *
 * Also checked here, independently of the model's grants: per subscriber and period, the credits the
 * ledger granted never exceed what that period's paid invoices bought (the simulator's charges).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Action } from './actions';
import type { Invariants } from './invariants';
import type { ModelAccount, ModelSubscription, PaidPlan, SubscriberState } from './model';
import { PLAN_SPEC, addMonths } from './model';
import type { World } from './world';

export const SUBSCRIBERS = ['sim-sub-a', 'sim-sub-b'] as const;
const PAID_PLANS: readonly PaidPlan[] = ['BEGINNER', 'PRO', 'TEAM'];
type Card = 'succeed' | 'decline' | 'require_action';
const SECRET_SUFFIX = '_secret_sim';

type Op =
  | { readonly kind: 'plan'; readonly plan: PaidPlan; readonly card: Card }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'confirm'; readonly card: Card }
  /** A clock jump just past the end of the subscriber's paid period (a renewal), or by a day while FREE (unpaid subscriptions expire after 23 h). */
  | { readonly kind: 'renew'; readonly seconds: number };

interface StoredInvoice {
  readonly id: string;
  readonly kind: string;
  readonly credits: number;
  readonly amountCents: number;
  readonly status: string;
  readonly paymentId: string | null;
  readonly periodStart: string;
  readonly periodEnd: string;
}

/** An invoice the model expects to appear after an operation. */
type ExpectedInvoice = { readonly kind: 'period'; readonly plan: PaidPlan; readonly periodStart: string; readonly periodEnd: string } | { readonly kind: 'upgrade'; readonly from: PaidPlan; readonly to: PaidPlan; readonly coveredFrom: Date; readonly invoiceId?: string };

/** The upgrade's credits (README: "Upgrades grant the prorated difference", bounded by what the invoice paid at the plans' own rate). */
export function upgradeCredits(from: PaidPlan, to: PaidPlan, coveredFrom: Date, period: { start: Date; end: Date }, amountPaidCents: number): number {
  const creditsDiff = PLAN_SPEC[to].monthlyCredits - PLAN_SPEC[from].monthlyCredits;
  const priceDiff = PLAN_SPEC[to].priceCents - PLAN_SPEC[from].priceCents;
  const length = period.end.getTime() - period.start.getTime();
  if (creditsDiff <= 0 || priceDiff <= 0 || length <= 0) return 0;
  const covered = Math.min(Math.max(period.end.getTime() - coveredFrom.getTime(), 0), length);
  return Math.max(0, Math.min(Math.floor((creditsDiff * covered) / length), Math.floor((amountPaidCents * creditsDiff) / priceDiff)));
}

const planOfPrice = (cents: number): PaidPlan | null => PAID_PLANS.find((p) => PLAN_SPEC[p].priceCents === cents) ?? null;
const rank = (plan: string) => PLAN_SPEC[plan as PaidPlan].monthlyCredits;
const minuteOf = (at: Date) => new Date(Math.floor(at.getTime() / 60_000) * 60_000);
const upgradeKey = (from: PaidPlan, to: PaidPlan, minute: Date) => `${from}>${to}@${minute.toISOString()}`;

export class SubscriptionActions {
  private ops = 0;

  constructor(
    private readonly w: World,
    private readonly invariants: Invariants,
  ) {
    w.onClockMoved = (now) => this.renewals(now);
  }

  private get model() {
    return this.w.model;
  }

  private state(accountId: string): SubscriberState {
    const state = this.model.account(accountId).subscriber;
    if (!state) throw new Error(`${accountId} is not a subscriber`);
    return state;
  }

  private count(what: string): void {
    const requests = this.w.stats.subscriptions.requests;
    requests[what] = (requests[what] ?? 0) + 1;
  }

  /** After the account is opened FREE: the model follows its subscriptions from now on. */
  setup(accountId: string): void {
    this.model.account(accountId).subscriber = { sub: null, incomplete: null, upgrades: new Map(), invoices: new Set() };
  }

  /** The end of the subscriber's paid period (for period-end clock jumps), or null while FREE. */
  periodEnd(accountId: string): Date | null {
    const sub = this.model.account(accountId).subscriber?.sub;
    return sub ? addMonths(sub.anchor, sub.index + 1) : null;
  }

  choose(): Action {
    const { rng } = this.w;
    const accountId = rng.pick(SUBSCRIBERS);
    const length = rng.weighted([
      [1, 4],
      [2, 3],
      [3, 3],
    ] as const);
    const ops: Op[] = [];
    for (let i = 0; i < length; i += 1) {
      const kind = rng.weighted([
        ['plan', 70],
        ['confirm', 12],
        ['cancel', 6],
        ['renew', 12],
      ] as const);
      const card = rng.weighted<Card>([
        ['succeed', 70],
        ['decline', 20],
        ['require_action', 10],
      ]);
      if (kind === 'plan') ops.push({ kind, plan: rng.pick(PAID_PLANS), card });
      else if (kind === 'confirm') ops.push({ kind, card: rng.chance(0.8) ? 'succeed' : card });
      else if (kind === 'renew') ops.push({ kind, seconds: rng.int(60, 2 * 86400) });
      else ops.push({ kind });
    }
    const describeOp = (op: Op) =>
      op.kind === 'plan' ? `${op.plan}${op.card === 'succeed' ? '' : ` (card ${op.card})`}` : op.kind === 'confirm' ? `confirm (card ${op.card})` : op.kind === 'renew' ? `renew (+${op.seconds}s past the period end)` : 'cancel';
    return {
      name: 'subscription',
      detail: `${accountId} (${this.model.account(accountId).plan}): ${ops.map(describeOp).join(' → ')}`,
      run: async () => {
        try {
          for (const op of ops) {
            await this.runOp(accountId, op);
            if (this.w.problems.length > 0) return;
          }
        } finally {
          // Other actions (top-ups) pay with the same card: it always works between subscription actions.
          await this.setCard(accountId, 'succeed');
        }
        for (const problem of await this.checkGrantsPaid(accountId)) this.w.problem(`${accountId}: ${problem}`);
      },
    };
  }

  private card = new Map<string, Card>();

  private async setCard(accountId: string, behaviour: Card): Promise<void> {
    if ((this.card.get(accountId) ?? 'succeed') === behaviour) return;
    const answer = await this.w.callUntilAnswered(`card:${accountId}:${behaviour}`, 'PUT', '/_local/card', { as: accountId, body: { behaviour } });
    if (answer.last.status !== 200) this.w.problem(`PUT /_local/card ${behaviour} for ${accountId} answered ${answer.last.status} ${JSON.stringify(answer.last.body)}`);
    this.card.set(accountId, behaviour);
  }

  private async runOp(accountId: string, op: Op): Promise<void> {
    this.ops += 1;
    if (op.kind === 'cancel') return this.cancel(accountId);
    if (op.kind === 'confirm') return this.confirm(accountId, op.card);
    if (op.kind === 'renew') {
      const before = this.w.now();
      const end = this.periodEnd(accountId);
      const seconds = end ? (end.getTime() - before.getTime()) / 1000 + op.seconds : 86400 + op.seconds;
      const after = await this.w.jumpClock(seconds);
      this.w.stats.clockJumps += 1;
      this.w.note(`  ${before.toISOString()} → ${after.toISOString()}`);
      return;
    }
    return this.request(accountId, op.plan, op.card);
  }

  // --- POST /v1/subscription -------------------------------------------------------------------------

  private async request(accountId: string, plan: PaidPlan, card: Card): Promise<void> {
    const w = this.w;
    const account = this.model.account(accountId);
    const state = this.state(accountId);
    await this.setCard(accountId, card);
    // An upgrade is prorated as of the request's minute: stay clear of a minute's end, so that the model and the service agree on it.
    if (w.now().getUTCSeconds() >= 45) await w.jumpClock(20);
    const before = w.now();
    const sub = state.sub;
    const where = `${accountId} ${account.plan}${sub?.pendingPlan ? ` (→ ${sub.pendingPlan} at renewal)` : ''} asks for ${plan} (card ${card})`;
    const answer = await w.callUntilAnswered(`subscription:${accountId}:${plan}`, 'POST', '/v1/subscription', { as: accountId, body: { plan } });
    await w.t.payments.settle();
    const body = answer.last.body as { plan?: string; subscriptionId?: string; status?: string; clientSecret?: string | null; effective?: string; message?: string | null };
    w.note(`  ${where}: ${answer.all.map((a) => `${a.status}${a.faults.length ? `[${a.faults.join(',')}]` : ''}`).join('→')} ${JSON.stringify(body)}`);
    if (answer.last.status !== 200 || body.plan !== plan) return w.problem(`${where}: answered ${answer.last.status} ${JSON.stringify(body)}`);
    const expect = (condition: boolean, what: string) => {
      if (!condition) w.problem(`${where}: answered ${JSON.stringify(body)}; the model expects ${what}`);
    };

    if (!sub) return this.subscribeFromFree(accountId, plan, card, before, body, expect);

    const from = account.plan as PaidPlan;
    if (plan === from) {
      this.count(sub.pendingPlan ? 'restore' : 'same-plan');
      // Undoing a pending downgrade swaps the price back: the provider reports the subscription (in good standing) again.
      expect(body.effective === 'now' && body.clientSecret === null && body.message === null && body.status === (sub.pendingPlan ? 'active' : sub.status), `effective now, status ${sub.pendingPlan ? 'active' : sub.status}`);
      if (sub.pendingPlan) sub.status = 'active';
      sub.pendingPlan = null;
      return this.expectInvoices(accountId, []);
    }
    if (rank(plan) < rank(from)) {
      this.count('downgrade');
      expect(body.effective === 'at_renewal' && body.clientSecret === null && body.message === null && body.status === 'active', 'effective at_renewal, nothing to pay');
      sub.pendingPlan = plan;
      sub.status = 'active';
      return this.expectInvoices(accountId, []);
    }
    // An upgrade: a pending downgrade is undone first, then the prorated difference is invoiced now.
    if (sub.pendingPlan) sub.status = 'active';
    sub.pendingPlan = null;
    const minute = minuteOf(before);
    const key = upgradeKey(from, plan, minute);
    const replay = state.upgrades.get(key);
    if (replay) {
      // The same change within the same minute replays the same invoice: nothing new is charged.
      this.count(replay.paid ? 'upgrade-replayed' : 'upgrade-replayed-unpaid');
      expect(replay.paid ? body.effective === 'now' && body.clientSecret === null : body.effective === 'when_paid' && body.clientSecret === replay.clientSecret, replay.paid ? 'effective now' : `when_paid with the same client secret ${replay.clientSecret}`);
      return this.expectInvoices(accountId, []);
    }
    if (card !== 'succeed') {
      this.count('upgrade-declined');
      expect(body.effective === 'when_paid' && typeof body.clientSecret === 'string' && body.clientSecret.endsWith(SECRET_SUFFIX) && (body.message ?? '').includes(`stays ${from}`), `when_paid with a client secret, and a message saying the plan stays ${from}`);
      const clientSecret = body.clientSecret ?? '';
      state.upgrades.set(key, { invoiceId: clientSecret.slice(0, -SECRET_SUFFIX.length), clientSecret, paid: false, from, to: plan, periodIndex: sub.index });
      return this.expectInvoices(accountId, []);
    }
    this.count('upgrade');
    expect(body.effective === 'now' && body.clientSecret === null && body.message === null && body.status === 'active', 'effective now, paid');
    state.upgrades.set(key, { invoiceId: '', clientSecret: null, paid: true, from, to: plan, periodIndex: sub.index });
    await this.expectInvoices(accountId, [{ kind: 'upgrade', from, to: plan, coveredFrom: minute }]);
  }

  private async subscribeFromFree(accountId: string, plan: PaidPlan, card: Card, before: Date, body: { subscriptionId?: string; status?: string; clientSecret?: string | null; effective?: string; message?: string | null }, expect: (condition: boolean, what: string) => void): Promise<void> {
    const state = this.state(accountId);
    const open = state.incomplete && !state.incomplete.expired && !state.incomplete.abandoned ? state.incomplete : null;
    if (open && open.plan === plan) {
      // The same unpaid subscription again: its client secret, nothing charged (the app confirms it).
      this.count('subscribe-unpaid-again');
      expect(body.subscriptionId === open.id && body.status === 'incomplete' && body.clientSecret === open.clientSecret && body.effective === 'when_paid', `the same incomplete subscription ${open.id} with its client secret`);
      return this.expectInvoices(accountId, []);
    }
    // Another plan while one is unpaid: that one is abandoned (its late events ignored), a new one created.
    const previous = state.incomplete?.id ?? null;
    if (open) open.abandoned = true;
    const id = body.subscriptionId ?? '';
    if (card !== 'succeed') {
      this.count(open ? 'subscribe-replacing-unpaid-declined' : 'subscribe-declined');
      expect(body.status === 'incomplete' && body.clientSecret === `${id}${SECRET_SUFFIX}` && body.effective === 'when_paid' && (body.message ?? '').includes('not paid'), 'incomplete, when_paid, with a client secret and a message saying the first invoice is not paid');
      state.incomplete = { id, plan, clientSecret: body.clientSecret ?? '', createdAt: before, expired: false, abandoned: false };
      return this.expectInvoices(accountId, []);
    }
    this.count(open ? 'subscribe-replacing-unpaid' : previous ? 'subscribe-after-unpaid' : 'subscribe');
    expect(body.status === 'active' && body.clientSecret === null && body.effective === 'now' && body.message === null, 'active, effective now');
    state.incomplete = null;
    await this.startSubscription(accountId, id, plan, before);
  }

  /** A first invoice was paid: the subscription is in force from the period the simulator started (read, to the second). */
  private async startSubscription(accountId: string, id: string, plan: PaidPlan, createdAround: Date): Promise<void> {
    const w = this.w;
    const stored = await w.store.loadAccount(accountId);
    const start = stored ? new Date(stored.currentPeriod.start) : new Date(0);
    const account = this.model.account(accountId);
    // The simulator stamps the subscription when it creates it (to the second in its events).
    if (!stored || Math.abs(start.getTime() - Math.floor(createdAround.getTime() / 1000) * 1000) > 5_000 || stored.currentPeriod.end !== addMonths(start, 1).toISOString()) {
      w.problem(`${accountId}: subscription ${id} created around ${createdAround.toISOString()}, the account's period is ${JSON.stringify(stored?.currentPeriod)}`);
      return;
    }
    const sub: ModelSubscription = { id, anchor: start, index: 0, pendingPlan: null, cancelAtPeriodEnd: false, status: 'active' };
    account.subscriber!.sub = sub;
    account.plan = plan;
    await this.expectInvoices(accountId, [{ kind: 'period', plan, periodStart: start.toISOString(), periodEnd: addMonths(start, 1).toISOString() }]);
  }

  // --- confirm, cancel -------------------------------------------------------------------------------

  /** The app confirms an open client secret (an unpaid first invoice, or a declined upgrade's of this period) on the card as it is now. */
  private async confirm(accountId: string, card: Card): Promise<void> {
    const w = this.w;
    const state = this.state(accountId);
    const account = this.model.account(accountId);
    const incomplete = state.incomplete && !state.incomplete.abandoned && state.incomplete.clientSecret ? state.incomplete : null;
    const upgrade = state.sub ? [...state.upgrades.values()].find((u) => !u.paid && u.periodIndex === state.sub!.index) : undefined;
    if (!incomplete && !upgrade) {
      w.note('  confirm: nothing open');
      return;
    }
    await this.setCard(accountId, card);
    const secret = incomplete ? incomplete.clientSecret : upgrade!.clientSecret!;
    // Paid only on a working card, and only while it can still be: an unpaid subscription not expired, an upgrade from the plan the provider bills now.
    const payable = card === 'succeed' && (incomplete ? !incomplete.expired : (state.sub?.pendingPlan ?? account.plan) === upgrade!.from);
    const paid = w.t.payments.confirm(secret);
    await w.t.payments.settle();
    w.note(`  confirm ${secret} (card ${card}): ${paid ? 'paid' : 'not paid'}`);
    this.count(`confirm-${incomplete ? 'subscription' : 'upgrade'}-${paid ? 'paid' : 'refused'}`);
    if (paid !== payable) return w.problem(`${accountId}: confirming ${secret} on a ${card} card ${paid ? 'paid' : 'did not pay'}; the model says ${payable ? 'payable' : 'not payable'}`);
    if (!paid) return this.expectInvoices(accountId, []);
    if (incomplete) {
      state.incomplete = null;
      return this.startSubscription(accountId, incomplete.id, incomplete.plan, incomplete.createdAt);
    }
    upgrade!.paid = true;
    const minute = [...state.upgrades.entries()].find(([, u]) => u === upgrade)![0].split('@')[1]!;
    await this.expectInvoices(accountId, [{ kind: 'upgrade', from: upgrade!.from, to: upgrade!.to, coveredFrom: new Date(minute), invoiceId: upgrade!.invoiceId }]);
  }

  private async cancel(accountId: string): Promise<void> {
    const w = this.w;
    const state = this.state(accountId);
    const sub = state.sub;
    const before = w.now();
    const answer = await w.callUntilAnswered(`subscription:${accountId}:cancel`, 'DELETE', '/v1/subscription', { as: accountId });
    await w.t.payments.settle();
    const body = answer.last.body as { cancelAtPeriodEnd?: boolean; endsAt?: string; error?: { code?: string } };
    w.note(`  cancel ${accountId}: ${answer.all.map((a) => `${a.status}${a.faults.length ? `[${a.faults.join(',')}]` : ''}`).join('→')} ${JSON.stringify(body)}`);
    if (sub) {
      this.count('cancel');
      const endsAt = addMonths(sub.anchor, sub.index + 1).toISOString();
      if (answer.last.status !== 200 || body.cancelAtPeriodEnd !== true || body.endsAt !== endsAt) w.problem(`${accountId}: cancelling answered ${answer.last.status} ${JSON.stringify(body)}; the model expects the end of the period, ${endsAt}`);
      sub.cancelAtPeriodEnd = true;
      // The provider reports the subscription again (in good standing) when the cancellation is new.
      sub.status = 'active';
      return this.expectInvoices(accountId, []);
    }
    if (!state.incomplete) {
      this.count('cancel-nothing');
      if (answer.last.status !== 409 || body.error?.code !== 'no_subscription') w.problem(`${accountId}: cancelling with no subscription answered ${answer.last.status} ${JSON.stringify(body)}; the model expects 409 no_subscription`);
      return;
    }
    // An unpaid (or expired, or replayed) subscription is abandoned at once.
    this.count('cancel-unpaid');
    if (answer.last.status !== 200 || body.cancelAtPeriodEnd !== true || !body.endsAt || Math.abs(Date.parse(body.endsAt) - before.getTime()) > 60_000) w.problem(`${accountId}: abandoning the unpaid subscription answered ${answer.last.status} ${JSON.stringify(body)}; the model expects it to end now`);
    state.incomplete.abandoned = true;
    return this.expectInvoices(accountId, []);
  }

  // --- renewals ----------------------------------------------------------------------------------------

  /** After a clock jump: unpaid subscriptions expire (23 h), paid periods that ended renew (the pending downgrade applies) or end (cancelled). */
  private async renewals(now: Date): Promise<void> {
    for (const accountId of SUBSCRIBERS) {
      const account = this.model.accounts.get(accountId);
      const state = account?.subscriber;
      if (!account || !state) continue;
      if (state.incomplete && !state.incomplete.expired && state.incomplete.createdAt.getTime() + 23 * 3600_000 <= now.getTime()) state.incomplete.expired = true;
      const expected: ExpectedInvoice[] = [];
      let ended = false;
      while (state.sub && addMonths(state.sub.anchor, state.sub.index + 1).getTime() <= now.getTime()) {
        const sub: ModelSubscription = state.sub;
        if (sub.cancelAtPeriodEnd) {
          ended = true;
          break;
        }
        sub.index += 1;
        account.plan = sub.pendingPlan ?? account.plan;
        sub.pendingPlan = null;
        sub.status = 'active';
        this.w.stats.subscriptions.renewals += 1;
        expected.push({ kind: 'period', plan: account.plan as PaidPlan, periodStart: addMonths(sub.anchor, sub.index).toISOString(), periodEnd: addMonths(sub.anchor, sub.index + 1).toISOString() });
      }
      if (expected.length > 0) this.w.note(`  ${accountId} renewed ${expected.length} period(s): ${account.plan}`);
      await this.expectInvoices(accountId, expected);
      if (ended) await this.endSubscription(account);
    }
  }

  /** A cancelled subscription reached its end: FREE again, with a FREE month from the instant the service applied the end (read). */
  private async endSubscription(account: ModelAccount): Promise<void> {
    const stored = await this.w.store.loadAccount(account.id);
    this.w.stats.subscriptions.ended += 1;
    account.subscriber!.sub = null;
    account.subscriber!.incomplete = null;
    if (!stored || stored.plan !== 'FREE') {
      this.w.problem(`${account.id}: the cancelled subscription's period ended, the account is ${stored?.plan} (want FREE)`);
      return;
    }
    this.w.note(`  ${account.id}: subscription ended; FREE from ${stored.periodAnchor}`);
    this.model.startFreePeriods(account.id, new Date(stored.periodAnchor));
  }

  // --- invoices, grants, payments ---------------------------------------------------------------------

  private async storedInvoices(accountId: string): Promise<StoredInvoice[]> {
    const { db, tableName } = this.w.t.table;
    const found: StoredInvoice[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await db.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':p': 'INVOICE#' }, ConsistentRead: true, ExclusiveStartKey: startKey }));
      found.push(...((page.Items ?? []) as StoredInvoice[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found.filter((i) => i.kind === 'subscription');
  }

  /**
   * The invoices an operation must have added (and no other), each applied to the model: its grant
   * (what the model computes it bought) and its payment (refundable, disputable).
   */
  private async expectInvoices(accountId: string, expected: readonly ExpectedInvoice[]): Promise<void> {
    const w = this.w;
    const state = this.state(accountId);
    const account = this.model.account(accountId);
    const fresh = (await this.storedInvoices(accountId)).filter((i) => !state.invoices.has(i.id));
    const problem = (message: string) => w.problem(`${accountId}: ${message}`);
    for (const want of expected) {
      const index = fresh.findIndex((i) => (want.kind === 'period' ? i.periodStart === want.periodStart : want.invoiceId ? i.id === want.invoiceId : i.periodStart === want.coveredFrom.toISOString()));
      if (index < 0) {
        problem(`no paid invoice for ${JSON.stringify(want)}; new invoices: ${JSON.stringify(fresh)}`);
        continue;
      }
      const [invoice] = fresh.splice(index, 1) as [StoredInvoice];
      state.invoices.add(invoice.id);
      const charged = invoice.paymentId ? w.t.payments.paymentAmountCents(invoice.paymentId) : 0;
      if (invoice.status !== 'paid' || charged !== invoice.amountCents) problem(`invoice ${invoice.id} is ${invoice.status} for ${invoice.amountCents} cents, the simulator charged ${charged} (payment ${invoice.paymentId})`);
      const sub = state.sub!;
      const period = { start: addMonths(sub.anchor, sub.index), end: addMonths(sub.anchor, sub.index + 1) };
      if (want.kind === 'period') {
        if (invoice.amountCents !== PLAN_SPEC[want.plan].priceCents || invoice.periodEnd !== want.periodEnd) problem(`period invoice ${invoice.id} charged ${invoice.amountCents} cents until ${invoice.periodEnd}; ${want.plan} costs ${PLAN_SPEC[want.plan].priceCents}, the period ends ${want.periodEnd}`);
        this.grantPaid(account, invoice, { reference: `period:${want.periodStart}`, kind: 'period', bucketId: `sub:${want.periodStart}`, periodStart: want.periodStart, credits: PLAN_SPEC[want.plan].monthlyCredits }, new Date(want.periodEnd));
        continue;
      }
      // An upgrade: the prorated difference from the change's minute to the period's end, bounded by what the charged amount buys.
      const f = (period.end.getTime() - want.coveredFrom.getTime()) / (period.end.getTime() - period.start.getTime());
      const prorated = Math.max(Math.round(PLAN_SPEC[want.to].priceCents * f) - Math.round(PLAN_SPEC[want.from].priceCents * f), 0);
      if (Math.abs(invoice.amountCents - prorated) > 1 || invoice.periodEnd !== period.end.toISOString()) problem(`upgrade invoice ${invoice.id} ${want.from}→${want.to} from ${want.coveredFrom.toISOString()} charged ${invoice.amountCents} cents until ${invoice.periodEnd}; prorated over ${period.start.toISOString()}–${period.end.toISOString()} it is ${prorated}`);
      const credits = upgradeCredits(want.from, want.to, want.coveredFrom, period, invoice.amountCents);
      const upgrade = [...state.upgrades.values()].find((u) => u.invoiceId === invoice.id || (u.invoiceId === '' && u.paid && u.from === want.from && u.to === want.to));
      if (upgrade) upgrade.invoiceId = invoice.id;
      account.plan = want.to;
      sub.pendingPlan = null;
      sub.status = 'active';
      const start = period.start.toISOString();
      this.grantPaid(account, invoice, { reference: `upgrade:${want.to}:${invoice.id}`, kind: 'upgrade', bucketId: `sub:${start}:upgrade:${invoice.id}`, periodStart: start, credits }, period.end, { from: want.from, to: want.to });
    }
    for (const invoice of fresh) {
      state.invoices.add(invoice.id);
      problem(`an invoice the model did not expect: ${JSON.stringify(invoice)}`);
    }
  }

  private grantPaid(account: ModelAccount, invoice: StoredInvoice, grant: Parameters<World['model']['grantCredits']>[1], end: Date, upgrade?: { from: PaidPlan; to: PaidPlan }): void {
    const w = this.w;
    if (invoice.credits !== grant.credits) w.problem(`${account.id}: invoice ${invoice.id} says it bought ${invoice.credits} credits, the model ${grant.credits}`);
    this.model.grantCredits(account.id, grant, end, 'now');
    if (grant.credits > 0) {
      w.stats.subscriptions.grants[grant.kind] = (w.stats.subscriptions.grants[grant.kind] ?? 0) + 1;
      w.stats.subscriptions.grantedCredits += grant.credits;
    }
    if (invoice.paymentId) {
      this.model.addPayment({
        paymentId: invoice.paymentId,
        accountId: account.id,
        credits: grant.credits,
        amountCents: invoice.amountCents,
        source: 'simulator',
        paidFor: 'subscription',
        creditable: true,
        status: 'credited',
        ...(grant.credits > 0 ? { bucketId: grant.bucketId } : {}),
        invoiceId: invoice.id,
        periodStart: grant.periodStart,
        ...(upgrade ? { upgrade } : {}),
      });
    }
  }

  // --- checks ------------------------------------------------------------------------------------------

  /**
   * Per subscriber and period: the credits the ledger granted never exceed what that period's paid
   * invoices bought, at the plans' prices (a period's invoice buys the plan whose price the simulator
   * charged; an upgrade's, the difference's share its amount pays for), plus a FREE month's 100 when
   * the period is one of the account's FREE periods. Grants are grouped by their bucket's period.
   */
  async checkGrantsPaid(accountId: string): Promise<string[]> {
    const problems: string[] = [];
    const account = this.model.account(accountId);
    const { entries } = await this.invariants.snapshot(accountId);
    const granted = new Map<string, number>();
    for (const e of entries) {
      if (e.type !== 'grant') continue;
      const match = /^sub:(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)(?::upgrade:(.+))?$/.exec(e.bucketId);
      if (!match) {
        problems.push(`a grant into ${e.bucketId}, which names no period`);
        continue;
      }
      granted.set(match[1]!, (granted.get(match[1]!) ?? 0) + e.amount);
    }
    const bought = new Map<string, number>();
    const upgrades = new Map([...this.model.payments.values()].filter((p) => p.accountId === accountId && p.upgrade).map((p) => [p.invoiceId!, p.upgrade!]));
    for (const invoice of await this.storedInvoices(accountId)) {
      const charged = invoice.paymentId ? (this.w.t.payments.paymentAmountCents(invoice.paymentId) ?? 0) : 0;
      const upgrade = upgrades.get(invoice.id) ?? [...(account.subscriber?.upgrades.values() ?? [])].find((u) => u.invoiceId === invoice.id);
      const bucket = entries.find((e) => e.type === 'grant' && e.bucketId.endsWith(`:upgrade:${invoice.id}`))?.bucketId;
      const period = upgrade ? (bucket ? /^sub:([^]*?Z):upgrade:/.exec(bucket)?.[1] : undefined) : invoice.periodStart;
      if (!period) continue;
      const credits = upgrade
        ? Math.floor((charged * (PLAN_SPEC[upgrade.to].monthlyCredits - PLAN_SPEC[upgrade.from].monthlyCredits)) / (PLAN_SPEC[upgrade.to].priceCents - PLAN_SPEC[upgrade.from].priceCents))
        : PLAN_SPEC[planOfPrice(charged) ?? 'FREE'].monthlyCredits * (planOfPrice(charged) ? 1 : 0);
      bought.set(period, (bought.get(period) ?? 0) + credits);
    }
    for (const [period, credits] of granted) {
      const free = account.grants.get(`period:${period}`)?.kind === 'free' ? PLAN_SPEC.FREE.monthlyCredits : 0;
      const paid = bought.get(period) ?? 0;
      if (credits > paid + free) problems.push(`period ${period}: ${credits} credits granted, its paid invoices bought ${paid}${free ? ` (and it is a FREE month: ${free})` : ''}`);
    }
    return problems;
  }

  /** At a settle point: what GET /v1/billing shows of each subscriber's plan, standing, period and cancellation is the model's. */
  async checkBilling(): Promise<string[]> {
    const problems: string[] = [];
    for (const accountId of SUBSCRIBERS) {
      const account = this.model.account(accountId);
      const sub = account.subscriber?.sub ?? null;
      const billing = await this.w.call(`check-billing:${accountId}`, 'GET', '/v1/billing', { as: accountId });
      const body = billing.body as { plan?: { id?: string }; status?: string; renewsAt?: string; cancelAtPeriodEnd?: boolean };
      const want = { plan: account.plan, status: sub?.status ?? 'active', cancelAtPeriodEnd: sub?.cancelAtPeriodEnd ?? false, ...(sub ? { renewsAt: addMonths(sub.anchor, sub.index + 1).toISOString() } : {}) };
      const got = { plan: body.plan?.id, status: body.status, cancelAtPeriodEnd: body.cancelAtPeriodEnd, ...(sub ? { renewsAt: body.renewsAt } : {}) };
      if (billing.status !== 200 || JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${accountId}: GET /v1/billing shows ${JSON.stringify(got)}, the model ${JSON.stringify(want)}`);
      problems.push(...(await this.checkGrantsPaid(accountId)).map((p) => `${accountId}: ${p}`));
    }
    return problems;
  }
}
