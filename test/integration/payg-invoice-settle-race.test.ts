/**
 * A PAYG invoice paid while it is being marked sent: the settlement read the invoice before the
 * provider's invoice id was recorded on it, and its write must not lose that id (it used to write
 * the copy it read, and the paid invoice lost the id the provider knows it by).
 */
import { setPlan } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';
import { newIdempotencyKey } from '../support/fixtures';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t?.stop();
});

test("the settlement keeps the provider's invoice id even when it read the invoice before it was marked sent", async () => {
  t.clock.set(new Date('2027-03-20T00:00:00.000Z'));
  const owner = await t.token('race-payg');
  await setPlan(t, 'race-payg', 'BEGINNER');
  await t.call('PUT', '/v1/payg', { token: owner, body: { enabled: true } });
  // 100 from the bucket, 20 on PAYG.
  expect((await t.call('POST', '/v1/generations', { token: owner, body: { model: 'nano-banana-pro', count: 8, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } })).status).toBe(202);
  await t.settle();

  // Every read the settlement makes sees the invoice as it was before it was marked sent.
  const store = t.service.deps.store;
  const realRead = store.getPaygInvoice.bind(store);
  const staleReads = jest.spyOn(store, 'getPaygInvoice').mockImplementation(async (accountId, invoiceId) => {
    const invoice = await realRead(accountId, invoiceId);
    return invoice && invoice.status === 'open' ? { ...invoice, status: 'pending', providerInvoiceId: null } : invoice;
  });
  try {
    t.clock.set(new Date('2027-04-01T00:00:01.000Z'));
    expect(await t.service.jobs['payg-invoicing']!()).toMatchObject({ invoiced: 1, credits: 20 });
    await t.settle();
  } finally {
    staleReads.mockRestore();
  }
  const [listed] = await store.listInvoices('race-payg', 1);
  expect(listed).toMatchObject({ kind: 'payg', status: 'paid', credits: 20, providerInvoiceId: expect.stringMatching(/^in_/), paymentId: expect.stringMatching(/^pi_/) });
  expect((await t.call('GET', '/v1/billing', { token: await t.token('race-payg') })).body.balance.payg.used).toBe(0);
  await expectMoneyInvariants(t);
});
