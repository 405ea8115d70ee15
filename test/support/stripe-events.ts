/** Stripe-shaped webhook events for tests, signed with stripe-node's own test header helper. */
import Stripe from 'stripe';
import { TEST_WEBHOOK_SECRET } from './test-service';

let counter = 0;

export function stripeEvent(type: string, object: Record<string, unknown>, id = `evt_test_${Date.now().toString(36)}_${(counter += 1)}`): string {
  return JSON.stringify({ id, object: 'event', api_version: '2026-01-01', created: Math.floor(Date.now() / 1000), livemode: false, type, data: { object } });
}

export function sign(payload: string, options: { secret?: string; timestamp?: number } = {}): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? TEST_WEBHOOK_SECRET, ...(options.timestamp ? { timestamp: options.timestamp } : {}) });
}

export function topupMetadata(accountId: string, credits: number, topupId?: string) {
  return { account_id: accountId, credits: String(credits), purpose: 'topup', ...(topupId ? { topup_id: topupId } : {}) };
}

export function paymentSucceeded(paymentId: string, accountId: string, credits: number, amountReceivedCents = credits) {
  return stripeEvent('payment_intent.succeeded', { id: paymentId, object: 'payment_intent', amount: amountReceivedCents, amount_received: amountReceivedCents, currency: 'usd', status: 'succeeded', metadata: topupMetadata(accountId, credits) });
}

export function checkoutCompleted(paymentId: string, accountId: string, credits: number) {
  return stripeEvent('checkout.session.completed', { id: `cs_test_${paymentId}`, object: 'checkout.session', mode: 'payment', payment_intent: paymentId, amount_total: credits, payment_status: 'paid', metadata: topupMetadata(accountId, credits) });
}
