/**
 * How a deployed function builds its dependencies: once per cold start, only the ports its entry
 * file wires, and the Stripe keys read from Secrets Manager (through the real SDK client, against a
 * small stand-in for the Secrets Manager endpoint).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readConfig } from '../../lambdas/shared/config';
import { runWithDeadline } from '../../lambdas/shared/time-budget';
import type { PaymentsWiring } from '../../lambdas/composition/production-deps';
import { lambdaEntry } from '../../lambdas/composition/production-deps';
import { STRIPE_CALL_BUDGET_MS, readStripeSecret, stripeKeysOf, stripeKeysOrPlaceholder, stripePayments } from '../../lambdas/composition/stripe-wiring';
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
    await expect(fromEnv.webhookSecrets.current()).resolves.toEqual(['whsec_env']);
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
    const secret = `whsec_build_${calls.n}`;
    return { payments: {} as PaymentsWiring['payments'], webhookSecrets: { current: async () => [secret], refreshed: async () => null } };
  };
  const echoSecret = (deps: UseCaseDeps) => async (event: { n: number }) => `${event.n}:${(await deps.webhookSecrets.current())[0]}`;

  test('builds once per cold start, however many invocations arrive together', async () => {
    const calls = { n: 0 };
    const handler = lambdaEntry(echoSecret, { access: { table: 'read-write', stripe: true }, payments: payments(calls) });
    expect(calls.n).toBe(0); // importing reads nothing
    const answers = await Promise.all(Array.from({ length: 20 }, (_v, n) => handler({ n })));
    expect(answers).toEqual(Array.from({ length: 20 }, (_v, n) => `${n}:whsec_build_1`));
    await handler({ n: 99 });
    expect(calls.n).toBe(1);
  });

  test('a failed build is not kept: the next invocation builds again', async () => {
    const calls = { n: 0 };
    const handler = lambdaEntry(echoSecret, { access: { table: 'read-write', stripe: true }, payments: payments(calls, 1) });
    await expect(handler({ n: 1 })).rejects.toThrow(/InternalServiceError/);
    await expect(handler({ n: 2 })).resolves.toBe('2:whsec_build_2');
    await expect(handler({ n: 3 })).resolves.toBe('3:whsec_build_2');
    expect(calls.n).toBe(2);
  });

  test('a port the entry did not wire fails loudly, naming itself', async () => {
    const handler = lambdaEntry((deps: UseCaseDeps) => async (port: 'payments' | 'jobQueue' | 'models' | 'outputs') => {
      if (port === 'payments') return deps.payments.savedCard('cus_1');
      if (port === 'jobQueue') return deps.jobQueue.enqueue({ accountId: 'a', jobId: 'j' });
      if (port === 'models') return deps.models.route('gpt-image-2');
      return deps.outputs.signedUrl('outputs/a/j/0.png', 60);
    }, { access: { table: 'read' } });
    expect(handler.wiredPorts).toEqual({ jobQueue: false, payments: false, models: false, outputs: false });
    await expect(handler('payments')).rejects.toThrow(/payments is not wired into this function/);
    await expect(handler('jobQueue')).rejects.toThrow(/jobQueue is not wired/);
    await expect(handler('models')).rejects.toThrow(/models is not wired/);
    await expect(handler('outputs')).rejects.toThrow(/outputs is not wired/);
  });
});

describe('Stripe keys at first use (every Stripe function, the jobs worker included)', () => {
  test('nothing is read until the first use; concurrent first uses share one read; a failed read is tried again', async () => {
    let reads = 0;
    const wiring = await stripePayments(readConfig(ENV), async () => {
      reads += 1;
      await new Promise((r) => setTimeout(r, 10));
      if (reads === 1) throw new Error('Secrets Manager: InternalServiceError');
      return KEYS;
    });
    expect(reads).toBe(0);

    await expect(wiring.webhookSecrets.current()).rejects.toThrow(/InternalServiceError/);
    const secrets = await Promise.all([wiring.webhookSecrets.current(), wiring.webhookSecrets.current(), wiring.webhookSecrets.current()]);

    expect(secrets).toEqual([[KEYS.webhookSecret], [KEYS.webhookSecret], [KEYS.webhookSecret]]);
    expect(reads).toBe(2);
    expect(wiring.payments.planOfPrice('price_p')).toBe('PRO');
  });

  test('a worker without any Stripe setting still starts: only its first payment call fails', async () => {
    const wiring = await stripePayments(readConfig(ENV));

    await expect(wiring.payments.savedCard('cus_1')).rejects.toThrow(/STRIPE_SECRET_ARN/);
  });

  test('the placeholder the secret is created with: payments_not_configured, from every call, without a Stripe request', async () => {
    const sm = await startSecretsManager(() => JSON.stringify({ notConfigured: 'put the Stripe keys here (README, Deploy)' }));
    try {
      const wiring = await stripePayments(readConfig(ENV), () => stripeKeysOrPlaceholder(readConfig({ ...ENV, STRIPE_SECRET_ARN: SECRET_ARN }), sm.client));
      await expect(wiring.payments.savedCard('cus_1')).rejects.toMatchObject({ code: 'payments_not_configured' });
      await expect(wiring.webhookSecrets.current()).rejects.toMatchObject({ code: 'payments_not_configured' });
      expect(() => wiring.payments.planOfPrice('price_p')).toThrow(/not set up/);
      // Read once, then kept for the TTL: requests while unconfigured do not hammer Secrets Manager.
      expect(sm.requests()).toHaveLength(1);
    } finally {
      sm.close();
    }
  });

  test('a Stripe call that could not finish before the function deadline is not started: 502 payment_provider_error in our words', async () => {
    let reads = 0;
    const wiring = await stripePayments(readConfig(ENV), async () => {
      reads += 1;
      return KEYS;
    });
    const refused = await runWithDeadline(STRIPE_CALL_BUDGET_MS, () => wiring.payments.savedCard('cus_1')).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'payment_provider_error', message: expect.stringMatching(/nothing was charged/) });
    expect(reads).toBe(0);
  });

  test('during a webhook-secret roll both the new and the previous secret are offered', async () => {
    const wiring = await stripePayments(readConfig(ENV), async () => ({ ...KEYS, webhookSecret: 'whsec_new', previousWebhookSecret: 'whsec_old' }));
    await expect(wiring.webhookSecrets.current()).resolves.toEqual(['whsec_new', 'whsec_old']);
    // Just read: a re-read is refused for now (a flood of forged events cannot hammer Secrets Manager).
    await expect(wiring.webhookSecrets.refreshed()).resolves.toBeNull();
  });
});
