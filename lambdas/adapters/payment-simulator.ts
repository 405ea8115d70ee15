/**
 * The local payment simulator: stands in for Stripe when no STRIPE_SECRET_KEY is configured. It
 * answers API calls the way Stripe does (idempotent on our keys) and reports outcomes the way Stripe
 * does: as signed webhook events sent through the real webhook handler, retried while that handler
 * answers with an error. Every customer has a test card whose behaviour tests can change.
 */
import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import { periodStartAt } from '../domain/billing-period';
import { PLANS } from '../domain/catalog';
import type { CreatePaymentInput, PaymentCreated, PaymentGateway, SavedCard, SubscriptionChange, SubscriptionResult, SubscriptionState } from '../domain/payment-gateway';
import type { PaidPlanId } from '../domain/subscription';

export type CardBehaviour = 'succeed' | 'decline' | 'require_action';

/** Delivers a raw webhook body with its Stripe-Signature header; resolves with the HTTP status. */
export type WebhookDelivery = (rawBody: string, signature: string) => Promise<number>;

const MAX_DELIVERY_ATTEMPTS = 8;

export class PaymentSimulator implements PaymentGateway {
  private deliver: WebhookDelivery | null = null;
  private readonly cards = new Map<string, CardBehaviour>();
  private readonly payments = new Map<string, { input: CreatePaymentInput; status: PaymentCreated['status'] }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly subscriptions = new Map<string, SimulatedSubscription>();
  private readonly invoices = new Set<string>();
  /** Every successful charge (top-ups and paid invoices), by payment id: what refunds and disputes act on. */
  private readonly charges = new Map<string, { amountCents: number }>();
  /** Paid invoices' payments, by invoice id. */
  private readonly invoicePayments = new Map<string, string>();
  /** Plan changes answered, by idempotency key (replayed like Stripe). */
  private readonly changes = new Map<string, { subscriptionId: string; pending: PendingUpgrade | null }>();
  private eventCounter = 0;

  constructor(
    private readonly webhookSecret: string,
    private readonly now: () => Date,
    private readonly retryDelayMs = 50,
  ) {}

  /** Connects the webhook endpoint (the real handler, through the local gateway). */
  connect(deliver: WebhookDelivery): void {
    this.deliver = deliver;
  }

  setCardBehaviour(customerId: string, behaviour: CardBehaviour): void {
    this.cards.set(customerId, behaviour);
  }

  private cardOf(customerId: string): CardBehaviour {
    return this.cards.get(customerId) ?? 'succeed';
  }

  async ensureCustomer(accountId: string): Promise<string> {
    return `cus_sim_${digest(accountId).slice(0, 20)}`;
  }

  async savedCard(customerId: string): Promise<SavedCard | null> {
    return { paymentMethodId: `pm_sim_${digest(customerId).slice(0, 20)}`, brand: 'visa', last4: '4242' };
  }

  async createPayment(input: CreatePaymentInput): Promise<PaymentCreated> {
    const paymentId = `pi_sim_${digest(input.idempotencyKey).slice(0, 24)}`;
    const known = this.payments.get(paymentId);
    if (known) return { paymentId, status: known.status, clientSecret: `${paymentId}_secret_sim` };
    const behaviour = this.cards.get(input.customerId) ?? 'succeed';
    const offSession = input.offSessionPaymentMethodId !== undefined;
    if (behaviour === 'require_action' && offSession) {
      this.payments.set(paymentId, { input, status: 'requires_action' });
      return { paymentId, status: 'requires_action', clientSecret: null, declineCode: 'authentication_required' };
    }
    if (behaviour === 'decline') {
      this.payments.set(paymentId, { input, status: 'failed' });
      this.send('payment_intent.payment_failed', { ...this.paymentIntent(paymentId, input, 'requires_payment_method'), last_payment_error: { code: 'card_declined', decline_code: 'generic_decline' } });
      return { paymentId, status: 'failed', clientSecret: null, ...(offSession ? { declineCode: 'card_declined' as const } : {}) };
    }
    // The customer "pays" at once (on-session this stands in for Stripe.js confirming the payment).
    this.payments.set(paymentId, { input, status: 'succeeded' });
    this.charges.set(paymentId, { amountCents: input.amountCents });
    this.send('payment_intent.succeeded', this.paymentIntent(paymentId, input, 'succeeded'));
    return { paymentId, status: 'processing', clientSecret: offSession ? null : `${paymentId}_secret_sim` };
  }

