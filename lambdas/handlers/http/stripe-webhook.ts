import Stripe from 'stripe';
import { toProviderEvent } from '../../adapters/stripe/stripe-events';
import { DomainError } from '../../domain/errors';
import type { UseCaseDeps } from '../../use-cases/context';
import { applyProviderEvent } from '../../use-cases/apply-provider-event';
import { errorFacts } from '../../shared/error-facts';
import { WEBHOOK_MAX_BODY_BYTES, httpEndpoint } from '../../shared/http-endpoint';
import { log } from '../../shared/logger';
import { lambdaEntry } from '../../shared/production-deps';
import { WEBHOOK_SIGNATURE_FAILURE_MESSAGE } from '../../shared/service-identity';
import { stripePayments } from '../../shared/stripe-wiring';

/** Stripe's default: a signature older than this is refused (replay protection). */
const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * POST /v1/webhooks/stripe (no JWT): verifies the signature on the raw body (400 otherwise), applies
 * the event once, 200 for types we ignore. A processing failure answers 5xx so Stripe retries.
 */
export const createStripeWebhookHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: 'public', maxBodyBytes: WEBHOOK_MAX_BODY_BYTES }, async ({ headers, rawBody }) => {
    const signature = headers['stripe-signature'];
    let verified: unknown;
    try {
      if (!signature) throw new Error('no Stripe-Signature header');
      verified = Stripe.webhooks.constructEvent(rawBody, signature, deps.providerWebhookSecret, SIGNATURE_TOLERANCE_SECONDS);
    } catch (error) {
      // stripe-node's verification messages are fixed texts; anything else is logged by its facts only.
      const reason = error instanceof Stripe.errors.StripeSignatureVerificationError || !signature ? { reason: (error as Error).message } : errorFacts(error);
      log().warn(WEBHOOK_SIGNATURE_FAILURE_MESSAGE, reason);
      throw new DomainError('invalid_signature', 'The Stripe signature is missing, stale or does not match this body.');
    }
    const result = await applyProviderEvent(deps, toProviderEvent(verified, (priceId) => deps.payments.planOfPrice(priceId)));
    return { statusCode: 200, body: { received: true, result } };
  });

export const handler = lambdaEntry(createStripeWebhookHandler, { payments: stripePayments });
