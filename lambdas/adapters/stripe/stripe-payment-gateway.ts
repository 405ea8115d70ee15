/**
 * The PaymentGateway port on Stripe (stripe-node 23, API version pinned below).
 *
 * Every POST carries our own deterministic idempotency key, so a retry (by stripe-node on a network
 * error or 5xx, by SQS, by a client resubmitting) replays Stripe's first answer instead of creating a
 * second customer, payment, subscription or invoice. Stripe keeps keys for at least 24 hours.
 *
 * Nothing here logs: requests and errors can carry customer and card details. Callers that log a
 * Stripe error should log its `type`, `code` and `requestId`, never the error object itself.
 */
import Stripe from 'stripe';
import type { PlanId } from '../../domain/catalog';
import { TIME_BUDGETS } from '../../shared/time-budget';
import type { CreatePaymentInput, PaymentCreated, PaymentGateway, PaymentStatus, SavedCard, SubscriptionChange, SubscriptionResult, SubscriptionState } from '../../domain/payment-gateway';

/** The API version stripe-node 23.1.0 is generated for; upgrading the package must change this on purpose. */
export const STRIPE_API_VERSION = '2026-10-28.endive';

/** Chosen with the function timeouts (lambdas/shared/time-budget.ts): one call and its retry fit in an HTTP function's time. */
const REQUEST_TIMEOUT_MS = TIME_BUDGETS.stripeRequestTimeoutMs;
/** stripe-node retries connection errors, 409 and 5xx with the same idempotency key. */
const MAX_NETWORK_RETRIES = TIME_BUDGETS.stripeMaxNetworkRetries;
/** Stripe refuses longer idempotency keys. */
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export type PaidPlanId = Exclude<PlanId, 'FREE'>;

export interface StripePaymentGatewayOptions {
  /** The Stripe price (recurring, monthly) of each paid plan. */
  readonly priceIds: Readonly<Record<PaidPlanId, string>>;
}

export interface StripeClientOptions {
  readonly secretKey: string;
  /** Tests only: a fake Stripe API on 127.0.0.1. @default api.stripe.com */
  readonly host?: string;
  /** @default 443 */
  readonly port?: number;
  /** @default 'https' */
  readonly protocol?: 'http' | 'https';
}

export function createStripeClient(opts: StripeClientOptions): Stripe {
  if (!opts.secretKey) throw new Error('createStripeClient: a Stripe secret key is required');
  return new Stripe(opts.secretKey, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: MAX_NETWORK_RETRIES,
    timeout: REQUEST_TIMEOUT_MS,
    typescript: true,
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.protocol !== undefined ? { protocol: opts.protocol } : {}),
  });
}

export class StripePaymentGateway implements PaymentGateway {
  private readonly priceIds: Readonly<Record<PaidPlanId, string>>;

  constructor(
    private readonly stripe: Stripe,
    options: StripePaymentGatewayOptions,
  ) {
    for (const plan of ['BEGINNER', 'PRO', 'TEAM'] as const) {
      if (!options.priceIds[plan]) throw new Error(`StripePaymentGateway: no Stripe price id for plan ${plan}`);
    }
    this.priceIds = { ...options.priceIds };
  }

  /**
   * 1. Create the customer under the key `customer:<accountId>`: concurrent or repeated calls within
   *    Stripe's key window get the same customer back. (Searching customers by metadata is eventually
   *    consistent, so it cannot make this safe.) A call racing one still in flight gets 409
   *    `idempotency_key_in_use` from Stripe, which stripe-node retries.
   * The service stores the returned id on the account and calls this once per account, so the
   * 24-hour key window is enough.
   */
  async ensureCustomer(accountId: string): Promise<string> {
    const customer = await this.stripe.customers.create({ metadata: { account_id: accountId } }, { idempotencyKey: checkedKey(`customer:${accountId}`) });
    return customer.id;
  }

  /** 1. The customer's default payment method when it is a card, 2. else their newest card, 3. else none. */
  async savedCard(customerId: string): Promise<SavedCard | null> {
    const customer = await this.stripe.customers.retrieve(customerId, { expand: ['invoice_settings.default_payment_method'] });
    if (customer.deleted) return null;
    const preferred = customer.invoice_settings.default_payment_method;
    if (preferred !== null && typeof preferred === 'object') {
      const card = toSavedCard(preferred);
      if (card) return card;
    }
    const cards = await this.stripe.paymentMethods.list({ customer: customerId, type: 'card', limit: 1 });
    const first = cards.data[0];
    return first ? toSavedCard(first) : null;
  }

