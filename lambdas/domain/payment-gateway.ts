/**
 * The payment port: what the service asks of a payment provider. Stripe in AWS (and locally when a
 * key is configured); otherwise a local simulator that answers the same way and then reports the
 * outcome through real, signed webhook events, exactly as Stripe does.
 *
 * Every call that we may retry carries our own deterministic idempotency key, so a retry never
 * creates a second payment or subscription.
 */
import type { PlanId } from './catalog';

export type PaymentPurpose = 'topup' | 'auto_refill';

export interface SavedCard {
  readonly paymentMethodId: string;
  readonly brand: string;
  readonly last4: string;
}

export interface CreatePaymentInput {
  readonly accountId: string;
  readonly customerId: string;
  /** Our id for the payment (`top_…`), also in the provider's metadata. */
  readonly topupId: string;
  readonly credits: number;
  readonly amountCents: number;
  readonly currency: 'usd';
  readonly purpose: PaymentPurpose;
  /** Charge this saved card off-session (auto-refill); otherwise the customer confirms in the app. */
  readonly offSessionPaymentMethodId?: string;
  readonly idempotencyKey: string;
}

export type PaymentStatus = 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'succeeded' | 'canceled' | 'failed';

export interface PaymentCreated {
  readonly paymentId: string;
  readonly status: PaymentStatus;
  /** For the app to confirm the payment with Stripe.js. */
  readonly clientSecret: string | null;
  /** Set when the provider refused an off-session charge (card declined, authentication required). */
  readonly declineCode?: 'card_declined' | 'authentication_required';
}

export interface SubscriptionChange {
  readonly accountId: string;
  readonly customerId: string;
  readonly plan: Exclude<PlanId, 'FREE'>;
  /** The current subscription, when changing plans; null creates one. */
  readonly subscriptionId: string | null;
  /**
   * A plan change only. `invoice_now`: an upgrade, its prorated difference invoiced and charged at
   * once, and the change applied only when that invoice is paid (else nothing changes). `none`: a
   * downgrade (or undoing one): the price changes for the next period, nothing is prorated or credited.
   */
  readonly proration?: 'invoice_now' | 'none';
  /** Prorate as of this instant (ISO), so a retried request is charged exactly the same. */
  readonly prorationDate?: string;
  readonly idempotencyKey: string;
}

export interface SubscriptionResult {
  readonly subscriptionId: string;
  readonly status: string;
  readonly clientSecret: string | null;
  /** A change waiting for its invoice's payment (declined or needing the customer): not applied. */
  readonly pendingPayment?: boolean;
}

export interface SubscriptionState {
  readonly subscriptionId: string;
  /** The provider's status: active, past_due, incomplete, incomplete_expired, canceled, … */
  readonly status: string;
  readonly plan: Exclude<PlanId, 'FREE'> | null;
  /** For an incomplete subscription: the secret with which the app pays its first invoice. */
  readonly clientSecret: string | null;
}

export interface PaymentGateway {
  /** The provider's customer for an account: created once (idempotent on the account id). */
  ensureCustomer(accountId: string): Promise<string>;
  savedCard(customerId: string): Promise<SavedCard | null>;
  createPayment(input: CreatePaymentInput): Promise<PaymentCreated>;
  createOrChangeSubscription(input: SubscriptionChange): Promise<SubscriptionResult>;
  cancelSubscriptionAtPeriodEnd(input: { subscriptionId: string; idempotencyKey: string }): Promise<void>;
  /** Where a subscription stands now (null if the provider has none by that id). */
  subscriptionState(subscriptionId: string): Promise<SubscriptionState | null>;
  /** Abandons a subscription that was never paid (incomplete), so the account can subscribe afresh. */
  cancelSubscriptionNow(input: { subscriptionId: string; idempotencyKey: string }): Promise<void>;
  /** The payment (PaymentIntent id) that paid a provider invoice; null when nothing was charged. */
  invoicePaymentId(providerInvoiceId: string): Promise<string | null>;
  /** Which of our plans a provider price is; null for a price that is not one of ours. */
  planOfPrice(priceId: string): Exclude<PlanId, 'FREE'> | null;
  /** Invoices PAYG usage (charged to the saved card); `invoiceId` is ours, carried back in the paid invoice's metadata. */
  invoicePaygUsage(input: { accountId: string; customerId: string; credits: number; amountCents: number; invoiceId: string; idempotencyKey: string }): Promise<{ invoiceId: string }>;
}

/** Price of a number of top-up credits. */
export function priceOfCredits(credits: number, centsPerCredit: number): { amountCents: number; currency: 'usd' } {
  return { amountCents: credits * centsPerCredit, currency: 'usd' };
}
