/**
 * StripePaymentGateway through the real stripe-node client against a fake Stripe API on 127.0.0.1:
 * what Stripe receives (parameters, metadata, idempotency keys, API version) and how answers and
 * refusals come back through the port. No DynamoDB needed.
 */
import Stripe from 'stripe';
import { TIME_BUDGETS } from '../../lambdas/shared/time-budget';
import { STRIPE_API_VERSION, StripePaymentGateway, createStripeClient } from '../../lambdas/adapters/stripe/stripe-payment-gateway';
import type { CreatePaymentInput } from '../../lambdas/domain/payment-gateway';
import { FakeStripeApi, type RunningFakeStripe } from '../fakes/fake-stripe-api';

const PRICES = { price_beginner_m: 900, price_pro_m: 2900, price_team_m: 9900 };
const PRICE_IDS = { BEGINNER: 'price_beginner_m', PRO: 'price_pro_m', TEAM: 'price_team_m' } as const;

let fake: FakeStripeApi;
let server: RunningFakeStripe;
let gateway: StripePaymentGateway;
/** The fake's clock (Unix seconds): subscriptions start at T0, their period lasts 30 days. */
const T0 = 1_800_000_000;
const DAY = 86_400;
let nowSeconds = T0;

beforeEach(async () => {
  nowSeconds = T0;
  fake = new FakeStripeApi({ prices: PRICES, nowSeconds: () => nowSeconds });
  server = await fake.start();
  gateway = new StripePaymentGateway(createStripeClient({ secretKey: 'sk_test_fake', host: '127.0.0.1', port: server.port, protocol: 'http' }), { priceIds: PRICE_IDS });
});

afterEach(async () => {
  await server.stop();
});

function topup(customerId: string, overrides: Partial<CreatePaymentInput> = {}): CreatePaymentInput {
  return { accountId: 'acc_1', customerId, topupId: 'top_1', credits: 500, amountCents: 2500, currency: 'usd', purpose: 'topup', idempotencyKey: 'topup:acc_1:top_1', ...overrides };
}

describe('createStripeClient', () => {
  it('pins the API version of the installed stripe-node and sends the secret key as a bearer token', async () => {
    await gateway.ensureCustomer('acc_1');

    const [request] = fake.requests;
    expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
    expect(request?.stripeVersion).toBe(STRIPE_API_VERSION);
    expect(request?.authorization).toBe('Bearer sk_test_fake');
  });

  it('refuses an empty secret key', () => {
    expect(() => createStripeClient({ secretKey: '' })).toThrow(/secret key/);
  });
});

describe('StripePaymentGateway', () => {
  it('refuses a missing plan price id', () => {
    const stripe = createStripeClient({ secretKey: 'sk_test_fake', host: '127.0.0.1', port: server.port, protocol: 'http' });
    expect(() => new StripePaymentGateway(stripe, { priceIds: { ...PRICE_IDS, TEAM: '' } })).toThrow(/TEAM/);
  });
});

describe('ensureCustomer', () => {
  it('creates the customer with the account id in metadata under a key derived from the account', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');

    expect(customerId).toMatch(/^cus_/);
    expect(fake.requestsTo('POST', '/v1/customers')).toEqual([expect.objectContaining({ params: { metadata: { account_id: 'acc_1' } }, idempotencyKey: 'customer:acc_1', status: 200 })]);
  });

  it('returns the same customer when called again, one after the other or at once', async () => {
    const first = await gateway.ensureCustomer('acc_1');
    const [second, third] = await Promise.all([gateway.ensureCustomer('acc_1'), gateway.ensureCustomer('acc_1')]);

    expect([second, third]).toEqual([first, first]);
    expect(fake.list('customer')).toHaveLength(1);
    expect(fake.requestsTo('POST', '/v1/customers').map((r) => r.replayed)).toEqual([false, true, true]);
  });

  it('creates one customer per account', async () => {
    const [a, b] = await Promise.all([gateway.ensureCustomer('acc_1'), gateway.ensureCustomer('acc_2')]);

    expect(a).not.toBe(b);
    expect(fake.list('customer')).toHaveLength(2);
  });
});

