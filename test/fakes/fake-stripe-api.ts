/**
 * A small fake of the Stripe API (v1, form-encoded) for the endpoints StripePaymentGateway calls, so
 * the adapter can be tested through the real stripe-node client (`host`/`port`/`protocol` options).
 *
 * Like Stripe it: needs `Authorization: Bearer sk_…`; refuses unknown parameters; replays the saved
 * answer for a repeated `Idempotency-Key` with the same parameters (`Idempotent-Replayed: true`) and
 * answers 400 `idempotency_error` for the same key with other parameters (keys are scoped per API
 * key); saves successes and card errors under a key, but not parameter errors (Stripe saves a result
 * only once the endpoint started executing). Requests are handled one at a time after their body is
 * read, so two concurrent requests with one key cannot both execute.
 *
 * Test controls: cards whose charges succeed, decline (402 card_declined) or need authentication
 * (402 authentication_required off-session, `requires_action` on-session); failing the next N requests
 * with a 5xx (never saved under their key, as if they failed before reaching the endpoint); losing the
 * answers of the next N requests (they ran, the connection drops, stripe-node retries); every
 * request recorded (method, path, parsed params, idempotency key, Authorization, Stripe-Version).
 *
 * Plan changes, as Stripe documents them (API reference, "Pending updates", "Prorations"):
 * - `proration_behavior=always_invoice` with a price change invoices the prorated difference now
 *   (`billing_reason: subscription_update`: a negative line for the unused time on the old price, a
 *   positive one for the remaining time on the new price, as of `proration_date` or now) and charges
 *   it off-session to the customer's default card. Paid: the change applies. Not paid:
 *   `payment_behavior=pending_if_incomplete` leaves the subscription as it was, with the change in
 *   `pending_update` (items, metadata since API 2026-05-27, `expires_at` 23 hours on) and the open
 *   invoice as `latest_invoice`, applied once that invoice is paid (`payLatestInvoice`) and dropped
 *   after it expires; `error_if_incomplete` answers 402 and changes nothing; `allow_incomplete`
 *   applies the change and the subscription is `past_due`. Only the attributes pending updates
 *   support may accompany `pending_if_incomplete`.
 * - `proration_behavior=none` swaps the price at once and invoices nothing;
 *   `create_prorations` swaps it and leaves proration invoice items for the next invoice.
 * - A canceled or `incomplete_expired` subscription cannot be updated (400), and cancelling it again
 *   answers 404 `resource_missing` (Stripe treats it as deleted); DELETE takes no idempotency key.
 * - Finalizing an invoice with something to pay creates its default invoice payment (`open`, naming
 *   its PaymentIntent), `paid` once the invoice is; `GET /v1/invoice_payments` lists them.
 *
 * Supported: POST /v1/customers, GET /v1/customers/:id, GET /v1/payment_methods,
 * POST /v1/payment_intents, POST /v1/subscriptions, GET|POST|DELETE /v1/subscriptions/:id,
 * POST /v1/invoiceitems, POST /v1/invoices, POST /v1/invoices/:id/finalize, GET /v1/invoice_payments.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type CardBehaviour = 'succeeds' | 'declines' | 'requires_action';

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export interface RecordedRequest {
  readonly method: string;
  /** Without the query string. */
  readonly path: string;
  /** The form body (POST) or query (GET), brackets expanded: `items[0][price]` → `{ items: [{ price }] }`. */
  readonly params: FormObject;
  readonly idempotencyKey: string | null;
  readonly authorization: string | null;
  readonly stripeVersion: string | null;
  readonly status: number;
  /** True when the answer was replayed from an earlier request with the same idempotency key. */
  readonly replayed: boolean;
}

export interface RunningFakeStripe {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

export interface FakeStripeOptions {
  /** Known prices (id → monthly unit amount in cents); subscriptions on other prices fail like Stripe. */
  readonly prices?: Readonly<Record<string, number>>;
  /** Unix seconds. @default the wall clock */
  readonly nowSeconds?: () => number;
}

export type FakeObjectKind = 'customer' | 'payment_method' | 'payment_intent' | 'subscription' | 'invoiceitem' | 'invoice' | 'invoice_payment';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Customer {
  id: string;
  created: number;
  metadata: Record<string, string>;
  defaultPaymentMethod: string | null;
  deleted: boolean;
}
interface PaymentMethod {
  id: string;
  seq: number;
  created: number;
  customer: string;
  brand: string;
  last4: string;
  behaviour: CardBehaviour;
}
interface SubscriptionItem {
  id: string;
  price: string;
  quantity: number;
}
interface Subscription {
  id: string;
  created: number;
  customer: string;
  status: string;
  metadata: Record<string, string>;
  items: SubscriptionItem[];
  cancelAtPeriodEnd: boolean;
  periodStart: number;
  periodEnd: number;
  latestInvoice: string;
  saveDefaultPaymentMethod: string | null;
  /** A change waiting for its invoice's payment (`payment_behavior=pending_if_incomplete`). */
  pendingUpdate: PendingUpdate | null;
  canceledAt: number | null;
}
interface PendingUpdate {
  items: SubscriptionItem[];
  /** Merged into the subscription's metadata when applied. */
  metadata: FormObject | null;
  expiresAt: number;
  /** The invoice whose payment applies it. */
  invoice: string;
}
interface InvoicePayment {
  id: string;
  created: number;
  invoice: string;
  paymentIntent: string;
  amountRequested: number;
  status: 'open' | 'paid' | 'canceled';
  paidAt: number | null;
}
interface InvoiceItem {
  id: string;
  created: number;
  customer: string;
  amount: number;
  currency: string;
  description: string | null;
  metadata: Record<string, string>;
  invoice: string | null;
  proration: boolean;
}
interface InvoiceLine {
  id: string;
  amount: number;
  description: string | null;
  invoiceItem: string | null;
}
interface Invoice {
  id: string;
  created: number;
  customer: string;
  status: 'draft' | 'open' | 'paid';
  autoAdvance: boolean;
  collectionMethod: string;
  metadata: Record<string, string>;
  lines: InvoiceLine[];
  subscription: string | null;
  billingReason: string;
  number: string | null;
  paymentIntent: string | null;
}

interface ErrorBody {
  type: 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  charge?: string;
  payment_intent?: JsonObject;
  payment_method?: JsonObject;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
}

interface Answer {
  readonly status: number;
  readonly body: Json;
}

interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly pattern: RegExp;
  readonly params: readonly string[];
  readonly handle: (params: FormObject, id: string) => Answer;
}

