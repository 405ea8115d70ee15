/**
 * Stripe webhook deliveries for the route fuzzer: random bodies and signatures, tampered bodies, wrong
 * secrets, stale timestamps, and correctly signed bodies that are junk JSON or Stripe-shaped events
 * with mutated fields. Each says whether its signature is valid, which decides the only allowed
 * refusal: 400 `invalid_signature` when it is not.
 */
import fc from 'fast-check';
import Stripe from 'stripe';
import { TEST_WEBHOOK_SECRET } from '../../support/test-service';
import { RawJson, abbreviate, junkValue, oversizeJson, toJsonText } from './json-junk';
import { WEBHOOK_MAX_BODY_BYTES } from '../../../lambdas/shared/http-endpoint';
import { FUZZ_ACCOUNTS } from './tokens';

export interface WebhookDelivery {
  readonly name: string;
  readonly body: string;
  /** The Stripe-Signature header, or undefined to send none. */
  readonly signature: string | undefined;
  /** True when the signature verifies for this exact body, now, with the endpoint's secret. */
  readonly signed: boolean;
}

export function describeDelivery(d: WebhookDelivery): string {
  return `${d.name} (signed: ${d.signed}) signature=${JSON.stringify(d.signature)} body=${abbreviate(d.body, 600)}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const signWith = (payload: string, secret = TEST_WEBHOOK_SECRET, timestamp = nowSeconds()) => Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });

const account = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(FUZZ_ACCOUNTS.owner, FUZZ_ACCOUNTS.pro, FUZZ_ACCOUNTS.admin) }, { weight: 1, arbitrary: fc.constantFrom('fuzz-nobody', '', 'a'.repeat(129)) });
const objectId = (prefix: string) => fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9]{8,24}$/).map((s) => `${prefix}${s}`) }, { weight: 1, arbitrary: fc.constantFrom('', `${prefix}${'x'.repeat(3_000)}`, `${prefix}💥`) });
const credits = fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.constantFrom(999_999_999));
const epoch = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1_700_000_000, max: 1_900_000_000 }) }, { weight: 1, arbitrary: fc.constantFrom(0, -1, 1, 8.64e12, 8.64e12 + 1, 9e15, Number.MAX_SAFE_INTEGER) });
const planName = fc.constantFrom('BEGINNER', 'PRO', 'TEAM', 'FREE', 'ENTERPRISE');

/** `data.object` for each event type the service acts on, plausibly filled. */
function eventObject(type: string): fc.Arbitrary<Record<string, unknown>> {
  const topupMetadata = fc.record({ account_id: account, credits: credits.map(String), purpose: fc.constantFrom('topup', 'auto_refill', 'other'), topup_id: fc.option(objectId('top_'), { nil: undefined }) }, { requiredKeys: ['account_id', 'credits', 'purpose'] });
  const subscription = fc.record({
    id: objectId('sub_'),
    object: fc.constant('subscription'),
    status: fc.constantFrom('active', 'past_due', 'canceled', 'incomplete', 'trialing'),
    cancel_at_period_end: fc.boolean(),
    metadata: fc.record({ account_id: account, plan: planName }, { requiredKeys: ['account_id'] }),
    items: fc.tuple(epoch, epoch).map(([start, end]) => ({ data: [{ current_period_start: start, current_period_end: end }] })),
  });
  switch (type) {
    case 'payment_intent.succeeded':
      return fc
        .record({ id: objectId('pi_'), metadata: topupMetadata, cents: fc.option(fc.integer({ min: 0, max: 10_000 })) })
        .map(({ id, metadata, cents }) => ({ id, object: 'payment_intent', amount_received: cents ?? Number(metadata.credits), currency: 'usd', status: 'succeeded', metadata }));
    case 'payment_intent.payment_failed':
      return fc.record({ id: objectId('pi_'), object: fc.constant('payment_intent'), metadata: topupMetadata, last_payment_error: fc.option(fc.record({ code: fc.constantFrom('card_declined', 'authentication_required'), decline_code: fc.constantFrom('insufficient_funds', 'authentication_required') })) });
    case 'checkout.session.completed':
      return fc
        .record({ pi: objectId('pi_'), metadata: topupMetadata })
        .map(({ pi, metadata }) => ({ id: `cs_${pi}`, object: 'checkout.session', mode: 'payment', payment_intent: pi, amount_total: Number(metadata.credits), payment_status: 'paid', metadata }));
    case 'charge.refunded':
      return fc.record({ id: objectId('ch_'), object: fc.constant('charge'), payment_intent: objectId('pi_'), amount_refunded: fc.integer({ min: 0, max: 10_000 }) });
    case 'charge.dispute.created':
    case 'charge.dispute.closed':
      return fc.record({ id: objectId('dp_'), object: fc.constant('dispute'), payment_intent: objectId('pi_'), status: fc.constantFrom('won', 'lost', 'needs_response') });
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
      return subscription;
    case 'invoice.paid':
      return fc.oneof(
        fc.record({ id: objectId('in_'), object: fc.constant('invoice'), metadata: fc.record({ account_id: account, payg_invoice_id: fc.constantFrom('inv_payg_1', 'inv_payg_99', 'inv_payg_x') }) }),
        fc
          .record({ id: objectId('in_'), sub: objectId('sub_'), accountId: account, start: epoch, end: epoch, paid: fc.integer({ min: 0, max: 20_000 }), reason: fc.constantFrom('subscription_create', 'subscription_cycle', 'manual') })
          .map(({ id, sub, accountId, start, end, paid, reason }) => ({
            id,
            object: 'invoice',
            amount_paid: paid,
            billing_reason: reason,
            parent: { subscription_details: { subscription: sub, metadata: { account_id: accountId } } },
            lines: { data: [{ period: { start, end } }] },
          })),
      );
    default:
      return fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
  }
}

const EVENT_TYPES = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'checkout.session.completed',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.closed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'customer.created',
  'ping',
] as const;

/** A Stripe-shaped event (envelope and object), then maybe one field anywhere replaced by junk. */
const stripeShapedEvent: fc.Arbitrary<unknown> = fc
  .constantFrom(...EVENT_TYPES)
  .chain((type) =>
    fc.record({
      id: objectId('evt_fuzz_'),
      created: fc.oneof({ weight: 6, arbitrary: fc.constant(nowSeconds()) }, { weight: 1, arbitrary: epoch }),
      object: eventObject(type),
      type: fc.constant(type),
    }),
  )
  .map(({ id, created, object, type }) => ({ id, object: 'event', api_version: '2026-01-01', created, livemode: false, type, data: { object } }))
  .chain((event) => fc.oneof({ weight: 2, arbitrary: fc.constant<unknown>(event) }, { weight: 3, arbitrary: fc.tuple(fc.nat(), junkValue).map(([at, junk]) => replaceSomewhere(event, at, junk)) }));

/** Replaces the value at one (deterministically chosen) path of a JSON tree. */
function replaceSomewhere(root: unknown, at: number, junk: unknown): unknown {
  const paths: string[][] = [];
  const walk = (value: unknown, path: string[]) => {
    paths.push(path);
    if (value !== null && typeof value === 'object' && !(value instanceof RawJson)) for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(root, []);
  const path = paths[at % paths.length]!;
  const set = (value: unknown, i: number): unknown => {
    if (i === path.length) return junk;
    const key = path[i]!;
    if (Array.isArray(value)) return value.map((v, j) => (String(j) === key ? set(v, i + 1) : v));
    return { ...(value as Record<string, unknown>), [key]: set((value as Record<string, unknown>)[key], i + 1) };
  };
  return set(root, 0);
}

/** JSON text a correctly signed body might hold. */
const signedBodyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: stripeShapedEvent.map(toJsonText) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.constantFrom('null', '{}', '[]', '0', '"event"', '{"id":"evt_1"}', '{"id":"evt_1","type":"ping","created":1,"data":{}}', '{"id":"evt_1","type":"ping","created":1,"data":{"object":null}}') },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'not json', '{"id":', '\ufeff{}') },
);

const randomSignature: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('', 't=', 'v1=', 't=1,v1=00', `t=${nowSeconds()},v1=${'0'.repeat(64)}`, `t=${nowSeconds()},v0=${'0'.repeat(64)}`, 'garbage'),
  fc.string({ maxLength: 80 }),
  fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `t=${nowSeconds()},v1=${hex}`),
);

export const webhookDeliveryArb: fc.Arbitrary<WebhookDelivery> = fc.oneof(
  { weight: 2, arbitrary: fc.tuple(fc.oneof(fc.string(), signedBodyText, oversizeJson), randomSignature).map(([body, signature]) => ({ name: 'random signature', body, signature, signed: false })) },
  {
    weight: 2,
    arbitrary: fc.tuple(signedBodyText, fc.nat(), fc.constantFrom(' ', 'x', '0', '}')).map(([body, at, ch]) => {
      const i = at % (body.length + 1);
      const tamperedBody = body.slice(0, i) + ch + body.slice(i + 1);
      return { name: 'tampered body', body: tamperedBody, signature: signWith(body), signed: tamperedBody === body };
    }),
  },
  { weight: 1, arbitrary: signedBodyText.map((body) => ({ name: 'wrong secret', body, signature: signWith(body, 'whsec_not_the_secret'), signed: false })) },
  { weight: 1, arbitrary: fc.tuple(signedBodyText, fc.constantFrom(301, 3_600, 86_400 * 365)).map(([body, age]) => ({ name: `stale by ${age}s`, body, signature: signWith(body, TEST_WEBHOOK_SECRET, nowSeconds() - age), signed: false })) },
  { weight: 1, arbitrary: signedBodyText.map((body) => ({ name: 'signed, then a second bad v1', body, signature: `${signWith(body)},v1=${'0'.repeat(64)}`, signed: true })) },
  { weight: 1, arbitrary: signedBodyText.map((body) => ({ name: 'signature on a whitespace-padded body', body: ` ${body}`, signature: signWith(body), signed: false })) },
  { weight: 10, arbitrary: signedBodyText.map((body) => ({ name: 'correctly signed', body, signature: signWith(body), signed: true })) },
  // Over the other routes' cap (accepted here) and over the webhook's own.
  { weight: 1, arbitrary: oversizeJson.map((body) => ({ name: 'correctly signed, over 64 KiB', body, signature: signWith(body), signed: true })) },
  { weight: 1, arbitrary: fc.constant(`{"pad":"${'x'.repeat(WEBHOOK_MAX_BODY_BYTES)}"}`).map((body) => ({ name: 'correctly signed, over 1 MiB', body, signature: signWith(body), signed: true })) },
);