describe('savedCard', () => {
  it('is null for a customer without cards', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');

    await expect(gateway.savedCard(customerId)).resolves.toBeNull();
  });

  it("is the customer's default payment method, read with one expanded retrieve", async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    fake.addCard(customerId, { brand: 'visa', last4: '1111', makeDefault: false });
    const defaultCard = fake.addCard(customerId, { brand: 'mastercard', last4: '4444' });
    fake.addCard(customerId, { brand: 'amex', last4: '0005', makeDefault: false });

    const card = await gateway.savedCard(customerId);

    expect(card).toEqual({ paymentMethodId: defaultCard, brand: 'mastercard', last4: '4444' });
    expect(fake.requestsTo('GET', `/v1/customers/${customerId}`)[0]?.params).toEqual({ expand: ['invoice_settings.default_payment_method'] });
    expect(fake.requestsTo('GET', '/v1/payment_methods')).toHaveLength(0);
  });

  it("falls back to the customer's newest card when none is the default", async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    fake.addCard(customerId, { last4: '1111', makeDefault: false });
    const newest = fake.addCard(customerId, { brand: 'visa', last4: '4242', makeDefault: false });

    const card = await gateway.savedCard(customerId);

    expect(card).toEqual({ paymentMethodId: newest, brand: 'visa', last4: '4242' });
    expect(fake.requestsTo('GET', '/v1/payment_methods')[0]?.params).toEqual({ customer: customerId, type: 'card', limit: '1' });
  });

  it('is null for a deleted customer', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    fake.addCard(customerId);
    fake.deleteCustomer(customerId);

    await expect(gateway.savedCard(customerId)).resolves.toBeNull();
  });
});

describe('createPayment on-session', () => {
  it('creates a PaymentIntent with our metadata and key and returns its client secret', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');

    const payment = await gateway.createPayment(topup(customerId));

    expect(payment).toEqual({ paymentId: expect.stringMatching(/^pi_/), status: 'requires_payment_method', clientSecret: expect.stringMatching(/^pi_.+_secret_/) });
    expect(payment.clientSecret?.startsWith(`${payment.paymentId}_secret_`)).toBe(true);
    expect(fake.requestsTo('POST', '/v1/payment_intents')).toEqual([
      expect.objectContaining({
        idempotencyKey: 'topup:acc_1:top_1',
        params: {
          amount: '2500',
          currency: 'usd',
          customer: customerId,
          description: 'Top-up: 500 credits',
          metadata: { account_id: 'acc_1', topup_id: 'top_1', credits: '500', purpose: 'topup' },
          automatic_payment_methods: { enabled: 'true' },
          // Saved for later off-session charges (auto-refill, PAYG invoices).
          setup_future_usage: 'off_session',
        },
      }),
    ]);
  });

  it('returns the same PaymentIntent when retried with the same key', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');

    const first = await gateway.createPayment(topup(customerId));
    const second = await gateway.createPayment(topup(customerId));

    expect(second).toEqual(first);
    expect(fake.list('payment_intent')).toHaveLength(1);
  });

  it('lets Stripe refuse the same key with other parameters', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    await gateway.createPayment(topup(customerId));

    await expect(gateway.createPayment(topup(customerId, { amountCents: 9900 }))).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(fake.list('payment_intent')).toHaveLength(1);
  });
});

describe('createPayment off-session (auto-refill)', () => {
  it('confirms the saved card at once', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    const card = fake.addCard(customerId);

    const payment = await gateway.createPayment(topup(customerId, { purpose: 'auto_refill', offSessionPaymentMethodId: card, idempotencyKey: 'refill:acc_1:1' }));

    expect(payment).toEqual({ paymentId: expect.stringMatching(/^pi_/), status: 'succeeded', clientSecret: null });
    const [request] = fake.requestsTo('POST', '/v1/payment_intents');
    expect(request?.idempotencyKey).toBe('refill:acc_1:1');
    expect(request?.params).toEqual({
      amount: '2500',
      currency: 'usd',
      customer: customerId,
      description: 'Auto-refill: 500 credits',
      metadata: { account_id: 'acc_1', topup_id: 'top_1', credits: '500', purpose: 'auto_refill' },
      payment_method: card,
      off_session: 'true',
      confirm: 'true',
    });
  });

  it('returns a decline as card_declined instead of throwing, also when retried', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    const card = fake.addCard(customerId, { behaviour: 'declines' });
    const input = topup(customerId, { purpose: 'auto_refill', offSessionPaymentMethodId: card });

    const first = await gateway.createPayment(input);
    const retried = await gateway.createPayment(input);

    const [intent] = fake.list('payment_intent');
    expect(first).toEqual({ paymentId: intent?.id, status: 'failed', clientSecret: null, declineCode: 'card_declined' });
    expect(retried).toEqual(first);
    expect(fake.requestsTo('POST', '/v1/payment_intents').map((r) => [r.status, r.replayed])).toEqual([
      [402, false],
      [402, true],
    ]);
  });

  it('returns a required authentication as requires_action / authentication_required', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    const card = fake.addCard(customerId, { behaviour: 'requires_action' });

    const payment = await gateway.createPayment(topup(customerId, { purpose: 'auto_refill', offSessionPaymentMethodId: card }));

    const [intent] = fake.list('payment_intent');
    expect(payment).toEqual({ paymentId: intent?.id, status: 'requires_action', clientSecret: null, declineCode: 'authentication_required' });
  });

  it('throws errors that are not card refusals', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    const otherCustomer = await gateway.ensureCustomer('acc_2');
    const foreignCard = fake.addCard(otherCustomer);

    await expect(gateway.createPayment(topup(customerId, { offSessionPaymentMethodId: foreignCard }))).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });
});