const MAX_BODY_BYTES = 1_000_000;
const MONTH_SECONDS = 30 * 24 * 3600;
/** How long a pending update waits for its invoice's payment before Stripe discards it. */
const PENDING_UPDATE_SECONDS = 23 * 3600;
/** The first API version whose pending updates take `metadata` (changelog 2026-05-27.dahlia). */
const PENDING_METADATA_SINCE = '2026-05-27';
/** What may accompany `payment_behavior=pending_if_incomplete` on a subscription update. */
const PENDING_UPDATE_PARAMS = ['expand', 'payment_behavior', 'proration_behavior', 'proration_date', 'billing_cycle_anchor', 'items', 'trial_end', 'trial_from_plan', 'add_invoice_items', 'metadata'];
const UPDATE_PAYMENT_BEHAVIOURS = ['allow_incomplete', 'default_incomplete', 'error_if_incomplete', 'pending_if_incomplete'];

export class FakeStripeApi {
  readonly requests: RecordedRequest[] = [];

  private readonly prices: Readonly<Record<string, number>>;
  private readonly nowSeconds: () => number;
  private readonly customers = new Map<string, Customer>();
  private readonly paymentMethods = new Map<string, PaymentMethod>();
  private readonly paymentIntents = new Map<string, JsonObject>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly invoiceItems = new Map<string, InvoiceItem>();
  private readonly invoices = new Map<string, Invoice>();
  private readonly invoicePayments = new Map<string, InvoicePayment>();
  private readonly idempotency = new Map<string, { fingerprint: string; answer: Answer }>();
  private readonly routes: readonly Route[];
  private seq = 0;
  private pendingFailures: { count: number; status: number } = { count: 0, status: 500 };
  private lostAnswers = 0;
  /** The Stripe-Version of the request being handled (the account's default when none). */
  private requestVersion = '';

  constructor(options: FakeStripeOptions = {}) {
    this.prices = { ...options.prices };
    this.nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
    this.routes = [
      { method: 'POST', pattern: /^\/v1\/customers$/, params: ['metadata', 'email', 'name', 'description', 'expand'], handle: (p) => this.createCustomer(p) },
      { method: 'GET', pattern: /^\/v1\/customers\/([^/]+)$/, params: ['expand'], handle: (p, id) => this.retrieveCustomer(p, id) },
      { method: 'GET', pattern: /^\/v1\/payment_methods$/, params: ['customer', 'type', 'limit', 'expand'], handle: (p) => this.listPaymentMethods(p) },
      {
        method: 'POST',
        pattern: /^\/v1\/payment_intents$/,
        params: ['amount', 'currency', 'customer', 'description', 'metadata', 'automatic_payment_methods', 'payment_method', 'off_session', 'confirm', 'setup_future_usage', 'expand'],
        handle: (p) => this.createPaymentIntent(p),
      },
      { method: 'POST', pattern: /^\/v1\/subscriptions$/, params: ['customer', 'items', 'metadata', 'payment_behavior', 'payment_settings', 'expand'], handle: (p) => this.createSubscription(p) },
      { method: 'GET', pattern: /^\/v1\/subscriptions\/([^/]+)$/, params: ['expand'], handle: (p, id) => this.retrieveSubscription(p, id) },
      {
        method: 'POST',
        pattern: /^\/v1\/subscriptions\/([^/]+)$/,
        params: ['items', 'metadata', 'proration_behavior', 'proration_date', 'cancel_at_period_end', 'payment_behavior', 'expand'],
        handle: (p, id) => this.updateSubscription(p, id),
      },
      { method: 'DELETE', pattern: /^\/v1\/subscriptions\/([^/]+)$/, params: ['cancellation_details', 'invoice_now', 'prorate', 'expand'], handle: (p, id) => this.cancelSubscription(p, id) },
      {
        method: 'GET',
        pattern: /^\/v1\/invoice_payments$/,
        params: ['invoice', 'status', 'payment', 'created', 'limit', 'starting_after', 'ending_before', 'expand'],
        handle: (p) => this.listInvoicePayments(p),
      },
      { method: 'POST', pattern: /^\/v1\/invoiceitems$/, params: ['customer', 'amount', 'currency', 'description', 'metadata', 'expand'], handle: (p) => this.createInvoiceItem(p) },
      {
        method: 'POST',
        pattern: /^\/v1\/invoices$/,
        params: ['customer', 'auto_advance', 'collection_method', 'pending_invoice_items_behavior', 'metadata', 'description', 'expand'],
        handle: (p) => this.createInvoice(p),
      },
      { method: 'POST', pattern: /^\/v1\/invoices\/([^/]+)\/finalize$/, params: ['auto_advance', 'expand'], handle: (p, id) => this.finalizeInvoice(p, id) },
    ];
  }

  // ---- test controls -------------------------------------------------------------------------

