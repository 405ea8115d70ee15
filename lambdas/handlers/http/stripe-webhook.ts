import Stripe from 'stripe';
import { toProviderEvent } from '../../adapters/stripe/stripe-events';
import { DomainError, PaymentsNotConfiguredError } from '../../domain/errors';
import type { WebhookSecrets } from '../../domain/ports';
import type { UseCaseDeps } from '../../use-cases/context';
import { applyProviderEvent } from '../../use-cases/apply-provider-event';
import { errorFacts } from '../../shared/error-facts';
import { WEBHOOK_MAX_BODY_BYTES, httpEndpoint } from '../../shared/http-endpoint';
import { log } from '../../shared/logger';
import { lambdaEntry } from '../../composition/production-deps';
import { WEBHOOK_SIGNATURE_FAILURE_MESSAGE } from '../../shared/service-identity';
import { stripePayments } from '../../composition/stripe-wiring';

/** Stripe's default: a signature older than this is refused (replay protection). */
const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * POST /v1/webhooks/stripe (no JWT): verifies the signature on the raw body (400 otherwise), applies
 * the event once, 200 for types we ignore. A processing failure answers 5xx so Stripe retries; so
 * does a stage whose Stripe keys are not set yet (503 payments_not_configured).
 */
export const createStripeWebhookHandler = (deps: UseCaseDeps) =>
  httpEndpoint({ access: 'public', maxBodyBytes: WEBHOOK_MAX_BODY_BYTES }, async ({ headers, rawBody }) => {
    const signature = headers['stripe-signature'];
    let verified: unknown;
    try {
      if (!signature) throw new Error('no Stripe-Signature header');
      verified = await verifyWithAnySecret(rawBody, signature, deps.webhookSecrets);
    } catch (error) {
      if (error instanceof PaymentsNotConfiguredError) throw error;
      // stripe-node's verification messages are fixed texts; anything else is logged by its facts only.
      const reason = error instanceof Stripe.errors.StripeSignatureVerificationError || !signature ? { reason: (error as Error).message } : errorFacts(error);
      log().warn(WEBHOOK_SIGNATURE_FAILURE_MESSAGE, reason);
      throw new DomainError('invalid_signature', 'The Stripe signature is missing, stale or does not match this body.');
    }
    const result = await applyProviderEvent(deps, toProviderEvent(verified, (priceId) => deps.payments.planOfPrice(priceId)));
    return { statusCode: 200, body: { received: true, result } };
  });

/**
 * Verifies with the current secret, then one being rolled out; if none matches, reads the secrets
 * again (at most every 30 s) and tries once more: a warm function learns a rolled secret at the
 * first event signed with it instead of refusing events until its TTL runs out.
 */
async function verifyWithAnySecret(rawBody: string, signature: string, secrets: WebhookSecrets): Promise<unknown> {
  const attempt = (candidates: readonly string[]) => {
    let lastError: unknown = new Error('no webhook secret');
    for (const secret of candidates) {
      try {
        return { event: Stripe.webhooks.constructEvent(rawBody, signature, secret, SIGNATURE_TOLERANCE_SECONDS) as unknown };
      } catch (error) {
        lastError = error;
      }
    }
    return { error: lastError };
  };
  const first = attempt(await secrets.current());
  if ('event' in first) return first.event;
  const fresh = await secrets.refreshed();
  if (fresh === null) throw first.error;
  const second = attempt(fresh);
  if ('event' in second) return second.event;
  throw second.error;
}

export const handler = lambdaEntry(createStripeWebhookHandler, { access: { table: 'read-write', stripe: true }, payments: stripePayments });