describe('network retries (maxNetworkRetries 2)', () => {
  it('retries a 5xx with the same idempotency key and creates one PaymentIntent', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    fake.failNextRequests(1);

    const payment = await gateway.createPayment(topup(customerId));

    const attempts = fake.requestsTo('POST', '/v1/payment_intents');
    expect(attempts.map((r) => r.status)).toEqual([500, 200]);
    expect(new Set(attempts.map((r) => r.idempotencyKey))).toEqual(new Set(['topup:acc_1:top_1']));
    expect(fake.list('payment_intent').map((pi) => pi.id)).toEqual([payment.paymentId]);
  });

  it('gives up after one retry (the time budget: both attempts fit in an HTTP function) and throws the API error', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    fake.failNextRequests(2);

    await expect(gateway.createPayment(topup(customerId))).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(fake.requestsTo('POST', '/v1/payment_intents')).toHaveLength(1 + TIME_BUDGETS.stripeMaxNetworkRetries);
    expect(fake.list('payment_intent')).toHaveLength(0);
  });
});

describe('createOrChangeSubscription', () => {
  it('creates an incomplete subscription on the plan price and returns the first invoice’s client secret', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');

    const result = await gateway.createOrChangeSubscription({ accountId: 'acc_1', customerId, plan: 'PRO', subscriptionId: null, idempotencyKey: 'sub:acc_1:1' });

    const [invoice] = fake.list('invoice');
    const invoiceIntent = fake.list('payment_intent').find((pi) => pi.amount === 2900);
    expect(result).toEqual({ subscriptionId: expect.stringMatching(/^sub_/), status: 'incomplete', clientSecret: invoiceIntent?.client_secret });
    expect(invoice).toMatchObject({ status: 'open', amount_due: 2900 });
    expect(fake.requestsTo('POST', '/v1/subscriptions')).toEqual([
      expect.objectContaining({
        idempotencyKey: 'sub:acc_1:1',
        params: {
          customer: customerId,
          items: [{ price: 'price_pro_m' }],
          metadata: { account_id: 'acc_1', plan: 'PRO' },
          payment_behavior: 'default_incomplete',
          payment_settings: { save_default_payment_method: 'on_subscription' },
          expand: ['latest_invoice.confirmation_secret'],
        },
      }),
    ]);
  });

  it('a downgrade swaps the price on the same item with nothing prorated (nothing credited back)', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    const created = await gateway.createOrChangeSubscription({ accountId: 'acc_1', customerId, plan: 'BEGINNER', subscriptionId: null, idempotencyKey: 'sub:acc_1:1' });
    fake.payLatestInvoice(created.subscriptionId);
    const [before] = fake.list('subscription');
    const itemId = (before?.items as { data: { id: string }[] }).data[0]?.id;

    const change = { accountId: 'acc_1', customerId, plan: 'TEAM' as const, subscriptionId: created.subscriptionId, proration: 'none' as const, idempotencyKey: 'sub:acc_1:2' };
    const changed = await gateway.createOrChangeSubscription(change);
    const retried = await gateway.createOrChangeSubscription(change);

    expect(changed).toEqual({ subscriptionId: created.subscriptionId, status: 'active', clientSecret: null, pendingPayment: false });
    expect(retried).toEqual(changed);
    const updates = fake.requestsTo('POST', `/v1/subscriptions/${created.subscriptionId}`);
    expect(updates.map((r) => r.replayed)).toEqual([false, true]);
    expect(updates[0]).toMatchObject({
      idempotencyKey: 'sub:acc_1:2',
      params: { items: [{ id: itemId, price: 'price_team_m' }], proration_behavior: 'none', metadata: { account_id: 'acc_1', plan: 'TEAM' } },
    });
    const [after] = fake.list('subscription');
    expect((after?.items as { data: { id: string; price: { id: string } }[] }).data.map((i) => [i.id, i.price.id])).toEqual([[itemId, 'price_team_m']]);
    expect(after?.metadata).toEqual({ account_id: 'acc_1', plan: 'TEAM' });
    expect(fake.list('subscription')).toHaveLength(1);
  });
});