  start(): Promise<RunningFakeStripe> {
    const server = createServer((req, res) => {
      this.serve(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { type: 'api_error', message: `fake Stripe failed: ${(error as Error).message}` } }));
      });
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        resolve({
          port,
          url: `http://127.0.0.1:${port}`,
          stop: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              // stripe-node keeps connections alive; close them or `close` waits for their timeout.
              server.closeAllConnections();
            }),
        });
      });
    });
  }

  /** Attaches a test card to a customer (made their invoice default unless `makeDefault: false`). */
  addCard(customerId: string, card: { brand?: string; last4?: string; behaviour?: CardBehaviour; makeDefault?: boolean } = {}): string {
    const customer = this.customers.get(customerId);
    if (!customer) throw new Error(`fake Stripe: no customer ${customerId}`);
    const seq = ++this.seq;
    const id = this.newId('pm', seq);
    this.paymentMethods.set(id, { id, seq, created: this.nowSeconds(), customer: customerId, brand: card.brand ?? 'visa', last4: card.last4 ?? '4242', behaviour: card.behaviour ?? 'succeeds' });
    if (card.makeDefault ?? true) customer.defaultPaymentMethod = id;
    return id;
  }

  setCardBehaviour(paymentMethodId: string, behaviour: CardBehaviour): void {
    const method = this.paymentMethods.get(paymentMethodId);
    if (!method) throw new Error(`fake Stripe: no payment method ${paymentMethodId}`);
    method.behaviour = behaviour;
  }

  /**
   * What Stripe does once the app confirms the latest invoice's payment: the invoice is paid, and the
   * subscription is active (its first invoice) or takes its pending update (an upgrade's invoice).
   */
  payLatestInvoice(subscriptionId: string): void {
    const subscription = this.subscriptions.get(subscriptionId);
    const invoice = subscription ? this.invoices.get(subscription.latestInvoice) : undefined;
    if (!subscription || !invoice) throw new Error(`fake Stripe: no subscription ${subscriptionId}`);
    this.dropExpiredPendingUpdate(subscription);
    this.markPaid(invoice);
    if (subscription.pendingUpdate?.invoice === invoice.id) this.applyPendingUpdate(subscription);
    else subscription.status = 'active';
  }

  /** The subscription's status as Stripe's billing would move it (`incomplete_expired` after 23 unpaid hours, `past_due`, …). */
  setSubscriptionStatus(subscriptionId: string, status: string): void {
    const subscription = this.subscriptions.get(subscriptionId);
    if (!subscription) throw new Error(`fake Stripe: no subscription ${subscriptionId}`);
    subscription.status = status;
  }

  /** The next `count` requests run, but their answers are lost (the connection drops): stripe-node retries them. */
  loseNextAnswers(count: number): void {
    if (!Number.isInteger(count) || count < 0) throw new Error('loseNextAnswers: count >= 0');
    this.lostAnswers = count;
  }

  deleteCustomer(customerId: string): void {
    const customer = this.customers.get(customerId);
    if (!customer) throw new Error(`fake Stripe: no customer ${customerId}`);
    customer.deleted = true;
  }

  /** The next `count` requests (of any kind) fail with `status` before reaching their endpoint. */
  failNextRequests(count: number, status = 500): void {
    if (!Number.isInteger(count) || count < 0 || status < 500) throw new Error('failNextRequests: count >= 0 and a 5xx status');
    this.pendingFailures = { count, status };
  }

  /** The objects of one kind as Stripe would show them (nothing expanded), oldest first. */
  list(kind: FakeObjectKind): JsonObject[] {
    switch (kind) {
      case 'customer':
        return [...this.customers.values()].map((c) => this.renderCustomer(c, []));
      case 'payment_method':
        return [...this.paymentMethods.values()].map((m) => this.renderPaymentMethod(m));
      case 'payment_intent':
        return [...this.paymentIntents.values()];
      case 'subscription':
        return [...this.subscriptions.values()].map((s) => this.renderSubscription(s, []));
      case 'invoiceitem':
        return [...this.invoiceItems.values()].map((i) => this.renderInvoiceItem(i));
      case 'invoice':
        return [...this.invoices.values()].map((i) => this.renderInvoice(i, []));
      case 'invoice_payment':
        return [...this.invoicePayments.values()].map((p) => this.renderInvoicePayment(p));
    }
  }

  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake-stripe');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const idempotencyKey = headerOf(req, 'idempotency-key');
    const authorization = headerOf(req, 'authorization');
    const stripeVersion = headerOf(req, 'stripe-version');
    let params: FormObject = {};
    let answer: Answer;
    let replayed = false;
    try {
      params = parseForm(method === 'GET' || method === 'DELETE' ? url.search.slice(1) : body);
      this.requestVersion = stripeVersion ?? '';
      ({ answer, replayed } = this.answer(method, path, params, idempotencyKey, authorization));
    } catch (error) {
      answer = error instanceof ApiError ? { status: error.status, body: { error: error.body as unknown as Json } } : { status: 500, body: { error: { type: 'api_error', message: (error as Error).message } } };
    }
    this.requests.push({ method, path, params, idempotencyKey, authorization, stripeVersion, status: answer.status, replayed });
    if (this.lostAnswers > 0) {
      this.lostAnswers -= 1;
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Request-Id': `req_${randomBytes(7).toString('hex')}` };
    if (stripeVersion) headers['Stripe-Version'] = stripeVersion;
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    if (replayed) headers['Idempotent-Replayed'] = 'true';
    res.writeHead(answer.status, headers);
    res.end(JSON.stringify(answer.body));
  }

  private answer(method: string, path: string, params: FormObject, idempotencyKey: string | null, authorization: string | null): { answer: Answer; replayed: boolean } {
    if (this.pendingFailures.count > 0) {
      this.pendingFailures.count -= 1;
      throw new ApiError(this.pendingFailures.status, { type: 'api_error', message: 'An unknown error occurred (injected by the fake Stripe API).' });
    }
    if (!authorization?.startsWith('Bearer sk_')) {
      throw new ApiError(401, { type: 'invalid_request_error', message: 'You did not provide an API key (Authorization: Bearer sk_…).' });
    }
    const route = this.routes.find((r) => r.method === method && r.pattern.test(path));
    if (!route) throw new ApiError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` });
    const id = decodeURIComponent(route.pattern.exec(path)?.[1] ?? '');

    const scope = method === 'POST' && idempotencyKey ? `${authorization} ${idempotencyKey}` : null;
    const fingerprint = JSON.stringify([method, path, canonical(params)]);
    const saved = scope ? this.idempotency.get(scope) : undefined;
    if (saved) {
      if (saved.fingerprint !== fingerprint) {
        throw new ApiError(400, {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
        });
      }
      return { answer: saved.answer, replayed: true };
    }

    for (const name of Object.keys(params)) {
      if (!route.params.includes(name)) throw new ApiError(400, { type: 'invalid_request_error', code: 'parameter_unknown', param: name, message: `Received unknown parameter: ${name}` });
    }
    let answer: Answer;
    try {
      answer = route.handle(params, id);
    } catch (error) {
      // Parameter errors are not saved under the key; results of an endpoint that ran (card errors) are.
      if (!(error instanceof ApiError) || error.status !== 402) throw error;
      answer = { status: error.status, body: { error: error.body as unknown as Json } };
    }
    if (scope) this.idempotency.set(scope, { fingerprint, answer });
    return { answer, replayed: false };
  }

  // ---- endpoints -------------------------------------------------------------------------------

  private createCustomer(p: FormObject): Answer {
    const id = this.newId('cus');
    const customer: Customer = { id, created: this.nowSeconds(), metadata: metadataOf(p), defaultPaymentMethod: null, deleted: false };
    this.customers.set(id, customer);
    return ok(this.renderCustomer(customer, expandOf(p, [])));
  }

  private retrieveCustomer(p: FormObject, id: string): Answer {
    const customer = this.customers.get(id);
    if (!customer) throw missing(404, 'customer', id, 'id');
    return ok(this.renderCustomer(customer, expandOf(p, ['invoice_settings.default_payment_method'])));
  }

  private listPaymentMethods(p: FormObject): Answer {
    const customer = optionalString(p, 'customer');
    const type = optionalString(p, 'type') ?? 'card';
    const limit = optionalInt(p, 'limit') ?? 10;
    if (limit < 1 || limit > 100) throw invalid('limit', 'This value must be between 1 and 100.');
    if (type !== 'card') throw invalid('type', 'The fake Stripe API only has cards.');
    if (customer !== undefined && !this.customers.has(customer)) throw missing(400, 'customer', customer, 'customer');
    const all = [...this.paymentMethods.values()].filter((m) => customer === undefined || m.customer === customer).sort((a, b) => b.seq - a.seq);
    return ok({ object: 'list', url: '/v1/payment_methods', has_more: all.length > limit, data: all.slice(0, limit).map((m) => this.renderPaymentMethod(m)) });
  }

  private createPaymentIntent(p: FormObject): Answer {
    const amount = requiredInt(p, 'amount');
    if (amount < 50) throw invalid('amount', 'Amount must be at least $0.50 usd');
    const currency = requiredString(p, 'currency');
    const customerId = optionalString(p, 'customer');
    if (customerId !== undefined && !this.customers.get(customerId)) throw missing(400, 'customer', customerId, 'customer');
    const automatic = optionalObject(p, 'automatic_payment_methods');
    const paymentMethodId = optionalString(p, 'payment_method');
    const confirm = optionalBoolean(p, 'confirm') ?? false;
    const offSession = optionalBoolean(p, 'off_session') ?? false;
    if (offSession && !confirm) throw invalid('off_session', 'off_session can only be set when confirm is true.');
    const method = paymentMethodId === undefined ? undefined : this.paymentMethods.get(paymentMethodId);
    if (paymentMethodId !== undefined && !method) throw missing(400, 'payment_method', paymentMethodId, 'payment_method');
    if (method && method.customer !== customerId) throw invalid('payment_method', `The PaymentMethod ${method.id} does not belong to the Customer you supplied.`);
    if (confirm && !method) throw invalid('payment_method', "You cannot confirm this PaymentIntent because it's missing a payment method.");

    const id = this.newId('pi');
    const intent: JsonObject = {
      id,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      automatic_payment_methods: automatic ? { allow_redirects: 'always', enabled: optionalBoolean(automatic, 'enabled') ?? false } : null,
      capture_method: 'automatic',
      client_secret: `${id}_secret_${randomBytes(12).toString('hex')}`,
      confirmation_method: 'automatic',
      created: this.nowSeconds(),
      currency,
      customer: customerId ?? null,
      description: optionalString(p, 'description') ?? null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: metadataOf(p),
      next_action: null,
      payment_method: paymentMethodId ?? null,
      payment_method_types: ['card'],
      setup_future_usage: optionalString(p, 'setup_future_usage') ?? null,
      status: 'requires_payment_method',
    };
    this.paymentIntents.set(id, intent);
    if (!confirm || !method) return ok(intent);

    const charge = this.newId('ch');
    if (method.behaviour === 'succeeds') {
      Object.assign(intent, { status: 'succeeded', amount_received: amount, latest_charge: charge });
      return ok(intent);
    }
    if (method.behaviour === 'requires_action' && !offSession) {
      Object.assign(intent, { status: 'requires_action', next_action: { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } } });
      return ok(intent);
    }
    // Off-session, Stripe gives up at once and leaves the PaymentIntent waiting for a new payment method.
    const declined = method.behaviour === 'declines';
    const error: ErrorBody = declined
      ? { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.', charge }
      : { type: 'card_error', code: 'authentication_required', decline_code: 'authentication_required', message: 'Your card was declined. This transaction requires authentication.', charge };
    const pm = this.renderPaymentMethod(method);
    Object.assign(intent, { status: 'requires_payment_method', latest_charge: charge, last_payment_error: { ...error, payment_method: pm } as unknown as Json });
    throw new ApiError(402, { ...error, payment_intent: intent, payment_method: pm });
  }

  private createSubscription(p: FormObject): Answer {
    const customerId = requiredString(p, 'customer');
    const customer = this.customers.get(customerId);
    if (!customer || customer.deleted) throw missing(400, 'customer', customerId, 'customer');
    const items = optionalArray(p, 'items') ?? [];
    if (items.length === 0) throw invalid('items', 'Missing required param: items.');
    const behaviour = optionalString(p, 'payment_behavior') ?? 'allow_incomplete';
    if (behaviour !== 'default_incomplete' && behaviour !== 'allow_incomplete') throw invalid('payment_behavior', `The fake Stripe API does not support payment_behavior=${behaviour}.`);
    const paymentSettings = optionalObject(p, 'payment_settings');
    const expand = expandOf(p, ['latest_invoice', 'latest_invoice.confirmation_secret']);

    const now = this.nowSeconds();
    const id = this.newId('sub');
    const subscriptionItems = items.map((item, index) => {
      const fields = asObject(item, `items[${index}]`);
      return { id: this.newId('si'), price: this.knownPrice(requiredString(fields, 'price', `items[${index}][price]`), `items[${index}][price]`), quantity: optionalInt(fields, 'quantity') ?? 1 };
    });
    const invoice = this.newInvoice(customerId, {
      subscription: id,
      billingReason: 'subscription_create',
      lines: subscriptionItems.map((item) => ({ id: this.newId('il'), amount: (this.prices[item.price] ?? 0) * item.quantity, description: `${item.quantity} × ${item.price}`, invoiceItem: null })),
    });
    this.finalize(invoice);
    const defaultCard = customer.defaultPaymentMethod ? this.paymentMethods.get(customer.defaultPaymentMethod) : undefined;
    // default_incomplete waits for the app to confirm the first payment; allow_incomplete charges the default card now.
    const paid = invoice.status === 'paid' || (behaviour === 'allow_incomplete' && defaultCard?.behaviour === 'succeeds');
    if (paid) this.markPaid(invoice);
    const subscription: Subscription = {
      id,
      created: now,
      customer: customerId,
      status: paid ? 'active' : 'incomplete',
      metadata: metadataOf(p),
      items: subscriptionItems,
      cancelAtPeriodEnd: false,
      periodStart: now,
      periodEnd: now + MONTH_SECONDS,
      latestInvoice: invoice.id,
      saveDefaultPaymentMethod: paymentSettings ? (optionalString(paymentSettings, 'save_default_payment_method') ?? null) : null,
      pendingUpdate: null,
      canceledAt: null,
    };
    this.subscriptions.set(id, subscription);
    return ok(this.renderSubscription(subscription, expand));
  }

  private retrieveSubscription(p: FormObject, id: string): Answer {
    const subscription = this.subscriptions.get(id);
    if (!subscription) throw missing(404, 'subscription', id, 'id');
    this.dropExpiredPendingUpdate(subscription);
    return ok(this.renderSubscription(subscription, expandOf(p, ['latest_invoice', 'latest_invoice.confirmation_secret'])));
  }

  private updateSubscription(p: FormObject, id: string): Answer {
    const subscription = this.subscriptions.get(id);
    if (!subscription) throw missing(404, 'subscription', id, 'id');
    if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired') throw invalid('id', 'You cannot update a subscription that is `canceled` or `incomplete_expired`.');
    this.dropExpiredPendingUpdate(subscription);
    const proration = optionalString(p, 'proration_behavior') ?? 'create_prorations';
    if (!['create_prorations', 'none', 'always_invoice'].includes(proration)) throw invalid('proration_behavior', `Invalid proration_behavior: ${proration}`);
    const behaviour = optionalString(p, 'payment_behavior') ?? 'allow_incomplete';
    if (!UPDATE_PAYMENT_BEHAVIOURS.includes(behaviour)) throw invalid('payment_behavior', `Invalid payment_behavior: ${behaviour}`);
    if (behaviour === 'pending_if_incomplete') {
      for (const name of Object.keys(p)) {
        if (!PENDING_UPDATE_PARAMS.includes(name)) throw invalid(name, `You cannot pass \`${name}\` when \`payment_behavior\` is \`pending_if_incomplete\`: pending updates support only some attributes.`);
      }
      if (p.metadata !== undefined && this.requestVersion < PENDING_METADATA_SINCE) throw invalid('metadata', 'Pending updates take metadata only from API version 2026-05-27.');
    }
    const expand = expandOf(p, ['latest_invoice', 'latest_invoice.confirmation_secret']);
    const changes = (optionalArray(p, 'items') ?? []).map((item, index) => {
      const fields = asObject(item, `items[${index}]`);
      const itemId = optionalString(fields, 'id');
      const price = optionalString(fields, 'price');
      if (itemId !== undefined && !subscription.items.some((i) => i.id === itemId)) throw invalid(`items[${index}][id]`, `Invalid subscription item: ${itemId} is not an item of ${id}.`);
      if (itemId === undefined && price === undefined) throw invalid(`items[${index}]`, 'Each item needs an id or a price.');
      return { itemId, price: price === undefined ? undefined : this.knownPrice(price, `items[${index}][price]`) };
    });
    const now = this.nowSeconds();
    const prorationDate = optionalInt(p, 'proration_date') ?? now;
    if (prorationDate < subscription.periodStart || prorationDate > subscription.periodEnd) throw invalid('proration_date', 'proration_date must be within the current billing period.');
    const items = subscription.items.map((i) => ({ ...i }));
    for (const change of changes) {
      const existing = change.itemId === undefined ? undefined : items.find((i) => i.id === change.itemId);
      if (existing) {
        if (change.price !== undefined) existing.price = change.price;
      } else if (change.price !== undefined) {
        items.push({ id: this.newId('si'), price: change.price, quantity: 1 });
      }
    }
    const lines = this.prorationLines(subscription, items, prorationDate);
    const apply = () => {
      subscription.items = items;
      subscription.metadata = mergeMetadata(subscription.metadata, p);
      const cancel = optionalBoolean(p, 'cancel_at_period_end');
      if (cancel !== undefined) subscription.cancelAtPeriodEnd = cancel;
    };
    if (lines.length === 0 || proration === 'none') {
      apply();
      return ok(this.renderSubscription(subscription, expand));
    }
    if (proration === 'create_prorations') {
      for (const line of lines) this.invoiceItems.set(line.id, { id: line.id, created: now, customer: subscription.customer, amount: line.amount, currency: 'usd', description: line.description, metadata: {}, invoice: null, proration: true });
      apply();
      return ok(this.renderSubscription(subscription, expand));
    }
    // always_invoice: the prorated difference is invoiced and charged now.
    const invoice = this.newInvoice(subscription.customer, { subscription: subscription.id, billingReason: 'subscription_update', lines: lines.map((l) => ({ id: this.newId('il'), amount: l.amount, description: l.description, invoiceItem: null })) });
    this.finalize(invoice);
    subscription.latestInvoice = invoice.id;
    const refusal = invoice.status === 'paid' ? null : this.chargeInvoice(invoice);
    if (refusal === null) {
      apply();
      subscription.pendingUpdate = null;
      return ok(this.renderSubscription(subscription, expand));
    }
    if (behaviour === 'error_if_incomplete') throw new ApiError(402, refusal);
    if (behaviour === 'pending_if_incomplete') {
      subscription.pendingUpdate = { items, metadata: optionalObject(p, 'metadata') ?? null, expiresAt: now + PENDING_UPDATE_SECONDS, invoice: invoice.id };
      return ok(this.renderSubscription(subscription, expand));
    }
    apply();
    subscription.status = 'past_due';
    return ok(this.renderSubscription(subscription, expand));
  }

  /** Cancels at once. Stripe treats a canceled (or expired unpaid) subscription as deleted: a second cancel is 404. */
  private cancelSubscription(p: FormObject, id: string): Answer {
    const subscription = this.subscriptions.get(id);
    if (!subscription || subscription.status === 'canceled' || subscription.status === 'incomplete_expired') throw missing(404, 'subscription', id, 'id');
    const expand = expandOf(p, ['latest_invoice', 'latest_invoice.confirmation_secret']);
    subscription.status = 'canceled';
    subscription.canceledAt = this.nowSeconds();
    subscription.pendingUpdate = null;
    return ok(this.renderSubscription(subscription, expand));
  }

  private listInvoicePayments(p: FormObject): Answer {
    const invoice = optionalString(p, 'invoice');
    const status = optionalString(p, 'status');
    if (status !== undefined && !['open', 'paid', 'canceled'].includes(status)) throw invalid('status', `Invalid status: ${status}`);
    const limit = optionalInt(p, 'limit') ?? 10;
    if (limit < 1 || limit > 100) throw invalid('limit', 'This value must be between 1 and 100.');
    const payment = optionalObject(p, 'payment');
    const intent = payment ? optionalString(payment, 'payment_intent', 'payment[payment_intent]') : undefined;
    if (payment) requiredString(payment, 'type', 'payment[type]');
    const expand = expandOf(p, ['data.payment.payment_intent']);
    const all = [...this.invoicePayments.values()]
      .filter((x) => (invoice === undefined || x.invoice === invoice) && (status === undefined || x.status === status) && (intent === undefined || x.paymentIntent === intent))
      .reverse(); // newest first, as Stripe lists
    return ok({ object: 'list', url: '/v1/invoice_payments', has_more: all.length > limit, data: all.slice(0, limit).map((x) => this.renderInvoicePayment(x, expand.includes('data.payment.payment_intent'))) });
  }

  private createInvoiceItem(p: FormObject): Answer {
    const customerId = requiredString(p, 'customer');
    if (!this.customers.get(customerId)) throw missing(400, 'customer', customerId, 'customer');
    const amount = requiredInt(p, 'amount');
    const currency = requiredString(p, 'currency');
    const item: InvoiceItem = { id: this.newId('ii'), created: this.nowSeconds(), customer: customerId, amount, currency, description: optionalString(p, 'description') ?? null, metadata: metadataOf(p), invoice: null, proration: false };
    this.invoiceItems.set(item.id, item);
    return ok(this.renderInvoiceItem(item));
  }

  private createInvoice(p: FormObject): Answer {
    const customerId = requiredString(p, 'customer');
    if (!this.customers.get(customerId)) throw missing(400, 'customer', customerId, 'customer');
    const collection = optionalString(p, 'collection_method') ?? 'charge_automatically';
    if (collection !== 'charge_automatically') throw invalid('collection_method', 'The fake Stripe API only charges automatically.');
    const pendingBehaviour = optionalString(p, 'pending_invoice_items_behavior') ?? 'exclude';
    if (pendingBehaviour !== 'include' && pendingBehaviour !== 'exclude') throw invalid('pending_invoice_items_behavior', `Invalid pending_invoice_items_behavior: ${pendingBehaviour}`);
    const expand = expandOf(p, ['confirmation_secret']);
    const pending = pendingBehaviour === 'include' ? [...this.invoiceItems.values()].filter((i) => i.customer === customerId && i.invoice === null) : [];
    const invoice = this.newInvoice(customerId, {
      subscription: null,
      billingReason: 'manual',
      lines: pending.map((i) => ({ id: this.newId('il'), amount: i.amount, description: i.description, invoiceItem: i.id })),
    });
    invoice.autoAdvance = optionalBoolean(p, 'auto_advance') ?? false;
    invoice.metadata = metadataOf(p);
    for (const item of pending) item.invoice = invoice.id;
    return ok(this.renderInvoice(invoice, expand));
  }

  private finalizeInvoice(p: FormObject, id: string): Answer {
    const invoice = this.invoices.get(id);
    if (!invoice) throw missing(404, 'invoice', id, 'invoice');
    if (invoice.status !== 'draft') throw invalid('invoice', "This invoice is already finalized, you can't re-finalize a non-draft invoice.");
    const autoAdvance = optionalBoolean(p, 'auto_advance');
    if (autoAdvance !== undefined) invoice.autoAdvance = autoAdvance;
    this.finalize(invoice);
    return ok(this.renderInvoice(invoice, expandOf(p, ['confirmation_secret'])));
  }

  // ---- state helpers ---------------------------------------------------------------------------

  private newId(prefix: string, seq = ++this.seq): string {
    return `${prefix}_fake${String(seq).padStart(8, '0')}`;
  }

  private knownPrice(price: string, param: string): string {
    if (this.prices[price] === undefined) throw missing(400, 'price', price, param);
    return price;
  }

  private newInvoice(customer: string, fields: Pick<Invoice, 'subscription' | 'billingReason' | 'lines'>): Invoice {
    const invoice: Invoice = { id: this.newId('in'), created: this.nowSeconds(), customer, status: 'draft', autoAdvance: true, collectionMethod: 'charge_automatically', metadata: {}, number: null, paymentIntent: null, ...fields };
    this.invoices.set(invoice.id, invoice);
    return invoice;
  }

  /** Draft → open with a PaymentIntent to pay it (or straight to paid when nothing is due). */
  private finalize(invoice: Invoice): void {
    invoice.number = `FAKE-${String(this.invoices.size).padStart(4, '0')}`;
    const amountDue = invoice.lines.reduce((sum, line) => sum + line.amount, 0);
    // Nothing to pay (a credit goes to the customer's balance): paid at once, with no payment.
    if (amountDue <= 0) {
      invoice.status = 'paid';
      return;
    }
    invoice.status = 'open';
    const id = this.newId('pi');
    this.paymentIntents.set(id, {
      id,
      object: 'payment_intent',
      amount: amountDue,
      amount_received: 0,
      client_secret: `${id}_secret_${randomBytes(12).toString('hex')}`,
      created: this.nowSeconds(),
      currency: 'usd',
      customer: invoice.customer,
      description: `Payment for invoice ${invoice.number}`,
      livemode: false,
      metadata: {},
      status: 'requires_payment_method',
    });
    invoice.paymentIntent = id;
    // Stripe creates the invoice's default invoice payment at finalization, kept in step with it.
    const payment: InvoicePayment = { id: this.newId('inpay'), created: this.nowSeconds(), invoice: invoice.id, paymentIntent: id, amountRequested: amountDue, status: 'open', paidAt: null };
    this.invoicePayments.set(payment.id, payment);
  }

  /** The invoice paid: its PaymentIntent succeeded and its invoice payment is paid. */
  private markPaid(invoice: Invoice): void {
    invoice.status = 'paid';
    const intent = invoice.paymentIntent ? this.paymentIntents.get(invoice.paymentIntent) : undefined;
    if (intent) Object.assign(intent, { status: 'succeeded', amount_received: intent.amount, last_payment_error: null, next_action: null });
    for (const payment of this.invoicePayments.values()) {
      if (payment.invoice === invoice.id && payment.status === 'open') Object.assign(payment, { status: 'paid', paidAt: this.nowSeconds() });
    }
  }

  /**
   * Charges an open invoice off-session to the customer's default card, as Stripe does for a
   * subscription's invoice: paid (null), or the card error it answered (the invoice stays open, its
   * PaymentIntent waiting for a new payment method or for the customer's authentication).
   */
  private chargeInvoice(invoice: Invoice): ErrorBody | null {
    const customer = this.customers.get(invoice.customer);
    const card = customer?.defaultPaymentMethod ? this.paymentMethods.get(customer.defaultPaymentMethod) : undefined;
    const intent = invoice.paymentIntent ? this.paymentIntents.get(invoice.paymentIntent) : undefined;
    if (card?.behaviour === 'succeeds') {
      if (intent) Object.assign(intent, { payment_method: card.id, latest_charge: this.newId('ch') });
      this.markPaid(invoice);
      return null;
    }
    if (!card) return { type: 'invalid_request_error', code: 'invoice_no_customer_line_items', message: 'This customer has no attached payment source or default payment method.' } as ErrorBody;
    const error: ErrorBody =
      card.behaviour === 'declines'
        ? { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' }
        : { type: 'card_error', code: 'authentication_required', decline_code: 'authentication_required', message: 'Your card was declined. This transaction requires authentication.' };
    if (intent) {
      Object.assign(intent, { payment_method: card.id, latest_charge: this.newId('ch') });
      if (card.behaviour === 'requires_action') Object.assign(intent, { status: 'requires_action', next_action: { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } } });
      else Object.assign(intent, { status: 'requires_payment_method', last_payment_error: { ...error, payment_method: this.renderPaymentMethod(card) } as unknown as Json });
    }
    return { ...error, ...(intent ? { payment_intent: intent } : {}) };
  }

  /**
   * The proration of a price change as of `at`: for each item whose price changes, a credit for the
   * unused time on the old price and a charge for the remaining time on the new one (to the cent).
   */
  private prorationLines(subscription: Subscription, items: readonly SubscriptionItem[], at: number): { id: string; amount: number; description: string }[] {
    const fraction = (subscription.periodEnd - at) / (subscription.periodEnd - subscription.periodStart);
    const lines: { id: string; amount: number; description: string }[] = [];
    for (const item of items) {
      const before = subscription.items.find((i) => i.id === item.id);
      if (before?.price === item.price) continue;
      if (before) lines.push({ id: this.newId('ii'), amount: -Math.round((this.prices[before.price] ?? 0) * before.quantity * fraction), description: `Unused time on ${before.price}` });
      lines.push({ id: this.newId('ii'), amount: Math.round((this.prices[item.price] ?? 0) * item.quantity * fraction), description: `Remaining time on ${item.price}` });
    }
    return lines;
  }

  private applyPendingUpdate(subscription: Subscription): void {
    const pending = subscription.pendingUpdate;
    if (!pending) return;
    subscription.items = pending.items;
    if (pending.metadata) subscription.metadata = mergeMetadata(subscription.metadata, { metadata: pending.metadata });
    subscription.pendingUpdate = null;
  }

  /** Past its `expires_at`, Stripe discards a pending update: the subscription stays as it was. */
  private dropExpiredPendingUpdate(subscription: Subscription): void {
    if (subscription.pendingUpdate && this.nowSeconds() >= subscription.pendingUpdate.expiresAt) subscription.pendingUpdate = null;
  }

  // ---- rendering (Stripe-shaped JSON) ----------------------------------------------------------

  private renderCustomer(c: Customer, expand: readonly string[]): JsonObject {
    if (c.deleted) return { id: c.id, object: 'customer', deleted: true };
    const method = c.defaultPaymentMethod ? this.paymentMethods.get(c.defaultPaymentMethod) : undefined;
    const defaultPaymentMethod = method && expand.includes('invoice_settings.default_payment_method') ? this.renderPaymentMethod(method) : (c.defaultPaymentMethod ?? null);
    return {
      id: c.id,
      object: 'customer',
      balance: 0,
      created: c.created,
      currency: null,
      delinquent: false,
      description: null,
      email: null,
      invoice_settings: { custom_fields: null, default_payment_method: defaultPaymentMethod, footer: null, rendering_options: null },
      livemode: false,
      metadata: c.metadata,
      name: null,
    };
  }

  private renderPaymentMethod(m: PaymentMethod): JsonObject {
    return {
      id: m.id,
      object: 'payment_method',
      billing_details: { address: null, email: null, name: null, phone: null },
      card: { brand: m.brand, country: 'US', display_brand: m.brand, exp_month: 12, exp_year: 2034, funding: 'credit', last4: m.last4, networks: { available: [m.brand], preferred: null } },
      created: m.created,
      customer: m.customer,
      livemode: false,
      metadata: {},
      type: 'card',
    };
  }

  private renderSubscription(s: Subscription, expand: readonly string[]): JsonObject {
    const invoice = this.invoices.get(s.latestInvoice);
    const latestInvoice = invoice && expand.some((e) => e === 'latest_invoice' || e.startsWith('latest_invoice.')) ? this.renderInvoice(invoice, expand.filter((e) => e.startsWith('latest_invoice.')).map((e) => e.slice('latest_invoice.'.length))) : s.latestInvoice;
    return {
      id: s.id,
      object: 'subscription',
      billing_cycle_anchor: s.periodStart,
      cancel_at: s.cancelAtPeriodEnd ? s.periodEnd : null,
      cancel_at_period_end: s.cancelAtPeriodEnd,
      canceled_at: s.canceledAt,
      ended_at: s.canceledAt,
      collection_method: 'charge_automatically',
      created: s.created,
      currency: 'usd',
      customer: s.customer,
      default_payment_method: null,
      items: {
        object: 'list',
        url: `/v1/subscription_items?subscription=${s.id}`,
        has_more: false,
        data: s.items.map((item) => this.renderSubscriptionItem(s, item)),
      },
      latest_invoice: latestInvoice,
      livemode: false,
      metadata: s.metadata,
      payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: s.saveDefaultPaymentMethod },
      pending_update: s.pendingUpdate
        ? {
            billing_cycle_anchor: null,
            cancel_at_period_end: null,
            discount: null,
            discounts: null,
            expires_at: s.pendingUpdate.expiresAt,
            metadata: (s.pendingUpdate.metadata as Json) ?? null,
            subscription_items: s.pendingUpdate.items.map((item) => this.renderSubscriptionItem(s, item)),
            trial_end: null,
            trial_from_plan: null,
          }
        : null,
      start_date: s.created,
      status: s.status,
    };
  }

  private renderSubscriptionItem(s: Subscription, item: SubscriptionItem): JsonObject {
    return {
      id: item.id,
      object: 'subscription_item',
      created: s.created,
      current_period_end: s.periodEnd,
      current_period_start: s.periodStart,
      metadata: {},
      price: { id: item.price, object: 'price', active: true, currency: 'usd', recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' }, type: 'recurring', unit_amount: this.prices[item.price] ?? null },
      quantity: item.quantity,
      subscription: s.id,
    };
  }

  private renderInvoicePayment(x: InvoicePayment, expandIntent = false): JsonObject {
    const intent = this.paymentIntents.get(x.paymentIntent);
    return {
      id: x.id,
      object: 'invoice_payment',
      amount_paid: x.status === 'paid' ? x.amountRequested : null,
      amount_requested: x.amountRequested,
      created: x.created,
      currency: 'usd',
      invoice: x.invoice,
      is_default: true,
      livemode: false,
      payment: { type: 'payment_intent', payment_intent: expandIntent && intent ? intent : x.paymentIntent },
      status: x.status,
      status_transitions: { canceled_at: null, paid_at: x.paidAt },
    };
  }

  private renderInvoiceItem(i: InvoiceItem): JsonObject {
    return { id: i.id, object: 'invoiceitem', amount: i.amount, currency: i.currency, customer: i.customer, date: i.created, description: i.description, discountable: true, invoice: i.invoice, livemode: false, metadata: i.metadata, proration: i.proration, quantity: 1 };
  }

  private renderInvoice(i: Invoice, expand: readonly string[]): JsonObject {
    const amountDue = i.lines.reduce((sum, line) => sum + line.amount, 0);
    const paid = i.status === 'paid' ? amountDue : 0;
    const intent = i.paymentIntent ? this.paymentIntents.get(i.paymentIntent) : undefined;
    const rendered: JsonObject = {
      id: i.id,
      object: 'invoice',
      amount_due: amountDue,
      amount_paid: paid,
      amount_remaining: amountDue - paid,
      auto_advance: i.autoAdvance,
      billing_reason: i.billingReason,
      collection_method: i.collectionMethod,
      created: i.created,
      currency: 'usd',
      customer: i.customer,
      lines: {
        object: 'list',
        url: `/v1/invoices/${i.id}/lines`,
        has_more: false,
        data: i.lines.map((line) => ({ id: line.id, object: 'line_item', amount: line.amount, currency: 'usd', description: line.description, invoice: i.id, metadata: {}, parent: line.invoiceItem ? { type: 'invoice_item_details', invoice_item_details: { invoice_item: line.invoiceItem } } : null })),
      },
      livemode: false,
      metadata: i.metadata,
      number: i.number,
      parent: i.subscription ? { type: 'subscription_details', subscription_details: { subscription: i.subscription, metadata: {} } } : null,
      status: i.status,
      total: amountDue,
    };
    // `confirmation_secret` is an includable field: Stripe returns it only when expanded.
    if (expand.includes('confirmation_secret')) {
      rendered.confirmation_secret = i.status === 'open' && intent ? { client_secret: intent.client_secret ?? null, type: 'payment_intent' } : null;
    }
    return rendered;
  }
}

