/**
 * What the service logs of a caught error: the facts errorFacts allows (name, type, code, status,
 * request id), never the error object. A Stripe error carries its request's headers and raw body.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent } from 'aws-lambda';
import Stripe from 'stripe';
import { DomainError } from '../../lambdas/domain/errors';
import { processJobBatch } from '../../lambdas/handlers/queue/sqs-batch';
import { errorFacts } from '../../lambdas/shared/error-facts';
import { errorResult } from '../../lambdas/shared/http-errors';

afterEach(() => jest.restoreAllMocks());

const SECRETS = ['sk_live_SECRET', 'cus_SECRET', '4242', 'idem-SECRET', 'pi_SECRET_secret_x'];

/** A real stripe-node error as the client builds it from a 402 answer: headers and raw body attached. */
function stripeCardError(): Stripe.errors.StripeCardError {
  return new Stripe.errors.StripeCardError({
    type: 'card_error',
    code: 'card_declined',
    decline_code: 'generic_decline',
    message: "Your card ending 4242 was declined (customer cus_SECRET).",
    statusCode: 402,
    requestId: 'req_123',
    headers: { authorization: 'Bearer sk_live_SECRET', 'idempotency-key': 'idem-SECRET', 'request-id': 'req_123' },
    payment_intent: { id: 'pi_SECRET', client_secret: 'pi_SECRET_secret_x', customer: 'cus_SECRET' } as unknown as Stripe.PaymentIntent,
  } as unknown as Stripe.StripeRawError);
}

/** Everything reachable from the logged arguments, Error properties (even non-enumerable ones) included. */
function everythingLogged(calls: unknown[][]): string {
  const seen = new Set<unknown>();
  const walk = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) return '[cycle]';
    seen.add(value);
    return Object.fromEntries(Object.getOwnPropertyNames(value).map((key) => [key, walk((value as Record<string, unknown>)[key])]));
  };
  return JSON.stringify(calls.map((args) => args.map(walk)));
}

function sqsEvent(body: unknown): SQSEvent {
  return {
    Records: [{ messageId: 'm1', receiptHandle: 'r1', body: JSON.stringify(body), attributes: { ApproximateReceiveCount: '2' }, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn', awsRegion: 'us-east-1' }],
  } as unknown as SQSEvent;
}

describe('processJobBatch', () => {
  test('a Stripe error thrown by an auto-refill is logged by its facts only: no headers, raw body, message or client secret', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const stripe = stripeCardError();
    expect(JSON.stringify(stripe)).toContain('sk_live_SECRET'); // the object itself would leak it

    const result = await processJobBatch(sqsEvent({ kind: 'auto_refill', accountId: 'acc_1' }), async () => undefined, async () => {
      throw stripe;
    });

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(error.mock.calls).toEqual([
      ['job message failed; SQS will deliver it again', { errorName: 'Error', errorType: 'StripeCardError', errorCode: 'card_declined', statusCode: 402, requestId: 'req_123', receiveCount: '2' }],
    ]);
    for (const secret of SECRETS) expect(everythingLogged(error.mock.calls)).not.toContain(secret);
  });

  test('a generation job that throws is logged the same way', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

    await processJobBatch(sqsEvent({ accountId: 'acc_1', jobId: 'gen_01hzzzzzzzzzzzzzzzzzzzzzzz' }), async () => {
      throw stripeCardError();
    });

    expect(error).toHaveBeenCalledTimes(1);
    for (const secret of SECRETS) expect(everythingLogged(error.mock.calls)).not.toContain(secret);
  });
});

describe('errorResult', () => {
  test('an unhandled Stripe error becomes a generic 500 and is logged by its facts only', () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

    const result = errorResult(stripeCardError());

    expect(result.statusCode).toBe(500);
    expect(error.mock.calls).toEqual([['unhandled error', { errorName: 'Error', errorType: 'StripeCardError', errorCode: 'card_declined', statusCode: 402, requestId: 'req_123' }]]);
    for (const secret of SECRETS) expect(everythingLogged(error.mock.calls)).not.toContain(secret);
  });

  test('a 5xx domain error is logged with its code and its cause’s facts, not the cause', () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

    const result = errorResult(new DomainError('payment_provider_error', 'The payment provider failed.', undefined, { cause: stripeCardError() }));

    expect(result.statusCode).toBe(502);
    expect(error.mock.calls).toEqual([
      ['request failed', { code: 'payment_provider_error', errorName: 'DomainError', errorCode: 'payment_provider_error', cause: { errorName: 'Error', errorType: 'StripeCardError', errorCode: 'card_declined', statusCode: 402, requestId: 'req_123' } }],
    ]);
    for (const secret of SECRETS) expect(everythingLogged(error.mock.calls)).not.toContain(secret);
  });
});

describe('errorFacts', () => {
  test("a Stripe error: name, type, code, status and request id; never the message or the raw body (they name the customer and the card)", () => {
    const stripeError = Object.assign(new Error("No such customer: 'cus_secret'"), {
      name: 'StripeCardError',
      type: 'StripeCardError',
      code: 'card_declined',
      statusCode: 402,
      requestId: 'req_123',
      raw: { message: "Your card ending 4242 was declined (cus_secret)", payment_method: { card: { last4: '4242' } } },
    });

    const facts = errorFacts(stripeError);

    expect(facts).toEqual({ errorName: 'StripeCardError', errorType: 'StripeCardError', errorCode: 'card_declined', statusCode: 402, requestId: 'req_123' });
    expect(JSON.stringify(facts)).not.toMatch(/cus_secret|4242/);
  });

  test('an AWS SDK error: its name, HTTP status and request id from $metadata', () => {
    expect(errorFacts(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400, requestId: 'ABC-1' } }))).toEqual({ errorName: 'ThrottlingException', statusCode: 400, requestId: 'ABC-1' });
  });

  test('anything that is not an identifier is left out; a thrown non-object gives only its type', () => {
    expect(errorFacts({ name: 'has spaces and cus_x', type: 42, code: 'a\nb', statusCode: Number.NaN, requestId: 'x'.repeat(101) })).toEqual({});
    expect(errorFacts('No such customer: cus_x')).toEqual({ errorName: 'string' });
    expect(errorFacts(null)).toEqual({ errorName: 'object' });
  });
});
