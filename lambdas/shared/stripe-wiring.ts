/**
 * Stripe for the functions that talk to it (LambdaWiring.payments). Deployed, the keys come from
 * Secrets Manager (STRIPE_SECRET_ARN), read once per cold start; on a host without it they may come
 * from the environment (STRIPE_SECRET_KEY and friends).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { StripePaymentGateway, createStripeClient } from '../adapters/stripe/stripe-payment-gateway';
import type { PaymentGateway } from '../domain/payment-gateway';
import type { Config, StripeKeys } from './config';
import { parseStripeKeys, stripeKeysFromEnv } from './config';
import type { PaymentsWiring } from './production-deps';
import { onceUntilFailure } from './production-deps';

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

/**
 * A gateway that builds the real one at its first use, and again after a failed build. For a
 * function whose main work does not need Stripe (the jobs worker starts auto-refills on the side):
 * a missing or malformed Stripe secret must not stop it from running generations.
 */
export function lazyPayments(build: () => Promise<PaymentGateway>): PaymentGateway {
  const gateway = onceUntilFailure(build);
  return {
    ensureCustomer: async (accountId) => (await gateway()).ensureCustomer(accountId),
    savedCard: async (customerId) => (await gateway()).savedCard(customerId),
    createPayment: async (input) => (await gateway()).createPayment(input),
    createOrChangeSubscription: async (input) => (await gateway()).createOrChangeSubscription(input),
    cancelSubscriptionAtPeriodEnd: async (input) => (await gateway()).cancelSubscriptionAtPeriodEnd(input),
    invoicePaygUsage: async (input) => (await gateway()).invoicePaygUsage(input),
    subscriptionState: async (id) => (await gateway()).subscriptionState(id),
    cancelSubscriptionNow: async (input) => (await gateway()).cancelSubscriptionNow(input),
    invoicePaymentId: async (id) => (await gateway()).invoicePaymentId(id),
    // Only the webhook reads provider prices, and it builds the real gateway at once.
    planOfPrice: () => {
      throw new Error('planOfPrice is not available on a lazily built gateway');
    },
  };
}

/** Stripe read at first use (LambdaWiring.payments of the worker); it never verifies webhooks. */
export async function lazyStripePayments(config: Config): Promise<PaymentsWiring> {
  return { payments: lazyPayments(async () => (await stripePayments(config)).payments), providerWebhookSecret: '' };
}