  /** Refunds part or all of a payment, as the Stripe dashboard would; reported as charge.refunded. */
  refund(paymentId: string, amountRefundedCents: number): void {
    const payment = this.requirePayment(paymentId);
    this.send('charge.refunded', { id: `ch_sim_${digest(paymentId).slice(0, 20)}`, object: 'charge', payment_intent: paymentId, amount: payment.amountCents, amount_refunded: amountRefundedCents, refunded: amountRefundedCents >= payment.amountCents });
  }

  /** The amount of a payment the simulator made (a top-up or a paid invoice); null if it made none. */
  paymentAmountCents(paymentId: string): number | null {
    return this.charges.get(paymentId)?.amountCents ?? null;
  }

  /** Opens (or closes) a dispute on a payment; reported as charge.dispute.created / .closed. */
  dispute(paymentId: string, outcome: 'open' | 'won' | 'lost'): void {
    const payment = this.requirePayment(paymentId);
    const dispute = { id: `dp_sim_${digest(paymentId).slice(0, 20)}`, object: 'dispute', payment_intent: paymentId, amount: payment.amountCents, status: outcome === 'open' ? 'needs_response' : outcome };
    this.send(outcome === 'open' ? 'charge.dispute.created' : 'charge.dispute.closed', dispute);
  }

  async createOrChangeSubscription(input: SubscriptionChange): Promise<SubscriptionResult> {
    const known = input.subscriptionId ? this.subscriptions.get(input.subscriptionId) : undefined;
    if (known) return input.proration === 'invoice_now' ? this.upgrade(known, input) : this.swapPrice(known, input.plan);
    const id = `sub_sim_${digest(input.idempotencyKey).slice(0, 20)}`;
    const existing = this.subscriptions.get(id);
    if (existing) return { subscriptionId: id, status: existing.status, clientSecret: existing.status === 'incomplete' ? `${id}${SECRET_SUFFIX}` : null };
    const start = this.now();
    const declined = this.cardOf(input.customerId) !== 'succeed';
    const subscription: SimulatedSubscription = {
      id,
      accountId: input.accountId,
      customerId: input.customerId,
      plan: input.plan,
      status: declined ? 'incomplete' : 'active',
      createdAt: start,
      anchor: start,
      periodIndex: 0,
      periodStart: start,
      periodEnd: periodStartAt(start, 1),
      cancelAtPeriodEnd: false,
    };
    this.subscriptions.set(id, subscription);
    this.send('customer.subscription.created', this.subscriptionObject(subscription));
    if (!declined) this.payPeriod(subscription, 'subscription_create');
    return { subscriptionId: id, status: subscription.status, clientSecret: declined ? `${id}${SECRET_SUFFIX}` : null };
  }

  /** A downgrade (or undoing one): the price changes for the next period; nothing is prorated. */
  private swapPrice(subscription: SimulatedSubscription, plan: PaidPlanId): SubscriptionResult {
    if (subscription.plan !== plan) {
      subscription.plan = plan;
      this.send('customer.subscription.updated', this.subscriptionObject(subscription));
    }
    return { subscriptionId: subscription.id, status: subscription.status, clientSecret: null, pendingPayment: false };
  }

  /**
   * An upgrade, like Stripe's `always_invoice` + `pending_if_incomplete`: the prorated difference
   * is invoiced and charged now; only a paid invoice changes the price. A declined card leaves the
   * subscription as it was, with the invoice open until the app confirms it (`confirm`).
   */
  private upgrade(subscription: SimulatedSubscription, input: SubscriptionChange): SubscriptionResult {
    const replay = this.changes.get(input.idempotencyKey);
    const pending = replay ? replay.pending : this.prorate(subscription, input);
    if (!replay) this.changes.set(input.idempotencyKey, { subscriptionId: subscription.id, pending });
    if (!pending || pending.paid) return { subscriptionId: subscription.id, status: subscription.status, clientSecret: null, pendingPayment: false };
    if (replay || !this.payUpgrade(subscription, pending)) {
      if (!replay) this.send('invoice.payment_failed', { id: pending.invoiceId, object: 'invoice', billing_reason: 'subscription_update', status: 'open', amount_due: pending.amountCents });
      return { subscriptionId: subscription.id, status: subscription.status, clientSecret: `${pending.invoiceId}${SECRET_SUFFIX}`, pendingPayment: true };
    }
    return { subscriptionId: subscription.id, status: subscription.status, clientSecret: null, pendingPayment: false };
  }

