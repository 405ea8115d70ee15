/**
 * The local stack's clock and payment control routes (bin/local/local-clock-routes.ts,
 * bin/local/local-payment-routes.ts), served by the local HTTP server over real HTTP, against the
 * payment simulator and the real service of a test service (DynamoDB Local, the real webhook handler).
 */
import { startControlServer, type ControlServer } from '../support/control-server';
import { localClockRoutes } from '../../bin/local/local-clock-routes';
import { creditedPaymentAmount, localPaymentRoutes } from '../../bin/local/local-payment-routes';
import { newIdempotencyKey } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import { paymentSucceeded, sign } from '../support/stripe-events';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

let t: TestService;
let server: ControlServer;
let base: string;

beforeEach(async () => {
  t = await startTestService({ pollers: false });
  const controlRoutes = [...localClockRoutes(t.clock, t.payments), ...localPaymentRoutes({ payments: t.payments, amountCentsOf: creditedPaymentAmount(t.service.deps.store) })];
  // Only the control routes are under test here; the API is called through t.call.
  server = await startControlServer(controlRoutes);
  base = server.base;
});
afterEach(async () => {
  await server.close();
  await t.settle();
  await expectMoneyInvariants(t);
  await t.stop();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
async function control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const raw = typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body);
  const response = await fetch(`${base}${path}`, { method, headers: raw === undefined ? {} : { 'content-type': 'application/json' }, body: raw });
  return { status: response.status, body: await response.json() };
}

const refund = (paymentId: string, body?: unknown) => control('POST', `/_local/payments/${paymentId}/refund`, body);
const dispute = (paymentId: string, body?: unknown) => control('POST', `/_local/payments/${paymentId}/dispute`, body);
const available = async (token: string) => (await t.call('GET', '/v1/balance', { token })).body.available as number;
const ledger = async (token: string) => (await t.call('GET', '/v1/ledger?limit=100', { token })).body.entries as Array<{ type: string; amount: number; bucketId: string; reference: string }>;
const billing = async (token: string) => (await t.call('GET', '/v1/billing', { token })).body;

async function paidTopup(sub: string, credits: number) {
  const token = await t.token(sub);
  const response = await t.call('POST', '/v1/topups', { token, body: { credits }, headers: { 'idempotency-key': newIdempotencyKey() } });
  expect(response.status).toBe(201);
  await t.settle();
  const paymentId = (await ledger(token)).find((e) => e.type === 'topup')!.reference;
  return { token, paymentId };
}

/** Spies on what the routes ask the simulator to send. */
function spyOnSends() {
  return { refund: jest.spyOn(t.payments, 'refund'), dispute: jest.spyOn(t.payments, 'dispute') };
}

describe('POST /_local/clock drives the simulated Stripe billing clock', () => {
  test('moving the clock past a subscription’s period end renews it: renewal webhooks delivered, a new grant, renewsAt moves', async () => {
    expect((await control('POST', '/_local/clock', { set: '2027-01-10T00:00:00.000Z' })).body).toEqual({ now: expect.stringMatching(/^2027-01-10T00:00:00/), subscriptionsRenewed: 0 });
    let token = await t.token('renewer');
    expect((await t.call('POST', '/v1/subscription', { token, body: { plan: 'BEGINNER' } })).status).toBe(200);
    await t.settle();
    expect((await billing(token)).renewsAt).toMatch(/^2027-02-10T00:00:0\d/);

    // Not yet due: nothing renews.
    expect((await control('POST', '/_local/clock', { advanceSeconds: 86_400 })).body).toEqual({ now: expect.stringMatching(/^2027-01-11T00:00:0/), subscriptionsRenewed: 0 });
    const moved = await control('POST', '/_local/clock', { set: '2027-02-10T00:00:05Z' });
    await t.settle();

    expect(moved).toEqual({ status: 200, body: { now: expect.stringMatching(/^2027-02-10T00:00:05/), subscriptionsRenewed: 1 } });
    token = await t.token('renewer'); // the first one expired a month ago
    const after = await billing(token);
    expect(after).toMatchObject({ plan: { id: 'BEGINNER' }, status: 'active', renewsAt: expect.stringMatching(/^2027-03-10T00:00:0\d/) });
    const grants = (await ledger(token)).filter((e) => e.type === 'grant').map((e) => e.amount);
    expect(grants).toEqual([1200, 1200, 100]);
    expect(after.invoices).toHaveLength(2);

    // Renewed once: the same clock again renews nothing more.
    expect((await control('POST', '/_local/clock', { advanceSeconds: 1 })).body.subscriptionsRenewed).toBe(0);
    expect((await control('GET', '/_local/clock')).body).toEqual({ now: expect.stringMatching(/^2027-02-10T00:00:0/) });
  });

  test('bad clock bodies are 400 invalid_request and leave the clock where it was', async () => {
    await control('POST', '/_local/clock', { set: '2030-05-05T00:00:00Z' });
    const bad = [{}, { advanceSeconds: 1, set: '2030-06-01T00:00:00Z' }, { advanceSeconds: '60' }, { set: 'tomorrow' }, { advanceSeconds: 1, extra: true }, '{not json', '[]'];

    for (const body of bad) {
      const response = await control('POST', '/_local/clock', body);
      expect(response).toEqual({ status: 400, body: { error: { code: 'invalid_request', message: expect.any(String) } } });
    }
    expect((await control('GET', '/_local/clock')).body.now).toMatch(/^2030-05-05T00:00:0/);
  });
});

