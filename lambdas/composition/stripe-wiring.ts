/**
 * Stripe for the functions that talk to it (LambdaWiring.payments). Deployed, the keys come from
 * Secrets Manager (STRIPE_SECRET_ARN), read at first use and again after a TTL; on a host without
 * it they may come from the environment (STRIPE_SECRET_KEY and friends).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { StripePaymentGateway, createStripeClient } from '../adapters/stripe/stripe-payment-gateway';
import type { PaymentGateway } from '../domain/payment-gateway';
import { DomainError, PaymentsNotConfiguredError } from '../domain/errors';
import { CachedValue } from '../shared/cached-value';
import { TIME_BUDGETS, workingTimeLeftMs } from '../shared/time-budget';
import { traced } from '../shared/tracing';
import type { Config, StripeKeys } from '../shared/config';
import { isStripeSecretPlaceholder, parseStripeKeys, stripeKeysFromEnv } from '../shared/config';
import type { PaymentsWiring } from './production-deps';

export async function readStripeSecret(client: Pick<SecretsManagerClient, 'send'>, secretArn: string): Promise<StripeKeys> {
  const answer = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (answer.SecretString === undefined) throw new Error(`Stripe secret ${secretArn} has no string value`);
  return parseStripeKeys(answer.SecretString);
}

export async function stripeKeysOf(config: Config, client?: Pick<SecretsManagerClient, 'send'>): Promise<StripeKeys> {
  if (config.STRIPE_SECRET_ARN) {
    return readStripeSecret(client ?? traced(new SecretsManagerClient({ region: config.AWS_REGION })), config.STRIPE_SECRET_ARN);
  }
  const fromEnv = stripeKeysFromEnv(config);
  if (!fromEnv) throw new Error('Invalid configuration: this function talks to Stripe: set STRIPE_SECRET_ARN (or STRIPE_SECRET_KEY)');
  return fromEnv;
}

/** How long a warm function keeps the Stripe keys before reading the secret again (a roll reaches it within this). */
export const STRIPE_KEYS_TTL_MS = 5 * 60_000;
/** A signature failure re-reads the secret at most this often (a flood of forged events cannot hammer Secrets Manager). */
export const WEBHOOK_SECRET_REREAD_INTERVAL_MS = 30_000;

type KeysOrPlaceholder = StripeKeys | 'not_configured';

/** The longest one Stripe call can take: each attempt's timeout, and stripe-node's backoff (at most 2 s) between them. */
export const STRIPE_CALL_BUDGET_MS = TIME_BUDGETS.stripeRequestTimeoutMs * (1 + TIME_BUDGETS.stripeMaxNetworkRetries) + 2_000 * TIME_BUDGETS.stripeMaxNetworkRetries;

/**
 * Stripe for the functions that talk to it. Nothing is read at cold start: the keys are read at the
 * first use and kept for STRIPE_KEYS_TTL_MS (a rolled key reaches warm functions); while the secret
 * still holds the placeholder it is created with, every payment call and webhook answers 503
 * payments_not_configured, and the billing jobs with nothing due never read it at all.
 */
export async function stripePayments(config: Config, read: () => Promise<KeysOrPlaceholder> = () => stripeKeysOrPlaceholder(config)): Promise<PaymentsWiring> {
  const keys = new CachedValue(read, STRIPE_KEYS_TTL_MS);
  const configured = async (source: Promise<KeysOrPlaceholder>): Promise<StripeKeys> => {
    const value = await source;
    if (value === 'not_configured') throw new PaymentsNotConfiguredError();
    return value;
  };
  let built: { secretKey: string; prices: string; gateway: StripePaymentGateway } | undefined;
  const gatewayOf = (k: StripeKeys): StripePaymentGateway => {
    const prices = `${k.priceBeginner}|${k.pricePro}|${k.priceTeam}`;
    if (!built || built.secretKey !== k.secretKey || built.prices !== prices) {
      built = { secretKey: k.secretKey, prices, gateway: new StripePaymentGateway(createStripeClient({ secretKey: k.secretKey }), { priceIds: { BEGINNER: k.priceBeginner, PRO: k.pricePro, TEAM: k.priceTeam } }) };
    }
    return built.gateway;
  };
  const secretsOf = (k: StripeKeys) => [k.webhookSecret, ...(k.previousWebhookSecret ? [k.previousWebhookSecret] : [])];
  const gateway = async () => {
    // A Stripe call with its retry must finish before the function's deadline: otherwise answer 502 now, in our words.
    if (workingTimeLeftMs() < STRIPE_CALL_BUDGET_MS) throw new DomainError('payment_provider_error', 'Not enough time left to reach the payment provider; nothing was charged. Retry the request.');
    return gatewayOf(await configured(keys.get()));
  };
  return {
    payments: {
      ...delegatingPayments(gateway),
      // The webhook reads its secrets (and so the keys) before it maps an event's prices.
      planOfPrice: (priceId) => {
        const k = keys.peek();
        if (!k || k === 'not_configured') throw new PaymentsNotConfiguredError();
        return gatewayOf(k).planOfPrice(priceId);
      },
    },
    webhookSecrets: {
      current: async () => secretsOf(await configured(keys.get())),
      refreshed: async () => {
        const fresh = await keys.refresh(WEBHOOK_SECRET_REREAD_INTERVAL_MS);
        return fresh === null ? null : secretsOf(await configured(Promise.resolve(fresh)));
      },
    },
  };
}

/** The keys, or 'not_configured' while the secret holds the placeholder the CDK app created it with. */
export async function stripeKeysOrPlaceholder(config: Config, client?: Pick<SecretsManagerClient, 'send'>): Promise<KeysOrPlaceholder> {
  if (config.STRIPE_SECRET_ARN) {
    const answer = await (client ?? traced(new SecretsManagerClient({ region: config.AWS_REGION }))).send(new GetSecretValueCommand({ SecretId: config.STRIPE_SECRET_ARN }));
    if (answer.SecretString !== undefined && isStripeSecretPlaceholder(answer.SecretString)) return 'not_configured';
    if (answer.SecretString === undefined) throw new Error(`Stripe secret ${config.STRIPE_SECRET_ARN} has no string value`);
    return parseStripeKeys(answer.SecretString);
  }
  return stripeKeysOf(config);
}

/** Every gateway call made on the gateway `current` resolves to at that moment. */
function delegatingPayments(current: () => Promise<PaymentGateway>): Omit<PaymentGateway, 'planOfPrice'> {
  return {
    ensureCustomer: async (accountId) => (await current()).ensureCustomer(accountId),
    savedCard: async (customerId) => (await current()).savedCard(customerId),
    createPayment: async (input) => (await current()).createPayment(input),
    createOrChangeSubscription: async (input) => (await current()).createOrChangeSubscription(input),
    cancelSubscriptionAtPeriodEnd: async (input) => (await current()).cancelSubscriptionAtPeriodEnd(input),
    invoicePaygUsage: async (input) => (await current()).invoicePaygUsage(input),
    subscriptionState: async (id) => (await current()).subscriptionState(id),
    cancelSubscriptionNow: async (input) => (await current()).cancelSubscriptionNow(input),
    invoicePaymentId: async (id) => (await current()).invoicePaymentId(id),
  };
}