describe('cancelSubscriptionAtPeriodEnd', () => {
  it('sets cancel_at_period_end under the given key', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    const { subscriptionId } = await gateway.createOrChangeSubscription({ accountId: 'acc_1', customerId, plan: 'PRO', subscriptionId: null, idempotencyKey: 'sub:acc_1:1' });
    fake.payLatestInvoice(subscriptionId);

    await gateway.cancelSubscriptionAtPeriodEnd({ subscriptionId, idempotencyKey: 'cancel:acc_1:1' });

    expect(fake.requestsTo('POST', `/v1/subscriptions/${subscriptionId}`)).toEqual([expect.objectContaining({ params: { cancel_at_period_end: 'true' }, idempotencyKey: 'cancel:acc_1:1', status: 200 })]);
    expect(fake.list('subscription')[0]).toMatchObject({ cancel_at_period_end: true, status: 'active' });
  });
});

describe('invoicePaygUsage', () => {
  const usage = (customerId: string) => ({ accountId: 'acc_1', customerId, credits: 1200, amountCents: 4800, invoiceId: 'inv_payg_7', idempotencyKey: 'payg:acc_1:2026-11-01' });

  it('adds an invoice item, invoices it automatically and finalizes the invoice, each step under its own key', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    fake.addCard(customerId);

    const { invoiceId } = await gateway.invoicePaygUsage(usage(customerId));

    const metadata = { account_id: 'acc_1', payg_invoice_id: 'inv_payg_7', credits: '1200' };
    expect(fake.requestsTo('POST', '/v1/invoiceitems')).toEqual([
      expect.objectContaining({ idempotencyKey: 'payg:acc_1:2026-11-01:item', params: { customer: customerId, amount: '4800', currency: 'usd', description: 'Pay-as-you-go credits (inv_payg_7)', metadata } }),
    ]);
    expect(fake.requestsTo('POST', '/v1/invoices')).toEqual([
      expect.objectContaining({
        idempotencyKey: 'payg:acc_1:2026-11-01:invoice',
        params: { customer: customerId, auto_advance: 'true', collection_method: 'charge_automatically', pending_invoice_items_behavior: 'include', metadata },
      }),
    ]);
    expect(fake.requestsTo('POST', `/v1/invoices/${invoiceId}/finalize`)).toEqual([expect.objectContaining({ idempotencyKey: 'payg:acc_1:2026-11-01:finalize', status: 200 })]);
    const [invoice] = fake.list('invoice');
    expect(invoice).toMatchObject({ id: invoiceId, status: 'open', amount_due: 4800, auto_advance: true, metadata });
    expect(fake.list('invoiceitem')).toEqual([expect.objectContaining({ invoice: invoiceId, amount: 4800 })]);
  });

  it('returns the same invoice when the whole call is retried', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');

    const first = await gateway.invoicePaygUsage(usage(customerId));
    const second = await gateway.invoicePaygUsage(usage(customerId));

    expect(second).toEqual(first);
    expect(fake.list('invoice')).toHaveLength(1);
    expect(fake.list('invoiceitem')).toHaveLength(1);
  });
});

type ListedSubscription = { id: string; status: string; metadata: Record<string, string>; latest_invoice: string; items: { data: { id: string; price: { id: string } }[] }; pending_update: { expires_at: number; metadata: Record<string, string> | null; subscription_items: { id: string; price: { id: string } }[] } | null };
const subscriptionNow = () => fake.list('subscription')[0] as unknown as ListedSubscription;
const pricesOf = (sub: ListedSubscription) => sub.items.data.map((i) => i.price.id);
const invoice = (id: string) => fake.list('invoice').find((i) => i.id === id)!;
const intentOf = (invoiceId: string) => fake.list('invoice_payment').find((p) => p.invoice === invoiceId)?.payment as { payment_intent: string } | undefined;

