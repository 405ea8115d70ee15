/**
 * The Stripe keys of one stage, in Secrets Manager: a JSON object with secretKey, webhookSecret,
 * priceBeginner, pricePro and priceTeam (and previousWebhookSecret while rolling one). Created with
 * a placeholder the functions recognize (`{"notConfigured": …}`): until an operator puts the real
 * value (README, Deploy), payment routes and the webhook answer 503 payments_not_configured and the
 * billing jobs with nothing due never read it, so a first deploy fills no queue and pages no one.
 * Functions that talk to Stripe get read access and its ARN.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { STRIPE_SECRET_KEYS, STRIPE_SECRET_PLACEHOLDER_KEY } from '../../lambdas/shared/config';
import { operatorSecret } from './operator-secret';

/** The keys the functions read from the secret (lambdas/shared/config.ts parses it). */
export { STRIPE_SECRET_KEYS };

export interface StripeSecretProps {
  readonly secretName: string;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class StripeSecret extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: StripeSecretProps) {
    super(scope, id);
    this.secret = operatorSecret(this, 'Secret', {
      secretName: props.secretName,
      description: `Stripe keys (JSON: ${STRIPE_SECRET_KEYS.join(', ')}); set by an operator, read at first use and every 5 minutes`,
      placeholderTemplate: JSON.stringify({ [STRIPE_SECRET_PLACEHOLDER_KEY]: 'Put the Stripe keys here: README, Deploy.' }),
      rotatedBy:
        'Stripe API keys and webhook signing secrets are issued and rolled in the Stripe dashboard (with an overlap window), not by a rotation Lambda; the operator puts the new value here when rolling them.',
      ...(props.removalPolicy ? { removalPolicy: props.removalPolicy } : {}),
    });
  }
}
