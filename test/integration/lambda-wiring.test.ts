/**
 * How a deployed function builds its dependencies: once per cold start, only the ports its entry
 * file wires, and the Stripe keys read from Secrets Manager (through the real SDK client, against a
 * small stand-in for the Secrets Manager endpoint).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readConfig } from '../../lambdas/shared/config';
import type { PaymentsWiring } from '../../lambdas/shared/production-deps';
import { lambdaEntry } from '../../lambdas/shared/production-deps';
import type { PaymentGateway } from '../../lambdas/domain/payment-gateway';
import { lazyPayments, lazyStripePayments, readStripeSecret, stripeKeysOf, stripePayments } from '../../lambdas/shared/stripe-wiring';
import type { UseCaseDeps } from '../../lambdas/use-cases/context';
import { startFakeSecretsManager } from '../support/fake-secrets-manager';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bfc-dev-stripe-AbCdEf';
const KEYS = { secretKey: 'sk_test_51FromSecretsManager', webhookSecret: 'whsec_from_secrets_manager', priceBeginner: 'price_b', pricePro: 'price_p', priceTeam: 'price_t' };
const ENV = { TABLE_NAME: 'credits', JOBS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs', AWS_REGION: 'eu-west-1' };

/** The stand-in, and a real SDK client pointed at it. */
async function startSecretsManager(secretString: () => string) {
  const fake = await startFakeSecretsManager({ arn: SECRET_ARN, secretString });
  const client = new SecretsManagerClient({ region: 'eu-west-1', endpoint: fake.url, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' }, maxAttempts: 1 });
  const requests = () => fake.requests.map((r) => ({ target: r.target, body: { SecretId: r.secretId }, signed: r.authorization.startsWith('AWS4-HMAC-SHA256') }));
  return { client, requests, close: () => fake.close() };
}

describe('Stripe keys from Secrets Manager', () => {
  test('GetSecretValue by ARN, signed, parsed into the keys', async () => {
    const sm = await startSecretsManager(() => JSON.stringify(KEYS));
    try {
      await expect(readStripeSecret(sm.client, SECRET_ARN)).resolves.toEqual(KEYS);
      expect(sm.requests()).toEqual([{ target: 'secretsmanager.GetSecretValue', body: { SecretId: SECRET_ARN }, signed: true }]);
      // The config path: the ARN wins, nothing is read from STRIPE_* variables.
      await expect(stripeKeysOf(readConfig({ ...ENV, STRIPE_SECRET_ARN: SECRET_ARN }), sm.client)).resolves.toEqual(KEYS);
    } finally {
      sm.close();
    }
  });

  test('a malformed secret fails the cold start with what is wrong, never the value', async () => {
    const sm = await startSecretsManager(() => JSON.stringify({ ...KEYS, webhookSecret: 'sk_test_51FromSecretsManager' }));
    try {
      const error = (await readStripeSecret(sm.client, SECRET_ARN).catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/^Invalid Stripe secret: webhookSecret/);
      expect(error.message).not.toContain('FromSecretsManager');
    } finally {
      sm.close();
    }
  });

  test('a Stripe function with neither a secret ARN nor a key in the environment refuses to start', async () => {
    await expect(stripeKeysOf(readConfig(ENV))).rejects.toThrow(/STRIPE_SECRET_ARN/);
    const fromEnv = await stripePayments(readConfig({ ...ENV, STRIPE_SECRET_KEY: 'sk_test_env', STRIPE_WEBHOOK_SECRET: 'whsec_env', STRIPE_PRICE_BEGINNER: 'price_b', STRIPE_PRICE_PRO: 'price_p', STRIPE_PRICE_TEAM: 'price_t' }));
    expect(fromEnv.providerWebhookSecret).toBe('whsec_env');
  });
});

describe('lambdaEntry', () => {
  const saved = { ...process.env };
  beforeEach(() => Object.assign(process.env, ENV));
  afterEach(() => {
    for (const key of Object.keys(ENV)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  const payments = (calls: { n: number }, failFirst = 0): ((config: unknown) => Promise<PaymentsWiring>) => async () => {
    calls.n += 1;
    await new Promise((r) => setTimeout(r, 20));
    if (calls.n <= failFirst) throw new Error('Secrets Manager: InternalServiceError');
    return { payments: {} as PaymentsWiring['payments'], providerWebhookSecret: `whsec_build_${calls.n}` };
  };
  const echoSecret = (deps: UseCaseDeps) => async (event: { n: number }) => `${event.n}:${deps.providerWebhookSecret}`;

  test('builds once per cold start, however many invocations arrive together', async () => {
    const calls = { n: 0 };
    const handler = lambdaEntry(echoSecret, { payments: payments(calls) });
    expect(calls.n).toBe(0); // importing reads nothing
    const answers = await Promise.all(Array.from({ length: 20 }, (_v, n) => handler({ n })));
    expect(answers).toEqual(Array.from({ length: 20 }, (_v, n) => `${n}:whsec_build_1`));
    await handler({ n: 99 });
    expect(calls.n).toBe(1);
  });

  test('a failed build is not kept: the next invocation builds again', async () => {
    const calls = { n: 0 };
    const handler = lambdaEntry(echoSecret, { payments: payments(calls, 1) });
    await expect(handler({ n: 1 })).rejects.toThrow(/InternalServiceError/);
    await expect(handler({ n: 2 })).resolves.toBe('2:whsec_build_2');
    await expect(handler({ n: 3 })).resolves.toBe('3:whsec_build_2');
    expect(calls.n).toBe(2);
  });

  test('a port the entry did not wire fails loudly, naming itself', async () => {
    const handler = lambdaEntry((deps: UseCaseDeps) => async (port: 'payments' | 'jobQueue' | 'provider') => {
      if (port === 'payments') return deps.payments.savedCard('cus_1');
      if (port === 'jobQueue') return deps.jobQueue.enqueue({ accountId: 'a', jobId: 'j' });
      return deps.provider.generate;
    });
    expect(handler.wiredPorts).toEqual({ jobQueue: false, payments: false, provider: false });
    await expect(handler('payments')).rejects.toThrow(/payments is not wired into this function/);
    await expect(handler('jobQueue')).rejects.toThrow(/jobQueue is not wired/);
    await expect(handler('provider')).rejects.toThrow(/provider is not wired/);
  });
});

describe('lazy payments (the jobs worker)', () => {
  test('nothing is read until the first use; concurrent first uses share one build; a failed build is tried again', async () => {
    let builds = 0;
    const gateway = lazyPayments(async () => {
      builds += 1;
      await new Promise((r) => setTimeout(r, 10));
      if (builds === 1) throw new Error('Secrets Manager: InternalServiceError');
      return { savedCard: async (customerId: string) => ({ paymentMethodId: `pm_${customerId}`, brand: 'visa', last4: '4242' }) } as unknown as PaymentGateway;
    });
    expect(builds).toBe(0);

    await expect(gateway.savedCard('cus_1')).rejects.toThrow(/InternalServiceError/);
    const cards = await Promise.all([gateway.savedCard('cus_2'), gateway.savedCard('cus_3'), gateway.savedCard('cus_4')]);

    expect(cards.map((c) => c?.paymentMethodId)).toEqual(['pm_cus_2', 'pm_cus_3', 'pm_cus_4']);
    expect(builds).toBe(2);
  });

  test('a worker without any Stripe setting still starts: only its first payment call fails', async () => {
    const wiring = await lazyStripePayments(readConfig(ENV));

    expect(wiring.providerWebhookSecret).toBe('');
    await expect(wiring.payments.savedCard('cus_1')).rejects.toThrow(/STRIPE_SECRET_ARN/);
  });
});