/** A customer with a default card (`behaviour`) subscribed to `plan` and paid: active at T0. */
async function activeSubscription(plan: 'BEGINNER' | 'PRO' | 'TEAM', behaviour: 'succeeds' | 'declines' | 'requires_action' = 'succeeds'): Promise<{ customerId: string; subscriptionId: string; itemId: string; card: string }> {
  const customerId = await gateway.ensureCustomer('acc_1');
  const card = fake.addCard(customerId, { behaviour });
  const { subscriptionId } = await gateway.createOrChangeSubscription({ accountId: 'acc_1', customerId, plan, subscriptionId: null, idempotencyKey: 'sub:acc_1:1' });
  fake.payLatestInvoice(subscriptionId);
  return { customerId, subscriptionId, itemId: subscriptionNow().items.data[0]!.id, card };
}

describe('plan changes (always_invoice + pending_if_incomplete for upgrades, no proration for downgrades)', () => {
  const halfway = new Date((T0 + 15 * DAY) * 1000).toISOString();
  const upgrade = (customerId: string, subscriptionId: string, key = 'upgrade:acc_1:1') =>
    gateway.createOrChangeSubscription({ accountId: 'acc_1', customerId, plan: 'TEAM', subscriptionId, proration: 'invoice_now', prorationDate: halfway, idempotencyKey: key });

  it('an upgrade paid at once: the prorated difference is invoiced and charged now, and the new price and metadata apply', async () => {
    const { customerId, subscriptionId, itemId } = await activeSubscription('BEGINNER');
    nowSeconds = T0 + 15 * DAY;

    const result = await upgrade(customerId, subscriptionId);

    expect(result).toEqual({ subscriptionId, status: 'active', clientSecret: null, pendingPayment: false });
    expect(fake.requestsTo('POST', `/v1/subscriptions/${subscriptionId}`)).toEqual([
      expect.objectContaining({
        idempotencyKey: 'upgrade:acc_1:1',
        status: 200,
        params: {
          items: [{ id: itemId, price: 'price_team_m' }],
          proration_behavior: 'always_invoice',
          payment_behavior: 'pending_if_incomplete',
          proration_date: String(T0 + 15 * DAY),
          metadata: { account_id: 'acc_1', plan: 'TEAM' },
          expand: ['latest_invoice.confirmation_secret'],
        },
      }),
    ]);
    const after = subscriptionNow();
    expect(pricesOf(after)).toEqual(['price_team_m']);
    expect(after).toMatchObject({ status: 'active', pending_update: null, metadata: { account_id: 'acc_1', plan: 'TEAM' } });
    // Half the period left: 9900/2 for TEAM, less 900/2 unused on BEGINNER.
    expect(invoice(after.latest_invoice)).toMatchObject({ billing_reason: 'subscription_update', status: 'paid', amount_due: 4950 - 450, amount_paid: 4500 });
    await expect(gateway.invoicePaymentId(after.latest_invoice)).resolves.toBe(intentOf(after.latest_invoice)?.payment_intent);
  });

  it.each(['declines', 'requires_action'] as const)('an upgrade whose card %s: nothing changes, the change waits in pending_update with the invoice’s client secret; paid later, it applies', async (behaviour) => {
    const { customerId, subscriptionId } = await activeSubscription('BEGINNER', behaviour);
    nowSeconds = T0 + 15 * DAY;

    const result = await upgrade(customerId, subscriptionId);
    const retried = await upgrade(customerId, subscriptionId);

    const pending = subscriptionNow();
    const open = invoice(pending.latest_invoice);
    const intent = fake.list('payment_intent').find((pi) => pi.id === intentOf(open.id as string)?.payment_intent)!;
    expect(result).toEqual({ subscriptionId, status: 'active', clientSecret: intent.client_secret, pendingPayment: true });
    expect(retried).toEqual(result);
    expect(open).toMatchObject({ billing_reason: 'subscription_update', status: 'open', amount_due: 4500 });
    expect(intent.status).toBe(behaviour === 'declines' ? 'requires_payment_method' : 'requires_action');
    // The old price and metadata stay; the change waits for 23 hours.
    expect(pricesOf(pending)).toEqual(['price_beginner_m']);
    expect(pending.metadata).toEqual({ account_id: 'acc_1', plan: 'BEGINNER' });
    expect(pending.pending_update).toMatchObject({ expires_at: nowSeconds + 23 * 3600, metadata: { account_id: 'acc_1', plan: 'TEAM' } });
    expect(pending.pending_update?.subscription_items.map((i) => i.price.id)).toEqual(['price_team_m']);
    await expect(gateway.subscriptionState(subscriptionId)).resolves.toEqual({ subscriptionId, status: 'active', plan: 'BEGINNER', clientSecret: null });
    await expect(gateway.invoicePaymentId(open.id as string)).resolves.toBeNull();

    fake.payLatestInvoice(subscriptionId); // the app confirms the invoice's payment with the client secret

    expect(pricesOf(subscriptionNow())).toEqual(['price_team_m']);
    expect(subscriptionNow()).toMatchObject({ pending_update: null, metadata: { account_id: 'acc_1', plan: 'TEAM' } });
    await expect(gateway.subscriptionState(subscriptionId)).resolves.toMatchObject({ plan: 'TEAM' });
    await expect(gateway.invoicePaymentId(open.id as string)).resolves.toBe(intent.id);
  });

  it('a declined upgrade left unpaid past its expiry is dropped: the old plan stays', async () => {
    const { customerId, subscriptionId } = await activeSubscription('BEGINNER', 'declines');
    await upgrade(customerId, subscriptionId);

    nowSeconds += 23 * 3600;

    await expect(gateway.subscriptionState(subscriptionId)).resolves.toMatchObject({ status: 'active', plan: 'BEGINNER' });
    expect(subscriptionNow().pending_update).toBeNull();
  });

  it('a downgrade (proration none) swaps the price at once with no invoice and no charge, even on a card that declines', async () => {
    const { customerId, subscriptionId, itemId } = await activeSubscription('TEAM', 'declines');
    const invoicesBefore = fake.list('invoice').length;
    nowSeconds = T0 + 10 * DAY;

    const result = await gateway.createOrChangeSubscription({ accountId: 'acc_1', customerId, plan: 'BEGINNER', subscriptionId, proration: 'none', idempotencyKey: 'downgrade:acc_1:1' });

    expect(result).toEqual({ subscriptionId, status: 'active', clientSecret: null, pendingPayment: false });
    expect(fake.requestsTo('POST', `/v1/subscriptions/${subscriptionId}`)[0]?.params).toEqual({ items: [{ id: itemId, price: 'price_beginner_m' }], proration_behavior: 'none', metadata: { account_id: 'acc_1', plan: 'BEGINNER' } });
    expect(pricesOf(subscriptionNow())).toEqual(['price_beginner_m']);
    expect(fake.list('invoice')).toHaveLength(invoicesBefore);
    expect(fake.list('invoiceitem')).toEqual([]); // nothing prorated for a next invoice either
  });
});