describe('POST /_local/payments/{paymentId}/refund', () => {
  test('a full refund (no amount) takes the top-up’s credits back; a second one is 409 and sends nothing', async () => {
    const { token, paymentId } = await paidTopup('full-refund', 500);

    const response = await refund(paymentId, {});
    await t.settle();

    expect(response).toEqual({ status: 202, body: { paymentId, event: 'charge.refunded', refundCents: 500, amountRefundedCents: 500, amountCents: 500, refunded: true } });
    expect(await available(token)).toBe(100);
    expect((await ledger(token))[0]).toMatchObject({ type: 'adjustment', amount: -500, bucketId: 'topup', reference: paymentId });
    expect((await billing(token)).topups[0].status).toBe('refunded');

    const sends = spyOnSends();
    const again = await refund(paymentId);
    expect(again).toEqual({ status: 409, body: { error: { code: 'charge_already_refunded', message: expect.any(String) } } });
    expect(sends.refund).not.toHaveBeenCalled();
  });

  test('partial refunds add up (each amount is that refund) and never exceed the payment', async () => {
    const { token, paymentId } = await paidTopup('partial-refund', 500);
    const sends = spyOnSends();

    expect((await refund(paymentId, { amountCents: 200 })).body).toMatchObject({ refundCents: 200, amountRefundedCents: 200, refunded: false });
    await t.settle();
    expect(await available(token)).toBe(400);
    expect((await refund(paymentId, { amountCents: 100 })).body).toMatchObject({ refundCents: 100, amountRefundedCents: 300, refunded: false });
    await t.settle();
    expect(await available(token)).toBe(300);

    const tooMuch = await refund(paymentId, { amountCents: 201 });
    expect(tooMuch).toEqual({ status: 409, body: { error: { code: 'refund_exceeds_payment', message: expect.stringContaining('200 of 500 cents') } } });
    expect(sends.refund).toHaveBeenCalledTimes(2);

    // No amount: the rest.
    expect((await refund(paymentId)).body).toMatchObject({ refundCents: 200, amountRefundedCents: 500, refunded: true });
    await t.settle();
    expect(await available(token)).toBe(100);
    // The simulator was sent the running totals, as Stripe's charge.amount_refunded.
    expect(sends.refund.mock.calls).toEqual([
      [paymentId, 200],
      [paymentId, 300],
      [paymentId, 500],
    ]);
    expect((await ledger(token)).filter((e) => e.type === 'adjustment').map((e) => e.amount)).toEqual([-200, -100, -200]);
  });


  test('concurrent refunds cannot together exceed the payment', async () => {
    const { token, paymentId } = await paidTopup('concurrent-refund', 500);

    const responses = await Promise.all([1, 2, 3].map(() => refund(paymentId, { amountCents: 200 })));
    await t.settle();

    expect(responses.map((r) => r.status).sort()).toEqual([202, 202, 409]);
    expect(responses.filter((r) => r.status === 202).map((r) => r.body.amountRefundedCents).sort()).toEqual([200, 400]);
    expect(await available(token)).toBe(200);
  });
});

