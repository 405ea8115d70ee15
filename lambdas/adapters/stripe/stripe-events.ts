/**
 * Reads verified Stripe webhook events into ProviderEvents. Only the fields we act on are read, each
 * checked with zod; metadata we set ourselves (account_id, credits, purpose, topup_id) tells which
 * payments are top-ups. Anything else is `ignored`, never an error (Stripe would retry it forever).
 */
import * as z from 'zod';
import type { ProviderEvent } from '../../domain/provider-event';
import type { PaidPlanId } from '../../domain/subscription';

/** Which of our plans a provider price is (null: not one of ours). */
export type PlanOfPrice = (priceId: string) => PaidPlanId | null;

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
  items: z.object({ data: z.array(z.object({ current_period_start: epoch.optional(), current_period_end: epoch.optional(), price: z.object({ id: StripeId }).nullish() })).min(1) }),
});
const PaygInvoice = z.object({ id: StripeId, amount_paid: z.number().int().nonnegative().default(0), metadata: z.object({ account_id: z.string().min(1).max(128), payg_invoice_id: z.string().regex(/^inv_payg_[0-9]+$/) }) });
/** Since API 2025-03-31 a line's price is under `pricing.price_details`; before, `price` (or `plan`). */
const InvoiceLine = z.object({
  amount: z.number().int().default(0),
  period: z.object({ start: epoch, end: epoch }),
  pricing: z.object({ price_details: z.object({ price: StripeId }).nullish() }).nullish(),
  price: z.object({ id: StripeId }).nullish(),
  plan: z.object({ id: StripeId }).nullish(),
});
type InvoiceLine = z.infer<typeof InvoiceLine>;
const priceOf = (line: InvoiceLine): string | null => line.pricing?.price_details?.price ?? line.price?.id ?? line.plan?.id ?? null;

const SubscriptionInvoice = z.object({
  id: StripeId,
  amount_paid: z.number().int().nonnegative().default(0),
  billing_reason: z.string(),
  subscription: StripeId.nullish(),
  parent: z.object({ subscription_details: z.object({ subscription: StripeId, metadata: SubscriptionMetadata.nullish() }).nullish() }).nullish(),
  subscription_details: z.object({ metadata: SubscriptionMetadata.nullish() }).nullish(),
  lines: z.object({ data: z.array(InvoiceLine).min(1) }),
});

const PaymentIntent = z.object({ id: StripeId, amount_received: z.number().int().nonnegative(), metadata: TopupMetadata });
const FailedPaymentIntent = z.object({ id: StripeId, metadata: TopupMetadata, last_payment_error: z.object({ code: z.string().optional(), decline_code: z.string().optional() }).nullish() });
const CheckoutSession = z.object({ payment_intent: StripeId, amount_total: z.number().int().nonnegative(), payment_status: z.literal('paid'), metadata: TopupMetadata });
const Charge = z.object({ payment_intent: StripeId, amount_refunded: z.number().int().nonnegative() });
const Dispute = z.object({ payment_intent: StripeId, status: z.string() });
/** How a closed dispute ended for the money. Any other status on a closed event is not understood: ignored, so the credits stay held. */
const DISPUTE_OUTCOMES: Readonly<Record<string, 'won' | 'lost'>> = { won: 'won', warning_closed: 'won', lost: 'lost' };

