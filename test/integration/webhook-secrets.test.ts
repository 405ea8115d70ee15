/**
 * Issue 11, secrets: a warm webhook function learns a rolled secret at the first event signed with
 * it (one re-read, rate-limited), accepts the previous secret during a roll, and a stage whose
 * Stripe keys are not set answers 503 payments_not_configured (Stripe retries) instead of failing.
 */
import { PaymentsNotConfiguredError } from '../../lambdas/domain/errors';
import type { WebhookSecrets } from '../../lambdas/domain/ports';
import { expectMoneyInvariants } from '../support/money-invariants';
import { paymentSucceeded, sign } from '../support/stripe-events';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

/** What the function holds (`current`) and what Secrets Manager holds now (`stored`); re-reads counted. */
function secretsHeld(current: string[], stored: string[] | null) {
  const state = { current, rereads: 0 };
  const secrets: WebhookSecrets = {
    current: async () => state.current,
    refreshed: async () => {
      state.rereads += 1;
      if (stored === null) return null; // read too recently to read again
      state.current = stored;
      return stored;
    },
  };
  return { secrets, state };
}

let t: TestService;
afterEach(async () => {
  await expectMoneyInvariants(t);
  await t.stop();
});

const balance = async (sub: string) => (await t.call('GET', '/v1/balance', { token: await t.token(sub) })).body.available as number;

test('a secret rolled while the function was warm: the first event signed with the new one re-reads it and is applied; later events need no re-read', async () => {
  const { secrets, state } = secretsHeld(['whsec_old'], ['whsec_new']);
  t = await startTestService({ pollers: false, webhookSecrets: secrets });
  await balance('rolled');

  const first = paymentSucceeded('pi_roll_1', 'rolled', 300);
  expect(await t.postWebhook(first, sign(first, { secret: 'whsec_new' }))).toBe(200);
  const second = paymentSucceeded('pi_roll_2', 'rolled', 200);
  expect(await t.postWebhook(second, sign(second, { secret: 'whsec_new' }))).toBe(200);

  expect(state.rereads).toBe(1);
  expect(await balance('rolled')).toBe(600);
});

test('during a roll the previous secret is still accepted; a forged event is refused without a re-read storm', async () => {
  const { secrets, state } = secretsHeld(['whsec_new', 'whsec_old'], null);
  t = await startTestService({ pollers: false, webhookSecrets: secrets });
  await balance('rolling');

  const signedOld = paymentSucceeded('pi_roll_old', 'rolling', 150);
  expect(await t.postWebhook(signedOld, sign(signedOld, { secret: 'whsec_old' }))).toBe(200);
  expect(state.rereads).toBe(0);

  const forged = paymentSucceeded('pi_forged', 'rolling', 999);
  for (let i = 0; i < 3; i += 1) expect(await t.postWebhook(forged, sign(forged, { secret: 'whsec_attacker' }))).toBe(400);
  expect(state.rereads).toBe(3); // each asks; the cache answers "too soon" (null) without reading Secrets Manager
  expect(await balance('rolling')).toBe(250);
});

test('a stage whose Stripe keys are not set: the webhook answers 503 payments_not_configured, and so does a top-up; nothing changes', async () => {
  const notConfigured = () => Promise.reject(new PaymentsNotConfiguredError());
  t = await startTestService({
    pollers: false,
    webhookSecrets: { current: notConfigured, refreshed: notConfigured },
    payments: (simulator) => new Proxy(simulator, { get: (target, prop, receiver) => (prop === 'ensureCustomer' ? notConfigured : Reflect.get(target, prop, receiver)) }),
  });
  const token = await t.token('early');
  await balance('early');

  const event = paymentSucceeded('pi_early', 'early', 300);
  const webhook = await t.call('POST', '/v1/webhooks/stripe', { rawBody: event, headers: { 'content-type': 'application/json', 'stripe-signature': sign(event) } });
  expect(webhook.status).toBe(503);
  expect(webhook.body.error.code).toBe('payments_not_configured');

  const topup = await t.call('POST', '/v1/topups', { token, body: { credits: 500 }, headers: { 'idempotency-key': 'early-1' } });
  expect(topup.status).toBe(503);
  expect(topup.body.error).toMatchObject({ code: 'payments_not_configured', message: expect.stringMatching(/nothing was charged/) });
  expect(await balance('early')).toBe(100);
});