describe('POST /_local/payments/{paymentId}/dispute', () => {
  test('open takes the credits back and lost keeps them taken; the dispute is final and the payment cannot be refunded', async () => {
    const { token, paymentId } = await paidTopup('dispute-lost', 400);

    expect(await dispute(paymentId, { outcome: 'open' })).toEqual({ status: 202, body: { paymentId, event: 'charge.dispute.created', outcome: 'open' } });
    await t.settle();
    expect(await available(token)).toBe(100);
    expect((await billing(token)).topups[0].status).toBe('disputed');

    expect(await dispute(paymentId, { outcome: 'lost' })).toEqual({ status: 202, body: { paymentId, event: 'charge.dispute.closed', outcome: 'lost' } });
    await t.settle();
    expect(await available(token)).toBe(100);
    expect((await billing(token)).topups[0].status).toBe('disputed');

    const sends = spyOnSends();
    expect((await dispute(paymentId, { outcome: 'open' })).body.error.code).toBe('dispute_exists');
    expect((await dispute(paymentId, { outcome: 'won' })).body.error.code).toBe('dispute_not_open');
    expect(await refund(paymentId)).toEqual({ status: 409, body: { error: { code: 'charge_disputed', message: expect.any(String) } } });
    expect(sends.dispute).not.toHaveBeenCalled();
    expect(sends.refund).not.toHaveBeenCalled();
  });

  test('open then won gives the credits back; closing it again is 409; a refund after a won dispute goes through', async () => {
    const { token, paymentId } = await paidTopup('dispute-won', 400);
    const sends = spyOnSends();

    expect((await dispute(paymentId, { outcome: 'won' })).status).toBe(409); // nothing open yet
    expect((await dispute(paymentId, { outcome: 'open' })).status).toBe(202);
    expect((await refund(paymentId, { amountCents: 100 })).body.error.code).toBe('charge_disputed');
    await t.settle();
    expect(await available(token)).toBe(100);

    expect((await dispute(paymentId, { outcome: 'won' })).status).toBe(202);
    await t.settle();
    expect(await available(token)).toBe(500);
    expect((await billing(token)).topups[0].status).toBe('succeeded');
    expect((await dispute(paymentId, { outcome: 'won' })).body.error.code).toBe('dispute_not_open');
    expect(sends.dispute.mock.calls).toEqual([
      [paymentId, 'open'],
      [paymentId, 'won'],
    ]);

    expect((await refund(paymentId, { amountCents: 100 })).status).toBe(202);
    await t.settle();
    expect(await available(token)).toBe(400);
  });
});

describe('refused requests send nothing', () => {
  test('an unknown payment is 404 payment_not_found, whether the service or only the simulator does not know it', async () => {
    const token = await t.token('handmade');
    await t.call('GET', '/v1/balance', { token });
    // Credited by a hand-made event: the service knows the payment, the simulator never made it.
    const payload = paymentSucceeded('pi_handmade_1', 'handmade', 300);
    expect(await t.postWebhook(payload, sign(payload))).toBe(200);
    const sends = spyOnSends();

    const responses = [
      await refund('pi_sim_nope'),
      await refund('pi_sim_nope', { amountCents: 5 }),
      await dispute('pi_sim_nope', { outcome: 'open' }),
      await dispute('pi_sim_nope', { outcome: 'won' }),
      await refund('pi_handmade_1'),
      await dispute('pi_handmade_1', { outcome: 'open' }),
    ];

    for (const response of responses) {
      expect(response).toEqual({ status: 404, body: { error: { code: 'payment_not_found', message: expect.any(String) } } });
    }
    expect(responses[4]!.body.error.message).toContain('pi_handmade_1');
    expect(sends.refund).toHaveBeenCalledTimes(1); // the one the simulator refused (it threw: nothing was sent)
    expect(sends.dispute).toHaveBeenCalledTimes(1);
    await t.settle();
    expect(await available(token)).toBe(400);
  });

  test('bad bodies and payment ids are 400 invalid_request, and nothing is sent or changed', async () => {
    const { token, paymentId } = await paidTopup('bad-bodies', 500);
    const ledgerBefore = await ledger(token);
    const sends = spyOnSends();

    const refunds = [{ amountCents: 0 }, { amountCents: -5 }, { amountCents: 1.5 }, { amountCents: '100' }, { amountCents: null }, { amount: 100 }, { amountCents: 100, reason: 'x' }, '{not json', '[]', '"text"'];
    const disputes = [{}, { outcome: 'closed' }, { outcome: 'OPEN' }, { outcome: 'open', amountCents: 1 }, { outcome: ['open'] }, '{', 'null'];
    const responses = [
      ...(await Promise.all(refunds.map((body) => refund(paymentId, body)))),
      ...(await Promise.all(disputes.map((body) => dispute(paymentId, body)))),
      await refund('pi%20sim', {}),
      await dispute('pi.sim', { outcome: 'open' }),
    ];

    for (const response of responses) {
      expect(response).toEqual({ status: 400, body: { error: { code: 'invalid_request', message: expect.any(String) } } });
    }
    expect(sends.refund).not.toHaveBeenCalled();
    expect(sends.dispute).not.toHaveBeenCalled();
    await t.settle();
    expect(await ledger(token)).toEqual(ledgerBefore);
    expect(await available(token)).toBe(600);
    // Still refundable in full afterwards: the refused requests counted for nothing.
    expect((await refund(paymentId)).body).toMatchObject({ refundCents: 500, amountRefundedCents: 500 });
  });
});