  /** Charges an upgrade's invoice on the customer's card; when paid, the price changes and Stripe's events go out. */
  private payUpgrade(subscription: SimulatedSubscription, pending: PendingUpgrade): boolean {
    if (this.cardOf(subscription.customerId) !== 'succeed' || subscription.plan !== pending.from || subscription.status !== 'active') return false;
    pending.paid = true;
    subscription.plan = pending.to;
    this.charge(pending.invoiceId, pending.amountCents);
    this.send('customer.subscription.updated', this.subscriptionObject(subscription));
    this.send('invoice.paid', {
      ...this.invoiceBase(subscription, pending.invoiceId, pending.amountCents, 'subscription_update'),
      lines: {
        object: 'list',
        data: [
          { amount: -pending.unusedCents, description: `Unused time on ${pending.from}`, ...this.line(pending.from, pending.coveredFrom, subscription.periodEnd) },
          { amount: pending.remainingCents, description: `Remaining time on ${pending.to}`, ...this.line(pending.to, pending.coveredFrom, subscription.periodEnd) },
        ],
      },
    });
    return true;
  }

  /**
   * What the app does with a client secret (Stripe.js confirming the payment): pays an incomplete
   * subscription's first invoice or an upgrade's open invoice on the customer's current card.
   * Returns whether it was paid now.
   */
  confirm(clientSecret: string): boolean {
    const id = clientSecret.endsWith(SECRET_SUFFIX) ? clientSecret.slice(0, -SECRET_SUFFIX.length) : '';
    const subscription = this.subscriptions.get(id);
    if (subscription) {
      if (subscription.status !== 'incomplete' || this.cardOf(subscription.customerId) !== 'succeed') return false;
      subscription.status = 'active';
      this.send('customer.subscription.updated', this.subscriptionObject(subscription));
      this.payPeriod(subscription, 'subscription_create');
      return true;
    }
    for (const change of this.changes.values()) {
      if (change.pending?.invoiceId === id && !change.pending.paid) return this.payUpgrade(this.subscriptions.get(change.subscriptionId)!, change.pending);
    }
    return false;
  }

  private prorate(subscription: SimulatedSubscription, input: SubscriptionChange): PendingUpgrade | null {
    if (subscription.plan === input.plan) return null;
    const coveredFrom = input.prorationDate ? new Date(input.prorationDate) : this.now();
    const fraction = (subscription.periodEnd.getTime() - coveredFrom.getTime()) / (subscription.periodEnd.getTime() - subscription.periodStart.getTime());
    const unusedCents = Math.round(PLANS[subscription.plan].priceCents * fraction);
    const remainingCents = Math.round(PLANS[input.plan].priceCents * fraction);
    return { paid: false, from: subscription.plan, to: input.plan, coveredFrom, unusedCents, remainingCents, amountCents: Math.max(remainingCents - unusedCents, 0), invoiceId: `in_sim_${digest(`upgrade:${input.idempotencyKey}`).slice(0, 20)}` };
  }

  async cancelSubscriptionAtPeriodEnd(input: { subscriptionId: string }): Promise<void> {
    const subscription = this.subscriptions.get(input.subscriptionId);
    if (!subscription || subscription.cancelAtPeriodEnd) return;
    subscription.cancelAtPeriodEnd = true;
    this.send('customer.subscription.updated', this.subscriptionObject(subscription));
  }

  async subscriptionState(subscriptionId: string): Promise<SubscriptionState | null> {
    const subscription = this.subscriptions.get(subscriptionId);
    if (!subscription) return null;
    return { subscriptionId, status: subscription.status, plan: subscription.plan, clientSecret: subscription.status === 'incomplete' ? `${subscriptionId}${SECRET_SUFFIX}` : null };
  }

