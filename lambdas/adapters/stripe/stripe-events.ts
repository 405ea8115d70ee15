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

const Envelope = z.object({ id: z.string().min(1), type: z.string().min(1), data: z.object({ object: z.record(z.string(), z.unknown()) }) });

const PaymentIntent = z.object({ id: z.string(), amount_received: z.number().int().nonnegative(), metadata: TopupMetadata });
const FailedPaymentIntent = z.object({ id: z.string(), metadata: TopupMetadata, last_payment_error: z.object({ code: z.string().optional(), decline_code: z.string().optional() }).nullish() });
const CheckoutSession = z.object({ payment_intent: z.string(), amount_total: z.number().int().nonnegative(), payment_status: z.literal('paid'), metadata: TopupMetadata });
const Charge = z.object({ payment_intent: z.string(), amount_refunded: z.number().int().nonnegative() });
const Dispute = z.object({ payment_intent: z.string(), status: z.string() });

export function toProviderEvent(raw: unknown): ProviderEvent {
  const envelope = Envelope.parse(raw);
  const { id: eventId, type } = envelope;
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
      return dispute.success ? { kind: 'dispute_closed', eventId, paymentId: dispute.data.payment_intent, won: dispute.data.status === 'won' } : ignored;
    }
    default:
      return ignored;
  }
}
