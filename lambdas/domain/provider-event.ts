/**
 * Payment-provider events, as the service understands them. The Stripe adapter turns verified
 * webhook events into these; the use cases apply each one exactly once.
 */
import type { PaymentFacts } from './topup';
import type { PaymentPurpose } from './payment-gateway';
import type { PaidPlanId, PaidUpgrade, SubscriptionFacts } from './subscription';

export type ProviderEvent =
  | { readonly kind: 'payment_succeeded'; readonly eventId: string; readonly facts: PaymentFacts }
  | {
      readonly kind: 'payment_failed';
      readonly eventId: string;
      readonly paymentId: string;
      readonly accountId: string;
      readonly topupId: string | null;
      readonly purpose: PaymentPurpose;
      readonly reason: string;
    }
  /** Reversals carry when the provider created the event: how long an unknown payment is waited for. */
  | { readonly kind: 'payment_refunded'; readonly eventId: string; readonly eventCreatedAt: string; readonly paymentId: string; readonly amountRefundedCents: number }
  | { readonly kind: 'dispute_opened'; readonly eventId: string; readonly eventCreatedAt: string; readonly paymentId: string }
  | { readonly kind: 'dispute_closed'; readonly eventId: string; readonly eventCreatedAt: string; readonly paymentId: string; readonly won: boolean }
  | { readonly kind: 'subscription_changed'; readonly eventId: string; readonly facts: SubscriptionFacts }
  | { readonly kind: 'subscription_ended'; readonly eventId: string; readonly accountId: string; readonly subscriptionId: string; readonly eventCreatedAt: string }
  | {
      readonly kind: 'period_paid';
      readonly eventId: string;
      readonly accountId: string;
      readonly subscriptionId: string;
      readonly periodStart: string;
      readonly periodEnd: string;
      readonly invoiceId: string;
      readonly amountPaidCents: number;
      /** The plan the invoice paid for (from its line's price), when the provider's price is one of ours. */
      readonly plan: PaidPlanId | null;
    }
  /** An upgrade's prorated invoice was paid (the only way an upgrade takes effect). */
  | { readonly kind: 'upgrade_paid'; readonly eventId: string; readonly accountId: string; readonly upgrade: PaidUpgrade }
  | {
      readonly kind: 'payg_invoice_paid';
      readonly eventId: string;
      readonly accountId: string;
      /** Ours (`inv_payg_…`). */
      readonly invoiceId: string;
      /** The provider's. */
      readonly providerInvoiceId: string;
      readonly amountPaidCents: number;
    }
  /** A type we do not act on, or a payment that is not one of our top-ups. */
  | { readonly kind: 'ignored'; readonly eventId: string; readonly type: string };
