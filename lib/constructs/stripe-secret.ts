/**
 * The Stripe keys of one stage, in Secrets Manager: a JSON object with secretKey, webhookSecret,
 * priceBeginner, pricePro and priceTeam. Created with a random placeholder value; an operator puts
 * the real value (README, Deploy). Functions that talk to Stripe get read access and its ARN.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { STRIPE_SECRET_KEYS } from '../../lambdas/shared/config';

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
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      secretName: props.secretName,
      description: `Stripe keys (JSON: ${STRIPE_SECRET_KEYS.join(', ')}); set by an operator, read once per cold start`,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Stripe API keys and webhook signing secrets are issued and rolled in the Stripe dashboard (with an overlap window), not by a rotation Lambda; the operator puts the new value here when rolling them.',
    });
  }
}