// ---- form parsing and parameter helpers --------------------------------------------------------

/** Parses stripe-node's `a[b][0][c]=v` encoding into nested objects and arrays. */
export function parseForm(encoded: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(encoded)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    if (!match?.[1]) throw invalid(rawKey, `Invalid parameter name: ${rawKey}`);
    const path = [match[1], ...[...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? '')];
    if (path.some((segment) => segment === '' || segment === '__proto__' || segment === 'constructor' || segment === 'prototype')) throw invalid(rawKey, `Invalid parameter name: ${rawKey}`);
    let node: FormObject = root;
    path.forEach((segment, index) => {
      if (index === path.length - 1) {
        node[segment] = value;
        return;
      }
      const next = node[segment];
      if (next === undefined) {
        const child: FormObject = {};
        node[segment] = child;
        node = child;
      } else if (typeof next === 'object' && !Array.isArray(next)) {
        node = next;
      } else {
        throw invalid(rawKey, `Conflicting values for ${rawKey}`);
      }
    });
  }
  return indexedObjectsToArrays(root) as FormObject;
}

function indexedObjectsToArrays(value: FormValue, key = ''): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const entries = Object.entries(value).map(([k, v]) => [k, key === 'metadata' ? v : indexedObjectsToArrays(v, k)] as const);
  const isList = entries.length > 0 && key !== 'metadata' && entries.every(([k], index) => k === String(index));
  return isList ? entries.map(([, v]) => v) : Object.fromEntries(entries);
}

