/**
 * Reads verified Stripe webhook events into ProviderEvents. Only the fields we act on are read, each
 * checked with zod; metadata we set ourselves (account_id, credits, purpose, topup_id) tells which
 * payments are top-ups. Anything else is `ignored`, never an error (Stripe would retry it forever).
 */
import * as z from 'zod';
import type { ProviderEvent } from '../../domain/provider-event';

const TopupMetadata = z.object({
  account_id: z.string().min(1).max(128),
  credits: z.string().regex(/^[1-9][0-9]{0,8}$/).transform(Number),
  purpose: z.enum(['topup', 'auto_refill']),
  topup_id: z.string().max(64).optional(),
});

/** Stripe ids are short; anything longer is not Stripe's and would not fit a key. */
const StripeId = z.string().min(1).max(255);
/** Seconds since 1970 within what a Date can hold (to year 9999). */
const EpochSeconds = z.number().int().positive().max(253_402_300_799);

const Envelope = z.object({ id: StripeId, type: z.string().min(1).max(255), created: EpochSeconds, data: z.object({ object: z.record(z.string(), z.unknown()) }) });

const epoch = EpochSeconds.transform((s) => new Date(s * 1000).toISOString());
const SubscriptionMetadata = z.object({ account_id: z.string().min(1).max(128), plan: z.enum(['BEGINNER', 'PRO', 'TEAM']).optional() });
/** Recent API versions keep the billing period on the subscription's items; older ones on the subscription. */
const Subscription = z.object({
  id: StripeId,
  status: z.string(),
  cancel_at_period_end: z.boolean(),
  metadata: SubscriptionMetadata,
  current_period_start: epoch.optional(),
  current_period_end: epoch.optional(),
  items: z.object({ data: z.array(z.object({ current_period_start: epoch.optional(), current_period_end: epoch.optional() })).min(1) }),
});
const PaygInvoice = z.object({ metadata: z.object({ account_id: z.string().min(1).max(128), payg_invoice_id: z.string().regex(/^inv_payg_[0-9]+$/) }) });
const SubscriptionInvoice = z.object({
  id: StripeId,
  amount_paid: z.number().int().nonnegative().default(0),
  billing_reason: z.string(),
  subscription: StripeId.nullish(),
  parent: z.object({ subscription_details: z.object({ subscription: StripeId, metadata: SubscriptionMetadata.nullish() }).nullish() }).nullish(),
  subscription_details: z.object({ metadata: SubscriptionMetadata.nullish() }).nullish(),
  lines: z.object({ data: z.array(z.object({ period: z.object({ start: epoch, end: epoch }) })).min(1) }),
});

const PaymentIntent = z.object({ id: StripeId, amount_received: z.number().int().nonnegative(), metadata: TopupMetadata });
const FailedPaymentIntent = z.object({ id: StripeId, metadata: TopupMetadata, last_payment_error: z.object({ code: z.string().optional(), decline_code: z.string().optional() }).nullish() });
const CheckoutSession = z.object({ payment_intent: StripeId, amount_total: z.number().int().nonnegative(), payment_status: z.literal('paid'), metadata: TopupMetadata });
const Charge = z.object({ payment_intent: StripeId, amount_refunded: z.number().int().nonnegative() });
const Dispute = z.object({ payment_intent: StripeId, status: z.string() });
/** How a closed dispute ended for the money. Any other status on a closed event is not understood: ignored, so the credits stay held. */
const DISPUTE_OUTCOMES: Readonly<Record<string, 'won' | 'lost'>> = { won: 'won', warning_closed: 'won', lost: 'lost' };

