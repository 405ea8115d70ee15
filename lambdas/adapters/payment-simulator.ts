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
import type { CreatePaymentInput, PaymentCreated, PaymentGateway, SavedCard, SubscriptionChange, SubscriptionResult } from '../domain/payment-gateway';

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
    this.send('payment_intent.succeeded', this.paymentIntent(paymentId, input, 'succeeded'));
    return { paymentId, status: 'processing', clientSecret: offSession ? null : `${paymentId}_secret_sim` };
  }

  /** Refunds part or all of a payment, as the Stripe dashboard would; reported as charge.refunded. */
  refund(paymentId: string, amountRefundedCents: number): void {
    const payment = this.requirePayment(paymentId);
    this.send('charge.refunded', { id: `ch_sim_${digest(paymentId).slice(0, 20)}`, object: 'charge', payment_intent: paymentId, amount: payment.input.amountCents, amount_refunded: amountRefundedCents, refunded: amountRefundedCents >= payment.input.amountCents });
  }

  /** Opens (or closes) a dispute on a payment; reported as charge.dispute.created / .closed. */
  dispute(paymentId: string, outcome: 'open' | 'won' | 'lost'): void {
    const payment = this.requirePayment(paymentId);
    const dispute = { id: `dp_sim_${digest(paymentId).slice(0, 20)}`, object: 'dispute', payment_intent: paymentId, amount: payment.input.amountCents, status: outcome === 'open' ? 'needs_response' : outcome };
    this.send(outcome === 'open' ? 'charge.dispute.created' : 'charge.dispute.closed', dispute);
  }

  async createOrChangeSubscription(input: SubscriptionChange): Promise<SubscriptionResult> {
    const known = input.subscriptionId ? this.subscriptions.get(input.subscriptionId) : undefined;
    if (known) {
      // A plan change: Stripe prorates on the next invoice and reports the change at once.
      if (known.plan !== input.plan) {
        known.plan = input.plan;
        known.cancelAtPeriodEnd = false;
        this.send('customer.subscription.updated', this.subscriptionObject(known));
      }
      return { subscriptionId: known.id, status: known.status, clientSecret: null };
    }
    const id = `sub_sim_${digest(input.idempotencyKey).slice(0, 20)}`;
    const existing = this.subscriptions.get(id);
    if (existing) return { subscriptionId: id, status: existing.status, clientSecret: null };
    const start = this.now();
    const declined = (this.cards.get(input.customerId) ?? 'succeed') !== 'succeed';
    const subscription: SimulatedSubscription = { id, accountId: input.accountId, plan: input.plan, status: declined ? 'incomplete' : 'active', anchor: start, periodIndex: 0, periodStart: start, periodEnd: periodStartAt(start, 1), cancelAtPeriodEnd: false };
    this.subscriptions.set(id, subscription);
    this.send('customer.subscription.created', this.subscriptionObject(subscription));
    if (!declined) this.send('invoice.paid', this.invoiceObject(subscription, 'subscription_create'));
    return { subscriptionId: id, status: subscription.status, clientSecret: declined ? `${id}_secret_sim` : null };
  }

  async cancelSubscriptionAtPeriodEnd(input: { subscriptionId: string }): Promise<void> {
    const subscription = this.subscriptions.get(input.subscriptionId);
    if (!subscription || subscription.cancelAtPeriodEnd) return;
    subscription.cancelAtPeriodEnd = true;
    this.send('customer.subscription.updated', this.subscriptionObject(subscription));
  }

  /** Stripe's billing clock: renews (or ends) every subscription whose period ended by `now`. */
  advanceTo(now: Date): number {
    let changed = 0;
    for (const subscription of this.subscriptions.values()) {
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
        this.send('invoice.paid', this.invoiceObject(subscription, 'subscription_cycle'));
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
    this.send(paid ? 'invoice.paid' : 'invoice.payment_failed', { id: invoiceId, object: 'invoice', billing_reason: 'manual', status: paid ? 'paid' : 'open', amount_due: input.amountCents, metadata });
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
      items: { object: 'list', data: [{ id: `si_${s.id.slice(4)}`, object: 'subscription_item', price: { id: `price_sim_${s.plan.toLowerCase()}` }, ...period }] },
    };
  }

  private invoiceObject(s: SimulatedSubscription, billingReason: string) {
    return {
      id: `in_sim_${digest(`${s.id}:${s.periodStart.toISOString()}`).slice(0, 20)}`,
      object: 'invoice',
      status: 'paid',
      amount_paid: PLANS[s.plan].priceCents,
      billing_reason: billingReason,
      parent: { type: 'subscription_details', subscription_details: { subscription: s.id, metadata: { account_id: s.accountId, plan: s.plan } } },
      lines: { object: 'list', data: [{ period: { start: toEpoch(s.periodStart), end: toEpoch(s.periodEnd) } }] },
    };
  }

  private requirePayment(paymentId: string) {
    const payment = this.payments.get(paymentId);
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
  plan: SubscriptionChange['plan'];
  status: 'active' | 'incomplete' | 'canceled';
  /** The first period's start: Stripe's billing cycle anchor. */
  readonly anchor: Date;
  periodIndex: number;
  periodStart: Date;
  periodEnd: Date;
  cancelAtPeriodEnd: boolean;
}

const toEpoch = (at: Date) => Math.floor(at.getTime() / 1000);

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