  /**
   * On-session: a PaymentIntent the app confirms with Stripe.js (its client secret).
   * Off-session (auto-refill): confirmed at once on the saved card. Stripe answers a decline or a
   * required authentication with a 402 card error that carries the PaymentIntent; both are outcomes,
   * returned with a `declineCode`, not thrown. Every other error propagates.
   */
  async createPayment(input: CreatePaymentInput): Promise<PaymentCreated> {
    const base: Stripe.PaymentIntentCreateParams = {
      amount: input.amountCents,
      currency: input.currency,
      customer: input.customerId,
      description: input.purpose === 'auto_refill' ? `Auto-refill: ${input.credits} credits` : `Top-up: ${input.credits} credits`,
      metadata: { account_id: input.accountId, topup_id: input.topupId, credits: String(input.credits), purpose: input.purpose },
    };
    const options = { idempotencyKey: checkedKey(input.idempotencyKey) };
    if (input.offSessionPaymentMethodId === undefined) {
      const intent = await this.stripe.paymentIntents.create({ ...base, automatic_payment_methods: { enabled: true }, setup_future_usage: 'off_session' }, options);
      return { paymentId: intent.id, status: toPaymentStatus(intent.status), clientSecret: intent.client_secret };
    }
    try {
      const intent = await this.stripe.paymentIntents.create({ ...base, payment_method: input.offSessionPaymentMethodId, off_session: true, confirm: true }, options);
      return { paymentId: intent.id, status: toPaymentStatus(intent.status), clientSecret: null };
    } catch (error) {
      const refused = offSessionRefusal(error);
      if (!refused) throw error;
      return { paymentId: refused.paymentId, status: refused.declineCode === 'authentication_required' ? 'requires_action' : 'failed', clientSecret: null, declineCode: refused.declineCode };
    }
  }

  /**
   * New subscription: created `default_incomplete`, so it starts `incomplete` until the app confirms
   * the first invoice's payment with the returned client secret (the card is then saved as the
   * subscription's default for renewals).
   * Plan change: 1. read the subscription, 2. swap the price on its one item (same item id, so Stripe
   * prorates rather than adding a second item):
   * - upgrade (`invoice_now`): `always_invoice` bills the prorated difference now, and
   *   `pending_if_incomplete` applies the new price only once that invoice is paid: a declined card
   *   leaves the subscription as it was (a `pending_update` that expires). Prorated as of the
   *   request's instant, so a retry is charged exactly the same.
   * - downgrade (`none`): the lower price from the next invoice on; nothing prorated, nothing
   *   credited back for the plan already paid and granted.
   */
  async createOrChangeSubscription(input: SubscriptionChange): Promise<SubscriptionResult> {
    const price = this.priceIds[input.plan];
    const metadata = { account_id: input.accountId, plan: input.plan };
    const options = { idempotencyKey: checkedKey(input.idempotencyKey) };
    if (input.subscriptionId === null) {
      const created = await this.stripe.subscriptions.create(
        {
          customer: input.customerId,
          items: [{ price }],
          metadata,
          payment_behavior: 'default_incomplete',
          payment_settings: { save_default_payment_method: 'on_subscription' },
          // Since API 2025-03-31 the first payment's secret is the invoice's `confirmation_secret`,
          // returned only when expanded (`latest_invoice.payment_intent` is gone).
          expand: ['latest_invoice.confirmation_secret'],
        },
        options,
      );
      return { subscriptionId: created.id, status: created.status, clientSecret: confirmationSecretOf(created) };
    }
    const current = await this.stripe.subscriptions.retrieve(input.subscriptionId);
    const [item, ...others] = current.items.data;
    if (!item || others.length > 0) throw new Error(`Stripe subscription ${current.id} has ${current.items.data.length} items; expected exactly one`);
    if (input.proration === 'invoice_now') {
      const updated = await this.stripe.subscriptions.update(
        current.id,
        {
          items: [{ id: item.id, price }],
          proration_behavior: 'always_invoice',
          payment_behavior: 'pending_if_incomplete',
          ...(input.prorationDate ? { proration_date: Math.floor(Date.parse(input.prorationDate) / 1000) } : {}),
          // Pending updates take metadata since API 2026-05-27: applied with the price once paid.
          metadata,
          expand: ['latest_invoice.confirmation_secret'],
        },
        options,
      );
      const pendingPayment = updated.pending_update !== null;
      return { subscriptionId: updated.id, status: updated.status, clientSecret: pendingPayment ? confirmationSecretOf(updated) : null, pendingPayment };
    }
    const updated = await this.stripe.subscriptions.update(current.id, { items: [{ id: item.id, price }], proration_behavior: 'none', metadata }, options);
    return { subscriptionId: updated.id, status: updated.status, clientSecret: null, pendingPayment: false };
  }

  async cancelSubscriptionAtPeriodEnd(input: { subscriptionId: string; idempotencyKey: string }): Promise<void> {
    await this.stripe.subscriptions.update(input.subscriptionId, { cancel_at_period_end: true }, { idempotencyKey: checkedKey(input.idempotencyKey) });
  }