function canonical(value: FormValue): FormValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(canonical);
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical(value[k] as FormValue)]),
  );
}

function invalid(param: string, message: string): ApiError {
  return new ApiError(400, { type: 'invalid_request_error', code: 'parameter_invalid', param, message });
}

function missing(status: 400 | 404, kind: string, id: string, param: string): ApiError {
  return new ApiError(status, { type: 'invalid_request_error', code: 'resource_missing', param, message: `No such ${kind}: '${id}'` });
}

function ok(body: JsonObject): Answer {
  return { status: 200, body };
}

function optionalString(p: FormObject, name: string, param = name): string | undefined {
  const value = p[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(param, `Invalid string: ${param}`);
  return value;
}

function requiredString(p: FormObject, name: string, param = name): string {
  const value = optionalString(p, name, param);
  if (value === undefined || value === '') throw invalid(param, `Missing required param: ${param}.`);
  return value;
}

function optionalInt(p: FormObject, name: string): number | undefined {
  const value = optionalString(p, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw invalid(name, `Invalid integer: ${value}`);
  return Number(value);
}

function requiredInt(p: FormObject, name: string): number {
  const value = optionalInt(p, name);
  if (value === undefined) throw invalid(name, `Missing required param: ${name}.`);
  return value;
}

function optionalBoolean(p: FormObject, name: string): boolean | undefined {
  const value = optionalString(p, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw invalid(name, `Invalid boolean: ${value}`);
  return value === 'true';
}

function optionalObject(p: FormObject, name: string): FormObject | undefined {
  const value = p[name];
  return value === undefined ? undefined : asObject(value, name);
}

function optionalArray(p: FormObject, name: string): FormValue[] | undefined {
  const value = p[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalid(name, `Invalid array: ${name}`);
  return value;
}

function asObject(value: FormValue, param: string): FormObject {
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(param, `Invalid object: ${param}`);
  return value;
}

function metadataOf(p: FormObject): Record<string, string> {
  return mergeMetadata({}, p);
}

/** Stripe merges metadata on update; an empty value removes a key. */
function mergeMetadata(current: Record<string, string>, p: FormObject): Record<string, string> {
  const given = optionalObject(p, 'metadata') ?? {};
  const merged = { ...current };
  for (const [key, value] of Object.entries(given)) {
    if (typeof value !== 'string') throw invalid(`metadata[${key}]`, 'Metadata values must be strings.');
    if (key.length > 40 || value.length > 500) throw invalid(`metadata[${key}]`, 'Metadata keys are at most 40 characters and values at most 500.');
    if (value === '') delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

function expandOf(p: FormObject, expandable: readonly string[]): string[] {
  const expand = (optionalArray(p, 'expand') ?? []).map((e, index) => {
    if (typeof e !== 'string') throw invalid(`expand[${index}]`, 'Invalid expand.');
    return e;
  });
  for (const path of expand) {
    if (!expandable.includes(path)) throw invalid('expand', `This property cannot be expanded (${path}).`);
  }
  return expand;
}

function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