export function toProviderEvent(raw: unknown, planOfPrice: PlanOfPrice = () => null): ProviderEvent {
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
      return charge.success ? { kind: 'payment_refunded', eventId, eventCreatedAt, paymentId: charge.data.payment_intent, amountRefundedCents: charge.data.amount_refunded } : ignored;
    }
    case 'charge.dispute.created': {
      const dispute = Dispute.safeParse(object);
      return dispute.success ? { kind: 'dispute_opened', eventId, eventCreatedAt, paymentId: dispute.data.payment_intent } : ignored;
    }
    case 'charge.dispute.closed': {
      const dispute = Dispute.safeParse(object);
      if (!dispute.success) return ignored;
      // `warning_closed`: an inquiry that never became a chargeback; the merchant keeps the money, as when won.
      const outcome = DISPUTE_OUTCOMES[dispute.data.status];
      return outcome ? { kind: 'dispute_closed', eventId, eventCreatedAt, paymentId: dispute.data.payment_intent, won: outcome === 'won' } : ignored;
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated': {
      const sub = Subscription.safeParse(object);
      if (!sub.success || !sub.data.metadata.plan) return ignored;
      const item = sub.data.items.data[0]!;
      // The price is the truth (a pending update's metadata may lag); metadata for prices not ours.
      const plan = (item.price?.id ? planOfPrice(item.price.id) : null) ?? sub.data.metadata.plan;
      const periodStart = item.current_period_start ?? sub.data.current_period_start;
      const periodEnd = item.current_period_end ?? sub.data.current_period_end;
      if (!periodStart || !periodEnd) return ignored;
      return {
        kind: 'subscription_changed',
        eventId,
        facts: { subscriptionId: sub.data.id, accountId: sub.data.metadata.account_id, plan, status: sub.data.status, periodStart, periodEnd, cancelAtPeriodEnd: sub.data.cancel_at_period_end, eventCreatedAt },
      };
    }
    case 'customer.subscription.deleted': {
      const sub = Subscription.safeParse(object);
      return sub.success ? { kind: 'subscription_ended', eventId, accountId: sub.data.metadata.account_id, subscriptionId: sub.data.id, eventCreatedAt } : ignored;
    }
    case 'invoice.paid': {
      const payg = PaygInvoice.safeParse(object);
      if (payg.success) return { kind: 'payg_invoice_paid', eventId, accountId: payg.data.metadata.account_id, invoiceId: payg.data.metadata.payg_invoice_id, providerInvoiceId: payg.data.id, amountPaidCents: payg.data.amount_paid };
      const invoice = SubscriptionInvoice.safeParse(object);
      if (!invoice.success) return ignored;
      const subscriptionId = invoice.data.parent?.subscription_details?.subscription ?? invoice.data.subscription;
      const accountId = invoice.data.parent?.subscription_details?.metadata?.account_id ?? invoice.data.subscription_details?.metadata?.account_id;
      if (!subscriptionId || !accountId) return ignored;
      const lines = invoice.data.lines.data;
      if (invoice.data.billing_reason === 'subscription_update') return upgradeOf(lines, planOfPrice, { eventId, type, accountId, subscriptionId, invoiceId: invoice.data.id, amountPaidCents: invoice.data.amount_paid });
      if (!['subscription_create', 'subscription_cycle'].includes(invoice.data.billing_reason)) return ignored;
      // A subscription invoice's own period_start/end describe the previous period; its line holds the paid one.
      const line = lines.find((l) => l.amount >= 0) ?? lines[0]!;
      const price = priceOf(line);
      return {
        kind: 'period_paid',
        eventId,
        accountId,
        subscriptionId,
        periodStart: line.period.start,
        periodEnd: line.period.end,
        invoiceId: invoice.data.id,
        amountPaidCents: invoice.data.amount_paid,
        plan: (price ? planOfPrice(price) : null) ?? invoice.data.parent?.subscription_details?.metadata?.plan ?? invoice.data.subscription_details?.metadata?.plan ?? null,
      };
    }
    default:
      return ignored;
  }
}

/**
 * A plan change's prorated invoice: "unused time on <old price>" (negative) and "remaining time on
 * <new price>" (positive), both over [change, period end]. Which plans those prices are, and from
 * when, say what the invoice bought; an invoice we cannot read so is acknowledged (never retried)
 * and named in the log by the caller.
 */
function upgradeOf(lines: readonly InvoiceLine[], planOfPrice: PlanOfPrice, known: { eventId: string; type: string; accountId: string; subscriptionId: string; invoiceId: string; amountPaidCents: number }): ProviderEvent {
  const planOf = (line: InvoiceLine | undefined) => {
    const price = line ? priceOf(line) : null;
    return price ? planOfPrice(price) : null;
  };
  const added = lines.find((l) => l.amount > 0 && planOf(l) !== null);
  const removed = lines.find((l) => l.amount < 0 && planOf(l) !== null);
  const to = planOf(added);
  const from = planOf(removed);
  if (!added || !to || !from) return { kind: 'ignored', eventId: known.eventId, type: `${known.type}:unreadable_subscription_update` };
  return {
    kind: 'upgrade_paid',
    eventId: known.eventId,
    accountId: known.accountId,
    upgrade: { subscriptionId: known.subscriptionId, invoiceId: known.invoiceId, from, to, coveredFrom: added.period.start, periodEnd: added.period.end, amountPaidCents: known.amountPaidCents },
  };
}