  async subscriptionState(subscriptionId: string): Promise<SubscriptionState | null> {
    try {
      const subscription = await this.stripe.subscriptions.retrieve(subscriptionId, { expand: ['latest_invoice.confirmation_secret'] });
      const price = subscription.items.data[0]?.price.id;
      return { subscriptionId: subscription.id, status: subscription.status, plan: price ? this.planOfPrice(price) : null, clientSecret: subscription.status === 'incomplete' ? confirmationSecretOf(subscription) : null };
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) return null;
      throw error;
    }
  }

  /**
   * Cancels at once. Stripe treats a canceled (or expired unpaid) subscription as deleted: cancelling
   * it again answers 404, and a DELETE takes no idempotency key. So a retry (ours, the caller's, or
   * stripe-node's after a lost answer) finds it gone: a 404 is success when the subscription is
   * canceled, expired or unknown; anything else still in force is an error.
   */
  async cancelSubscriptionNow(input: { subscriptionId: string; idempotencyKey: string }): Promise<void> {
    try {
      await this.stripe.subscriptions.cancel(input.subscriptionId, {}, { idempotencyKey: checkedKey(input.idempotencyKey) });
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError) || error.statusCode !== 404) throw error;
      const state = await this.subscriptionState(input.subscriptionId);
      if (state !== null && state.status !== 'canceled' && state.status !== 'incomplete_expired') throw error;
    }
  }

  /** Since API 2025-03-31 an invoice no longer names its PaymentIntent: its paid invoice payment does. */
  async invoicePaymentId(providerInvoiceId: string): Promise<string | null> {
    const payments = await this.stripe.invoicePayments.list({ invoice: providerInvoiceId, status: 'paid', limit: 1 });
    const paid = payments.data[0]?.payment;
    const intent = paid?.payment_intent;
    if (intent) return typeof intent === 'string' ? intent : intent.id;
    return null;
  }

  planOfPrice(priceId: string): PaidPlanId | null {
    for (const plan of ['BEGINNER', 'PRO', 'TEAM'] as const) if (this.priceIds[plan] === priceId) return plan;
    return null;
  }

  /**
   * 1. Add the period's usage as a pending invoice item, 2. create an invoice that sweeps it in,
   * charged automatically to the default payment method, 3. finalize it now (rather than in an hour).
   * Each step has its own key derived from the caller's, so a retry of the whole call replays each step.
   */
  async invoicePaygUsage(input: { accountId: string; customerId: string; credits: number; amountCents: number; invoiceId: string; idempotencyKey: string }): Promise<{ invoiceId: string }> {
    const key = checkedKey(input.idempotencyKey, ':finalize'.length);
    const metadata = { account_id: input.accountId, payg_invoice_id: input.invoiceId, credits: String(input.credits) };
    await this.stripe.invoiceItems.create(
      { customer: input.customerId, amount: input.amountCents, currency: 'usd', description: `Pay-as-you-go credits (${input.invoiceId})`, metadata },
      { idempotencyKey: `${key}:item` },
    );
    const draft = await this.stripe.invoices.create(
      { customer: input.customerId, auto_advance: true, collection_method: 'charge_automatically', pending_invoice_items_behavior: 'include', metadata },
      { idempotencyKey: `${key}:invoice` },
    );
    const finalized = await this.stripe.invoices.finalizeInvoice(draft.id, {}, { idempotencyKey: `${key}:finalize` });
    return { invoiceId: finalized.id };
  }
}

function checkedKey(key: string, suffixLength = 0): string {
  if (key.length === 0 || key.length + suffixLength > MAX_IDEMPOTENCY_KEY_LENGTH) throw new Error(`idempotency key must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH - suffixLength} characters`);
  return key;
}

function confirmationSecretOf(subscription: Stripe.Subscription): string | null {
  const invoice = subscription.latest_invoice;
  return invoice !== null && typeof invoice === 'object' ? (invoice.confirmation_secret?.client_secret ?? null) : null;
}

function toSavedCard(method: Stripe.PaymentMethod): SavedCard | null {
  if (method.type !== 'card' || !method.card) return null;
  return { paymentMethodId: method.id, brand: method.card.brand, last4: method.card.last4 };
}

const KNOWN_PAYMENT_STATUSES: ReadonlySet<string> = new Set<PaymentStatus>(['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing', 'succeeded', 'canceled']);

/**
 * Stripe's PaymentIntent status in the port's terms. stripe-node 23 types enums as open (`| string`),
 * so a status added later is read as `processing`: not final, the webhook tells the outcome. We never
 * capture manually, so `requires_capture` is `processing` too.
 */
function toPaymentStatus(status: Stripe.PaymentIntent.Status): PaymentStatus {
  return KNOWN_PAYMENT_STATUSES.has(status) ? (status as PaymentStatus) : 'processing';
}

/**
 * An off-session charge that Stripe refused: a card error with the PaymentIntent attached.
 * `authentication_required` means the customer must come back on-session; any other card error
 * (declined, expired, insufficient funds...) is a decline.
 */
function offSessionRefusal(error: unknown): { paymentId: string; declineCode: 'card_declined' | 'authentication_required' } | null {
  if (!(error instanceof Stripe.errors.StripeCardError) || !error.payment_intent) return null;
  return { paymentId: error.payment_intent.id, declineCode: error.code === 'authentication_required' ? 'authentication_required' : 'card_declined' };
}