  async cancelSubscriptionNow(input: { subscriptionId: string }): Promise<void> {
    const subscription = this.subscriptions.get(input.subscriptionId);
    if (!subscription || subscription.status === 'canceled' || subscription.status === 'incomplete_expired') return;
    subscription.status = 'canceled';
    this.send('customer.subscription.deleted', this.subscriptionObject(subscription));
  }

  async invoicePaymentId(providerInvoiceId: string): Promise<string | null> {
    return this.invoicePayments.get(providerInvoiceId) ?? null;
  }

  planOfPrice(priceId: string): PaidPlanId | null {
    return (['BEGINNER', 'PRO', 'TEAM'] as const).find((plan) => priceIdOf(plan) === priceId) ?? null;
  }

  /** Stripe's billing clock: renews (or ends) every subscription whose period ended by `now`; expires unpaid ones after 23 hours. */
  advanceTo(now: Date): number {
    let changed = 0;
    for (const subscription of this.subscriptions.values()) {
      if (subscription.status === 'incomplete' && subscription.createdAt.getTime() + INCOMPLETE_EXPIRY_MS <= now.getTime()) {
        changed += 1;
        subscription.status = 'incomplete_expired';
        this.send('customer.subscription.updated', this.subscriptionObject(subscription));
      }
      while (subscription.status === 'active' && subscription.periodEnd.getTime() <= now.getTime()) {
        changed += 1;
        if (subscription.cancelAtPeriodEnd) {
          subscription.status = 'canceled';
          this.send('customer.subscription.deleted', this.subscriptionObject(subscription));
          break;
        }
        // Like Stripe's billing_cycle_anchor: every period counts from the first one's start, so Jan 31 renews on Feb 28, then Mar 31.
        subscription.periodIndex += 1;
        subscription.periodStart = subscription.periodEnd;
        subscription.periodEnd = periodStartAt(subscription.anchor, subscription.periodIndex + 1);
        this.send('customer.subscription.updated', this.subscriptionObject(subscription));
        this.payPeriod(subscription, 'subscription_cycle');
      }
    }
    return changed;
  }

  async invoicePaygUsage(input: { accountId: string; customerId: string; credits: number; amountCents: number; invoiceId: string; idempotencyKey: string }): Promise<{ invoiceId: string }> {
    const invoiceId = `in_sim_${digest(input.idempotencyKey).slice(0, 20)}`;
    if (this.invoices.has(invoiceId)) return { invoiceId };
    this.invoices.add(invoiceId);
    const paid = (this.cards.get(input.customerId) ?? 'succeed') === 'succeed';
    const metadata = { account_id: input.accountId, payg_invoice_id: input.invoiceId, credits: String(input.credits) };
    if (paid) this.charge(invoiceId, input.amountCents);
    this.send(paid ? 'invoice.paid' : 'invoice.payment_failed', { id: invoiceId, object: 'invoice', billing_reason: 'manual', status: paid ? 'paid' : 'open', amount_due: input.amountCents, amount_paid: paid ? input.amountCents : 0, metadata });
    return { invoiceId };
  }

  /** Resolves once every event sent so far has been delivered (or given up on). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private paymentIntent(paymentId: string, input: CreatePaymentInput, status: string) {
    return {
      id: paymentId,
      object: 'payment_intent',
      amount: input.amountCents,
      amount_received: status === 'succeeded' ? input.amountCents : 0,
      currency: input.currency,
      customer: input.customerId,
      status,
      metadata: { account_id: input.accountId, credits: String(input.credits), purpose: input.purpose, topup_id: input.topupId },
    };
  }

  private subscriptionObject(s: SimulatedSubscription) {
    const period = { current_period_start: toEpoch(s.periodStart), current_period_end: toEpoch(s.periodEnd) };
    return {
      id: s.id,
      object: 'subscription',
      status: s.status,
      cancel_at_period_end: s.cancelAtPeriodEnd,
      metadata: { account_id: s.accountId, plan: s.plan },
      items: { object: 'list', data: [{ id: `si_${s.id.slice(4)}`, object: 'subscription_item', price: { id: priceIdOf(s.plan) }, ...period }] },
    };
  }

  /** A period's invoice, paid at once: the charge is recorded (refundable, disputable) and reported. */
  private payPeriod(s: SimulatedSubscription, billingReason: 'subscription_create' | 'subscription_cycle'): void {
    const invoiceId = `in_sim_${digest(`${s.id}:${s.periodStart.toISOString()}`).slice(0, 20)}`;
    const amountCents = PLANS[s.plan].priceCents;
    this.charge(invoiceId, amountCents);
    this.send('invoice.paid', { ...this.invoiceBase(s, invoiceId, amountCents, billingReason), lines: { object: 'list', data: [{ amount: amountCents, ...this.line(s.plan, s.periodStart, s.periodEnd) }] } });
  }

