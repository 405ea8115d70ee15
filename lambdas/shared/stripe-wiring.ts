/**
 * Stripe for the functions that talk to it (LambdaWiring.payments). Deployed, the keys come from
 * Secrets Manager (STRIPE_SECRET_ARN), read once per cold start; on a host without it they may come
 * from the environment (STRIPE_SECRET_KEY and friends).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { StripePaymentGateway, createStripeClient } from '../adapters/stripe/stripe-payment-gateway';
import type { Config, StripeKeys } from './config';
import { parseStripeKeys, stripeKeysFromEnv } from './config';
import type { PaymentsWiring } from './production-deps';

export async function readStripeSecret(client: Pick<SecretsManagerClient, 'send'>, secretArn: string): Promise<StripeKeys> {
  const answer = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (answer.SecretString === undefined) throw new Error(`Stripe secret ${secretArn} has no string value`);
  return parseStripeKeys(answer.SecretString);
}

export async function stripeKeysOf(config: Config, client?: Pick<SecretsManagerClient, 'send'>): Promise<StripeKeys> {
  if (config.STRIPE_SECRET_ARN) {
    return readStripeSecret(client ?? new SecretsManagerClient({ region: config.AWS_REGION }), config.STRIPE_SECRET_ARN);
  }
  const fromEnv = stripeKeysFromEnv(config);
  if (!fromEnv) throw new Error('Invalid configuration: this function talks to Stripe: set STRIPE_SECRET_ARN (or STRIPE_SECRET_KEY)');
  return fromEnv;
}

export async function stripePayments(config: Config): Promise<PaymentsWiring> {
  const keys = await stripeKeysOf(config);
  const priceIds = { BEGINNER: keys.priceBeginner, PRO: keys.pricePro, TEAM: keys.priceTeam };
  return { payments: new StripePaymentGateway(createStripeClient({ secretKey: keys.secretKey }), { priceIds }), providerWebhookSecret: keys.webhookSecret };
}