describe('invoicePaymentId', () => {
  it("is the PaymentIntent of the invoice's paid invoice payment, asked for by invoice and status", async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    const { subscriptionId } = await gateway.createOrChangeSubscription({ accountId: 'acc_1', customerId, plan: 'PRO', subscriptionId: null, idempotencyKey: 'sub:acc_1:1' });
    const invoiceId = subscriptionNow().latest_invoice;

    await expect(gateway.invoicePaymentId(invoiceId)).resolves.toBeNull(); // finalized, not paid yet
    fake.payLatestInvoice(subscriptionId);
    const paymentId = await gateway.invoicePaymentId(invoiceId);

    expect(paymentId).toMatch(/^pi_/);
    expect(paymentId).toBe(fake.list('payment_intent').find((pi) => pi.amount === 2900)?.id);
    expect(fake.requestsTo('GET', '/v1/invoice_payments').map((r) => r.params)).toEqual([
      { invoice: invoiceId, status: 'paid', limit: '1' },
      { invoice: invoiceId, status: 'paid', limit: '1' },
    ]);
  });

  it('is null for an invoice with nothing charged', async () => {
    await expect(gateway.invoicePaymentId('in_unknown')).resolves.toBeNull();
  });
});

describe('cancelSubscriptionNow', () => {
  it('cancels an unpaid subscription at once (a DELETE)', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    const { subscriptionId } = await gateway.createOrChangeSubscription({ accountId: 'acc_1', customerId, plan: 'PRO', subscriptionId: null, idempotencyKey: 'sub:acc_1:1' });

    await gateway.cancelSubscriptionNow({ subscriptionId, idempotencyKey: `abandon:${subscriptionId}` });

    expect(fake.requestsTo('DELETE', `/v1/subscriptions/${subscriptionId}`)).toEqual([expect.objectContaining({ status: 200, idempotencyKey: `abandon:${subscriptionId}` })]);
    expect(subscriptionNow()).toMatchObject({ status: 'canceled', canceled_at: T0 });
  });

  it('is done when asked again: Stripe answers 404 for a canceled subscription (a DELETE has no idempotent replay)', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    const { subscriptionId } = await gateway.createOrChangeSubscription({ accountId: 'acc_1', customerId, plan: 'PRO', subscriptionId: null, idempotencyKey: 'sub:acc_1:1' });
    await gateway.cancelSubscriptionNow({ subscriptionId, idempotencyKey: `abandon:${subscriptionId}` });

    await expect(gateway.cancelSubscriptionNow({ subscriptionId, idempotencyKey: `abandon:${subscriptionId}` })).resolves.toBeUndefined();

    expect(fake.requestsTo('DELETE', `/v1/subscriptions/${subscriptionId}`).map((r) => r.status)).toEqual([200, 404]);
  });

  it('is done when its first answer was lost and stripe-node’s retry finds the subscription already canceled', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    const { subscriptionId } = await gateway.createOrChangeSubscription({ accountId: 'acc_1', customerId, plan: 'PRO', subscriptionId: null, idempotencyKey: 'sub:acc_1:1' });
    fake.loseNextAnswers(1);

    await gateway.cancelSubscriptionNow({ subscriptionId, idempotencyKey: `abandon:${subscriptionId}` });

    expect(fake.requestsTo('DELETE', `/v1/subscriptions/${subscriptionId}`).map((r) => r.status)).toEqual([200, 404]);
    expect(subscriptionNow().status).toBe('canceled');
  });

  it('is done for a subscription Stripe expired unpaid, and for one it does not know', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    const { subscriptionId } = await gateway.createOrChangeSubscription({ accountId: 'acc_1', customerId, plan: 'PRO', subscriptionId: null, idempotencyKey: 'sub:acc_1:1' });
    fake.setSubscriptionStatus(subscriptionId, 'incomplete_expired');

    await expect(gateway.cancelSubscriptionNow({ subscriptionId, idempotencyKey: 'abandon:1' })).resolves.toBeUndefined();
    await expect(gateway.cancelSubscriptionNow({ subscriptionId: 'sub_missing', idempotencyKey: 'abandon:2' })).resolves.toBeUndefined();
  });

  it('still throws any other error', async () => {
    fake.failNextRequests(3);

    await expect(gateway.cancelSubscriptionNow({ subscriptionId: 'sub_x', idempotencyKey: 'abandon:x' })).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
  });
});

