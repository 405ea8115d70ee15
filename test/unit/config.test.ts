import { readConfig } from '../../lambdas/shared/config';

const base = { TABLE_NAME: 'credits', JOBS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/jobs' };

describe('readConfig', () => {
  test('local mode runs without Stripe (the payment simulator stands in)', () => {
    const config = readConfig({ ...base, LOCAL_MODE: 'true' });
    expect(config).toMatchObject({ LOCAL_MODE: true, STRIPE_WEBHOOK_SECRET: 'whsec_local_dev', JOB_LEASE_SECONDS: 120 });
    expect(config.STRIPE_SECRET_KEY).toBeUndefined();
  });

  test('outside local mode a Stripe key, a real webhook secret and the plan prices are required', () => {
    expect(() => readConfig(base)).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => readConfig({ ...base, STRIPE_SECRET_KEY: 'sk_live_x' })).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => readConfig({ ...base, STRIPE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRET: 'whsec_real' })).toThrow(/STRIPE_PRICE_BEGINNER/);
    const prices = { STRIPE_PRICE_BEGINNER: 'price_b', STRIPE_PRICE_PRO: 'price_p', STRIPE_PRICE_TEAM: 'price_t' };
    expect(readConfig({ ...base, STRIPE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRET: 'whsec_real', ...prices }).LOCAL_MODE).toBe(false);
  });

  test('a malformed value fails at cold start with what is wrong', () => {
    expect(() => readConfig({ ...base, LOCAL_MODE: 'true', JOB_LEASE_SECONDS: 'soon' })).toThrow(/JOB_LEASE_SECONDS/);
    expect(() => readConfig({ LOCAL_MODE: 'true' })).toThrow(/TABLE_NAME/);
  });
});
