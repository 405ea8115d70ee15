import { parseStripeKeys, readConfig, stripeKeysFromEnv } from '../../lambdas/shared/config';

const base = { TABLE_NAME: 'credits', JOBS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/jobs' };
const prices = { STRIPE_PRICE_BEGINNER: 'price_b', STRIPE_PRICE_PRO: 'price_p', STRIPE_PRICE_TEAM: 'price_t' };
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe-dev-AbCdEf';

describe('readConfig', () => {
  test('local mode runs without Stripe (the payment simulator stands in)', () => {
    const config = readConfig({ ...base, LOCAL_MODE: 'true' });
    expect(config).toMatchObject({ LOCAL_MODE: true, STRIPE_WEBHOOK_SECRET: 'whsec_local_dev', JOB_LEASE_SECONDS: 120 });
    expect(config.STRIPE_SECRET_KEY).toBeUndefined();
    expect(stripeKeysFromEnv(config)).toBeUndefined();
  });

  test('a deployed function that never talks to Stripe needs no Stripe setting at all', () => {
    const config = readConfig(base);
    expect(config.LOCAL_MODE).toBe(false);
    expect(config.STRIPE_SECRET_ARN).toBeUndefined();
  });

  test('deployed Stripe functions name the secret that holds the keys', () => {
    expect(readConfig({ ...base, STRIPE_SECRET_ARN: SECRET_ARN }).STRIPE_SECRET_ARN).toBe(SECRET_ARN);
    expect(() => readConfig({ ...base, STRIPE_SECRET_ARN: 'stripe-dev' })).toThrow(/STRIPE_SECRET_ARN/);
    expect(() => readConfig({ ...base, STRIPE_SECRET_ARN: SECRET_ARN, STRIPE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRET: 'whsec_real', ...prices })).toThrow(/not both/);
  });

  test('keys from the environment need the plan prices, and outside local mode a real webhook secret', () => {
    expect(() => readConfig({ ...base, STRIPE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRET: 'whsec_real' })).toThrow(/STRIPE_PRICE_BEGINNER/);
    expect(() => readConfig({ ...base, STRIPE_SECRET_KEY: 'sk_live_x', ...prices })).toThrow(/real STRIPE_WEBHOOK_SECRET/);
    expect(() => readConfig({ ...base, STRIPE_SECRET_KEY: 'pk_live_x', STRIPE_WEBHOOK_SECRET: 'whsec_real', ...prices })).toThrow(/STRIPE_SECRET_KEY/);
    const config = readConfig({ ...base, STRIPE_SECRET_KEY: 'rk_live_x', STRIPE_WEBHOOK_SECRET: 'whsec_real', ...prices });
    expect(stripeKeysFromEnv(config)).toEqual({ secretKey: 'rk_live_x', webhookSecret: 'whsec_real', priceBeginner: 'price_b', pricePro: 'price_p', priceTeam: 'price_t' });
  });

  test('a malformed value fails at cold start with what is wrong', () => {
    expect(() => readConfig({ ...base, LOCAL_MODE: 'true', JOB_LEASE_SECONDS: 'soon' })).toThrow(/JOB_LEASE_SECONDS/);
    expect(() => readConfig({ LOCAL_MODE: 'true' })).toThrow(/TABLE_NAME/);
  });
});

describe('parseStripeKeys (the Stripe secret in Secrets Manager)', () => {
  const keys = { secretKey: 'sk_live_51SECRETVALUE', webhookSecret: 'whsec_SECRETVALUE', priceBeginner: 'price_b', pricePro: 'price_p', priceTeam: 'price_t' };

  test('reads the five keys and ignores others', () => {
    expect(parseStripeKeys(JSON.stringify({ ...keys, note: 'rolled 2026-11' }))).toEqual(keys);
  });

  test('names what is wrong, never a value', () => {
    const attempts = [
      'sk_live_51SECRETVALUE', // a bare key instead of JSON
      '{"secretKey": "sk_live_51SECRETVALUE", ', // truncated JSON
      JSON.stringify({ ...keys, webhookSecret: 'SECRETVALUE' }),
      JSON.stringify({ ...keys, secretKey: 'pk_live_SECRETVALUE' }),
      JSON.stringify([keys]),
    ];
    for (const text of attempts) {
      let message = '';
      try {
        parseStripeKeys(text);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^Invalid Stripe secret: /);
      expect(message).not.toContain('SECRETVALUE');
    }
    expect(() => parseStripeKeys(JSON.stringify({ ...keys, pricePro: undefined }))).toThrow(/pricePro/);
  });
});