export function toProviderEvent(raw: unknown): ProviderEvent {
  const parsed = Envelope.safeParse(raw);
  // Signed by Stripe but not an event we can read: acknowledge it rather than have it retried for days.
  if (!parsed.success) return { kind: 'ignored', eventId: '', type: 'unreadable' };
  const envelope = parsed.data;
  const { id: eventId, type } = envelope;
  const eventCreatedAt = new Date(envelope.created * 1000).toISOString();
  const object = envelope.data.object;
  const ignored: ProviderEvent = { kind: 'ignored', eventId, type };
  switch (type) {
    case 'payment_intent.succeeded': {
      const pi = PaymentIntent.safeParse(object);
      if (!pi.success) return ignored;
      const m = pi.data.metadata;
      return { kind: 'payment_succeeded', eventId, facts: { paymentId: pi.data.id, accountId: m.account_id, topupId: m.topup_id ?? null, credits: m.credits, purpose: m.purpose, amountReceivedCents: pi.data.amount_received } };
    }
    case 'checkout.session.completed': {
      const session = CheckoutSession.safeParse(object);
      if (!session.success) return ignored;
      const m = session.data.metadata;
      return { kind: 'payment_succeeded', eventId, facts: { paymentId: session.data.payment_intent, accountId: m.account_id, topupId: m.topup_id ?? null, credits: m.credits, purpose: m.purpose, amountReceivedCents: session.data.amount_total } };
    }
    case 'payment_intent.payment_failed': {
      const pi = FailedPaymentIntent.safeParse(object);
      if (!pi.success) return ignored;
      const reason = pi.data.last_payment_error?.decline_code ?? pi.data.last_payment_error?.code ?? 'payment_failed';
      return { kind: 'payment_failed', eventId, paymentId: pi.data.id, accountId: pi.data.metadata.account_id, topupId: pi.data.metadata.topup_id ?? null, purpose: pi.data.metadata.purpose, reason };
    }
    case 'charge.refunded': {
      const charge = Charge.safeParse(object);
      return charge.success ? { kind: 'payment_refunded', eventId, paymentId: charge.data.payment_intent, amountRefundedCents: charge.data.amount_refunded } : ignored;
    }
    case 'charge.dispute.created': {
      const dispute = Dispute.safeParse(object);
      return dispute.success ? { kind: 'dispute_opened', eventId, paymentId: dispute.data.payment_intent } : ignored;
    }
    case 'charge.dispute.closed': {
      const dispute = Dispute.safeParse(object);
      if (!dispute.success) return ignored;
      // `warning_closed`: an inquiry that never became a chargeback; the merchant keeps the money, as when won.
      const outcome = DISPUTE_OUTCOMES[dispute.data.status];
      return outcome ? { kind: 'dispute_closed', eventId, paymentId: dispute.data.payment_intent, won: outcome === 'won' } : ignored;
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated': {
      const sub = Subscription.safeParse(object);
      if (!sub.success || !sub.data.metadata.plan) return ignored;
      const item = sub.data.items.data[0]!;
      const periodStart = item.current_period_start ?? sub.data.current_period_start;
      const periodEnd = item.current_period_end ?? sub.data.current_period_end;
      if (!periodStart || !periodEnd) return ignored;
      return {
        kind: 'subscription_changed',
        eventId,
        facts: { subscriptionId: sub.data.id, accountId: sub.data.metadata.account_id, plan: sub.data.metadata.plan, status: sub.data.status, periodStart, periodEnd, cancelAtPeriodEnd: sub.data.cancel_at_period_end, eventCreatedAt },
      };
    }
    case 'customer.subscription.deleted': {
      const sub = Subscription.safeParse(object);
      return sub.success ? { kind: 'subscription_ended', eventId, accountId: sub.data.metadata.account_id, subscriptionId: sub.data.id, eventCreatedAt } : ignored;
    }
    case 'invoice.paid': {
      const payg = PaygInvoice.safeParse(object);
      if (payg.success) return { kind: 'payg_invoice_paid', eventId, accountId: payg.data.metadata.account_id, invoiceId: payg.data.metadata.payg_invoice_id };
      const invoice = SubscriptionInvoice.safeParse(object);
      if (!invoice.success || !['subscription_create', 'subscription_cycle'].includes(invoice.data.billing_reason)) return ignored;
      const subscriptionId = invoice.data.parent?.subscription_details?.subscription ?? invoice.data.subscription;
      const accountId = invoice.data.parent?.subscription_details?.metadata?.account_id ?? invoice.data.subscription_details?.metadata?.account_id;
      // A subscription invoice's own period_start/end describe the previous period; its line holds the paid one.
      const period = invoice.data.lines.data[0]!.period;
      return subscriptionId && accountId
        ? { kind: 'period_paid', eventId, accountId, subscriptionId, periodStart: period.start, periodEnd: period.end, invoiceId: invoice.data.id, amountPaidCents: invoice.data.amount_paid }
        : ignored;
    }
    default:
      return ignored;
  }
}