describe('subscriptionState', () => {
  it('an unpaid subscription: incomplete, its plan, and the first invoice’s client secret to pay it with', async () => {
    const customerId = await gateway.ensureCustomer('acc_1');
    const created = await gateway.createOrChangeSubscription({ accountId: 'acc_1', customerId, plan: 'PRO', subscriptionId: null, idempotencyKey: 'sub:acc_1:1' });

    const state = await gateway.subscriptionState(created.subscriptionId);

    expect(state).toEqual({ subscriptionId: created.subscriptionId, status: 'incomplete', plan: 'PRO', clientSecret: created.clientSecret });
    expect(state?.clientSecret).toMatch(/^pi_.+_secret_/);
    expect(fake.requestsTo('GET', `/v1/subscriptions/${created.subscriptionId}`).at(-1)?.params).toEqual({ expand: ['latest_invoice.confirmation_secret'] });
  });

  it('paid: active with no secret; canceled: canceled; unknown: null', async () => {
    const { subscriptionId } = await activeSubscription('TEAM');
    await expect(gateway.subscriptionState(subscriptionId)).resolves.toEqual({ subscriptionId, status: 'active', plan: 'TEAM', clientSecret: null });

    await gateway.cancelSubscriptionNow({ subscriptionId, idempotencyKey: 'cancel:1' });
    await expect(gateway.subscriptionState(subscriptionId)).resolves.toMatchObject({ status: 'canceled', plan: 'TEAM' });
    await expect(gateway.subscriptionState('sub_missing')).resolves.toBeNull();
  });
});
