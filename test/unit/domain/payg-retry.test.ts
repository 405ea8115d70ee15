/** The PAYG invoicing job's backoff for an account whose invoicing fails with an error. */
import fc from 'fast-check';
import type { Account } from '../../../lambdas/domain/account';
import { openAccount } from '../../../lambdas/domain/account';
import { nextBillingRetry } from '../../../lambdas/domain/billing-retry';
import type { PaygState } from '../../../lambdas/domain/payg';
import { NO_PAYG, notePaygFailure, paygInvoiceDueAt, paygInvoiceSent, startPaygInvoice, withoutPaygRetry } from '../../../lambdas/domain/payg';
import { PAYG_BUCKET_ID } from '../../../lambdas/domain/wallet';
import { DAY_MS, NOW, NOW_MS, iso } from './arbitraries';

const offsetArb = fc.integer({ min: -400 * DAY_MS, max: 400 * DAY_MS });
const paygArb: fc.Arbitrary<PaygState> = fc.record({
  invoicedCredits: fc.nat(1000),
  usageSince: fc.option(offsetArb.map((o) => iso(NOW_MS + o)), { nil: null }),
  pendingInvoiceId: fc.option(fc.constant('inv_payg_7'), { nil: null }),
});
const retryArb = fc.record({ failures: fc.integer({ min: 1, max: 20 }), retryAt: offsetArb.map((o) => iso(NOW_MS + o)) });

describe('paygInvoiceDueAt with a failure', () => {
  test('due at the later of its usual time and the retry time; nothing due stays nothing due', () => {
    fc.assert(
      fc.property(paygArb, retryArb, (payg, retry) => {
        const usual = paygInvoiceDueAt(payg);

        const due = paygInvoiceDueAt({ ...payg, retry });

        if (usual === null) expect(due).toBeNull();
        else expect(due).toBe(Date.parse(retry.retryAt) > Date.parse(usual) ? retry.retryAt : usual);
      }),
    );
  });

  test('an invoice waiting to be sent is due at once, and at its retry time after a failure', () => {
    const pending = { ...NO_PAYG, pendingInvoiceId: 'inv_payg_3' };
    expect(paygInvoiceDueAt(pending)).toBe('1970-01-01T00:00:00.000Z');
    expect(paygInvoiceDueAt(notePaygFailure(pending, NOW))).toBe(iso(NOW_MS + 5 * 60_000));
    expect(paygInvoiceDueAt(notePaygFailure(notePaygFailure(pending, NOW), NOW))).toBe(iso(NOW_MS + 10 * 60_000));
  });

  test('a state stored before the retry field existed reads as no failure', () => {
    const stored = JSON.parse(JSON.stringify({ invoicedCredits: 20, usageSince: null, pendingInvoiceId: 'inv_payg_3' })) as PaygState;
    expect(paygInvoiceDueAt(stored)).toBe('1970-01-01T00:00:00.000Z');
    expect(notePaygFailure(stored, NOW).retry).toEqual({ failures: 1, retryAt: iso(NOW_MS + 300_000) });
  });
});

describe('notePaygFailure / paygInvoiceSent / withoutPaygRetry', () => {
  test('a failure changes only the retry state', () => {
    fc.assert(
      fc.property(paygArb, fc.option(retryArb, { nil: undefined }), (payg, retry) => {
        const before = retry ? { ...payg, retry } : payg;

        const after = notePaygFailure(before, NOW);

        expect(after).toEqual({ ...payg, retry: nextBillingRetry(retry, NOW) });
      }),
    );
  });

  test('the sent invoice stops being pending and the failures are forgotten; another invoice stays pending', () => {
    fc.assert(
      fc.property(paygArb, fc.option(retryArb, { nil: undefined }), fc.constantFrom('inv_payg_7', 'inv_payg_other'), (payg, retry, sent) => {
        const before = retry ? { ...payg, retry } : payg;

        const after = paygInvoiceSent(before, sent);

        const clearsPending = payg.pendingInvoiceId === sent;
        if (!clearsPending && !retry) expect(after).toBeNull();
        else expect(after).toEqual({ ...payg, pendingInvoiceId: clearsPending ? null : payg.pendingInvoiceId });
        if (after) expect('retry' in after).toBe(false); // removed, not set to undefined: the stored item loses the attribute
      }),
    );
  });

  test('withoutPaygRetry removes only the retry state', () => {
    fc.assert(
      fc.property(paygArb, retryArb, (payg, retry) => {
        const after = withoutPaygRetry({ ...payg, retry });

        expect(after).toEqual(payg);
        expect('retry' in after).toBe(false);
      }),
    );
  });

  test('starting an invoice keeps the failure count: it is forgotten when the provider confirms that invoice', () => {
    const account: Account = {
      ...openAccount('acc_1', new Date(NOW_MS - DAY_MS)).account,
      plan: 'BEGINNER',
      paygEnabled: true,
      buckets: [{ id: PAYG_BUCKET_ID, type: 'payg', balance: -40, expiresAt: null, createdAt: iso(NOW_MS - DAY_MS) }],
      payg: { ...NO_PAYG, usageSince: iso(NOW_MS - DAY_MS), retry: { failures: 2, retryAt: iso(NOW_MS - 1) } },
    };

    const started = startPaygInvoice(account, 'inv_payg_9', 1, NOW)!;

    expect(started.account.payg).toEqual({ invoicedCredits: 40, usageSince: null, pendingInvoiceId: 'inv_payg_9', retry: { failures: 2, retryAt: iso(NOW_MS - 1) } });
    expect(paygInvoiceSent(started.account.payg, 'inv_payg_9')).toStrictEqual({ invoicedCredits: 40, usageSince: null, pendingInvoiceId: null });
  });
});