  private charge(invoiceId: string, amountCents: number): void {
    if (amountCents <= 0) return;
    const paymentId = `pi_sim_${digest(`invoice:${invoiceId}`).slice(0, 24)}`;
    this.charges.set(paymentId, { amountCents });
    this.invoicePayments.set(invoiceId, paymentId);
  }

  private invoiceBase(s: SimulatedSubscription, invoiceId: string, amountPaidCents: number, billingReason: string) {
    return {
      id: invoiceId,
      object: 'invoice',
      status: 'paid',
      amount_paid: amountPaidCents,
      billing_reason: billingReason,
      // A snapshot taken when the invoice was finalized, as Stripe's.
      parent: { type: 'subscription_details', subscription_details: { subscription: s.id, metadata: { account_id: s.accountId, plan: s.plan } } },
    };
  }

  private line(plan: PaidPlanId, start: Date, end: Date) {
    return { period: { start: toEpoch(start), end: toEpoch(end) }, pricing: { type: 'price_details', price_details: { price: priceIdOf(plan) } } };
  }

  private requirePayment(paymentId: string) {
    const payment = this.charges.get(paymentId);
    if (!payment) throw new Error(`the simulator made no payment ${paymentId}`);
    return payment;
  }

  private send(type: string, object: Record<string, unknown>): void {
    this.eventCounter += 1;
    const event = {
      id: `evt_sim_${Date.now().toString(36)}${this.eventCounter.toString(36).padStart(6, '0')}`,
      object: 'event',
      api_version: '2026-01-01',
      created: Math.floor(this.now().getTime() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object },
    };
    const delivery = this.deliverWithRetries(JSON.stringify(event)).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  /** Like Stripe: retried with backoff until the endpoint answers 2xx, each attempt freshly signed. */
  private async deliverWithRetries(payload: string): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    for (let attempt = 1; attempt <= MAX_DELIVERY_ATTEMPTS; attempt += 1) {
      if (!this.deliver) throw new Error('the payment simulator is not connected to a webhook endpoint');
      const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: this.webhookSecret, timestamp: Math.floor(Date.now() / 1000) });
      const status = await this.deliver(payload, signature).catch(() => 599);
      if (status >= 200 && status < 300) return;
      await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * 2 ** (attempt - 1)));
    }
  }
}

interface SimulatedSubscription {
  readonly id: string;
  readonly accountId: string;
  readonly customerId: string;
  plan: PaidPlanId;
  status: 'active' | 'incomplete' | 'incomplete_expired' | 'canceled';
  readonly createdAt: Date;
  /** The first period's start: Stripe's billing cycle anchor. */
  readonly anchor: Date;
  periodIndex: number;
  periodStart: Date;
  periodEnd: Date;
  cancelAtPeriodEnd: boolean;
}

interface PendingUpgrade {
  paid: boolean;
  readonly from: PaidPlanId;
  readonly to: PaidPlanId;
  readonly coveredFrom: Date;
  readonly unusedCents: number;
  readonly remainingCents: number;
  readonly amountCents: number;
  readonly invoiceId: string;
}

/** Stripe lets an incomplete subscription's first invoice be paid for 23 hours. */
const INCOMPLETE_EXPIRY_MS = 23 * 3600_000;

/** Client secrets the simulator hands out: `<subscription or invoice id>_secret_sim`. */
const SECRET_SUFFIX = '_secret_sim';

const priceIdOf = (plan: PaidPlanId) => `price_sim_${plan.toLowerCase()}`;

const toEpoch = (at: Date) => Math.floor(at.getTime() / 1000);

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
