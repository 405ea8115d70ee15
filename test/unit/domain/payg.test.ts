import fc from 'fast-check';
import type { Account } from '../../../lambdas/domain/account';
import { openAccount } from '../../../lambdas/domain/account';
import { debitWallet } from '../../../lambdas/domain/allocate-debit';
import { DomainError } from '../../../lambdas/domain/errors';
import type { PaygState } from '../../../lambdas/domain/payg';
import { NO_PAYG, assertPaygAvailable, notePaygUsage, paygInvoiceDueAt, settlePaygInvoice, startPaygInvoice } from '../../../lambdas/domain/payg';
import type { Bucket, LedgerDraft } from '../../../lambdas/domain/wallet';
import { PAYG_BUCKET_ID, paygUsed } from '../../../lambdas/domain/wallet';
import { DAY_MS, NOW, NOW_MS, balanceOf, balancesOf, iso, replayLedger } from './arbitraries';

const LIMIT = 500;
const instantArb = fc.integer({ min: Date.parse('1990-01-01T00:00:00.000Z'), max: Date.parse('2090-12-31T23:59:59.999Z') });

/** PAYG credits used (paygUsed gives -0 for an empty PAYG bucket; jest tells -0 from 0). */
const used = (buckets: readonly Bucket[]) => paygUsed(buckets) + 0;

const paygBucket = (drawn: number): Bucket => ({ id: PAYG_BUCKET_ID, type: 'payg', balance: -drawn, expiresAt: null, createdAt: iso(NOW_MS - DAY_MS) });

/** A BEGINNER account (PAYG limit 500) with PAYG on and `usedCredits` PAYG credits drawn. */
function account(usedCredits: number, payg: Partial<PaygState> = {}): Account {
  return { ...openAccount('acc_1', new Date(NOW_MS - DAY_MS)).account, plan: 'BEGINNER', paygEnabled: true, version: 5, buckets: usedCredits > 0 ? [paygBucket(usedCredits)] : [], payg: { ...NO_PAYG, ...payg } };
}

describe('paygInvoiceDueAt', () => {
  test('uninvoiced usage falls due at the first instant of the next calendar month (UTC)', () => {
    fc.assert(
      fc.property(instantArb, (sinceMs) => {
        // act
        const due = paygInvoiceDueAt({ ...NO_PAYG, usageSince: iso(sinceMs) })!;

        // assert: oracle on the ISO text, independent of Date.UTC month arithmetic
        const [year, month] = iso(sinceMs).slice(0, 7).split('-').map(Number) as [number, number];
        const next = month === 12 ? `${String(year + 1).padStart(4, '0')}-01` : `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}`;
        expect(due).toBe(`${next}-01T00:00:00.000Z`);
        expect(Date.parse(due)).toBeGreaterThan(sinceMs);
        expect(iso(Date.parse(due) - 1).slice(0, 7)).toBe(iso(sinceMs).slice(0, 7));
      }),
    );
  });

  test('a pending invoice is due at once (before any instant); no usage and no pending invoice: nothing due', () => {
    fc.assert(
      fc.property(fc.option(instantArb), instantArb, (since, nowMs) => {
        const pending = paygInvoiceDueAt({ invoicedCredits: 10, usageSince: since === null ? null : iso(since), pendingInvoiceId: 'inv_1' })!;

        expect(Date.parse(pending)).toBeLessThanOrEqual(nowMs);
        expect(Date.parse(pending)).toBe(0);
        expect(paygInvoiceDueAt({ invoicedCredits: 10, usageSince: null, pendingInvoiceId: null })).toBeNull();
      }),
    );
  });

  test('examples: end of year and a leap February', () => {
    expect(paygInvoiceDueAt({ ...NO_PAYG, usageSince: '2026-12-31T23:59:59.999Z' })).toBe('2027-01-01T00:00:00.000Z');
    expect(paygInvoiceDueAt({ ...NO_PAYG, usageSince: '2028-02-29T12:00:00.000Z' })).toBe('2028-03-01T00:00:00.000Z');
    expect(paygInvoiceDueAt({ ...NO_PAYG, usageSince: '2026-03-01T00:00:00.000Z' })).toBe('2026-04-01T00:00:00.000Z');
  });
});

describe('notePaygUsage', () => {
  test('a debit drawing PAYG starts the usage clock once; the oldest usage is kept; other debits change nothing', () => {
    fc.assert(
      fc.property(fc.option(instantArb), fc.boolean(), instantArb, fc.option(fc.string()), (since, drew, nowMs, pending) => {
        // prepare
        const before: PaygState = Object.freeze({ invoicedCredits: 3, usageSince: since === null ? null : iso(since), pendingInvoiceId: pending });

        // act
        const after = notePaygUsage(before, drew, new Date(nowMs));

        // assert
        expect(after).toEqual({ ...before, usageSince: drew && since === null ? iso(nowMs) : before.usageSince });
      }),
    );
  });
});

describe('startPaygInvoice', () => {
  test('invoices exactly the uninvoiced usage, once; refuses while an invoice is pending or nothing is uninvoiced', () => {
    fc.assert(
      fc.property(fc.nat(LIMIT), fc.nat(LIMIT), fc.option(fc.constant('inv_old')), fc.integer({ min: 1, max: 5 }), (drawn, invoiced, pending, centsPerCredit) => {
        // prepare
        const before = account(drawn, { invoicedCredits: invoiced, usageSince: iso(NOW_MS - DAY_MS), pendingInvoiceId: pending });

        // act
        const started = startPaygInvoice(Object.freeze(before), 'inv_new', centsPerCredit, NOW);

        // assert
        const uninvoiced = drawn - invoiced;
        if (uninvoiced <= 0 || pending !== null) {
          expect(started).toBeNull();
          return;
        }
        expect(started).not.toBeNull();
        const { account: after, invoice } = started!;
        expect(invoice).toEqual({ kind: 'payg', id: 'inv_new', accountId: 'acc_1', credits: uninvoiced, amountCents: uninvoiced * centsPerCredit, status: 'pending', providerInvoiceId: null, createdAt: iso(NOW_MS), updatedAt: iso(NOW_MS) });
        expect(after).toEqual({ ...before, version: before.version, payg: { invoicedCredits: drawn, usageSince: null, pendingInvoiceId: 'inv_new' } });
        // nothing is left to invoice, even after the pending invoice was confirmed
        expect(startPaygInvoice({ ...after, payg: { ...after.payg, pendingInvoiceId: null } }, 'inv_again', centsPerCredit, NOW)).toBeNull();
        expect(startPaygInvoice(after, 'inv_again', centsPerCredit, NOW)).toBeNull();
      }),
    );
  });
});

describe('settlePaygInvoice', () => {
  test('a paid invoice puts exactly its credits back into PAYG with one adjustment entry, and clears the pending id', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: LIMIT }), fc.nat(LIMIT), fc.boolean(), (first, more, confirmed) => {
        // prepare: `first` used and invoiced, then `more` used before the invoice is paid
        fc.pre(first + more <= LIMIT);
        const invoiced = startPaygInvoice(account(first), 'inv_1', 1, NOW)!;
        let before: Account = { ...invoiced.account, buckets: [paygBucket(first + more)] };
        if (confirmed) before = { ...before, payg: { ...before.payg, pendingInvoiceId: null } };

        // act
        const settled = settlePaygInvoice(Object.freeze(before), { ...invoiced.invoice, status: 'open' }, NOW);

        // assert
        expect(settled.change.entries).toEqual([{ type: 'adjustment', amount: first, bucketId: PAYG_BUCKET_ID, bucketType: 'payg', balanceAfter: 0 - more, reference: 'inv_1' }]);
        expect(balanceOf(settled.account.buckets, PAYG_BUCKET_ID)).toBe(0 - more);
        expect(settled.account.buckets).toEqual(settled.change.buckets);
        expect(settled.account.payg).toEqual({ invoicedCredits: 0, usageSince: null, pendingInvoiceId: null });
        expect(settled.account.version).toBe(before.version);
      }),
    );
  });

  test('settling a different invoice keeps the pending one; PAYG never goes above 0; usage refunded after invoicing comes back as top-up credits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: LIMIT }), fc.nat(LIMIT), (invoiceCredits, usedNow) => {
        // prepare
        const before = account(usedNow, { invoicedCredits: invoiceCredits, pendingInvoiceId: 'inv_2' });
        const invoice = { kind: 'payg' as const, id: 'inv_1', accountId: 'acc_1', credits: invoiceCredits, amountCents: invoiceCredits, status: 'open' as const, providerInvoiceId: 'in_1', createdAt: iso(NOW_MS), updatedAt: iso(NOW_MS) };

        // act
        const settled = settlePaygInvoice(before, invoice, NOW);

        // assert
        const back = Math.min(invoiceCredits, usedNow);
        const overpaid = invoiceCredits - back;
        expect(settled.change.entries.map((e) => [e.type, e.amount, e.balanceAfter])).toEqual([
          ...(back > 0 ? [['adjustment', back, -usedNow + back]] : []),
          ...(overpaid > 0 ? [['topup', overpaid, overpaid]] : []),
        ]);
        expect(used(settled.account.buckets)).toBe(usedNow - back);
        expect(settled.account.payg).toEqual({ invoicedCredits: 0, usageSince: null, pendingInvoiceId: 'inv_2' });
      }),
    );
  });

  test('over any interleaving of PAYG usage, invoicing and payment, every used credit is invoiced exactly once and the ledger explains PAYG', () => {
    type Op = { kind: 'use'; credits: number } | { kind: 'invoice' } | { kind: 'confirm' } | { kind: 'pay'; pick: number };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('use' as const), credits: fc.integer({ min: 1, max: 200 }) }),
      fc.constant({ kind: 'invoice' as const }),
      fc.constant({ kind: 'confirm' as const }),
      fc.record({ kind: fc.constant('pay' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        // prepare
        let acc = account(0);
        const entries: LedgerDraft[] = [];
        const unpaid: { id: string; credits: number }[] = [];
        let usedTotal = 0;
        let invoicedTotal = 0;
        let paidTotal = 0;
        let n = 0;

        for (const op of ops) {
          // act
          if (op.kind === 'use') {
            if (used(acc.buckets) + op.credits > LIMIT) continue;
            const debit = debitWallet(acc.buckets, { costCredits: op.credits, reference: `job_${n++}`, now: NOW, payg: { enabled: true, limitCredits: LIMIT } });
            acc = { ...acc, buckets: debit.change.buckets, payg: notePaygUsage(acc.payg, debit.charges.some((c) => c.bucketType === 'payg'), NOW) };
            entries.push(...debit.change.entries);
            usedTotal += op.credits;
          } else if (op.kind === 'invoice') {
            const started = startPaygInvoice(acc, `inv_${n++}`, 1, NOW);
            if (started) {
              acc = started.account;
              unpaid.push({ id: started.invoice.id, credits: started.invoice.credits });
              invoicedTotal += started.invoice.credits;
            }
          } else if (op.kind === 'confirm') {
            acc = { ...acc, payg: { ...acc.payg, pendingInvoiceId: null } };
          } else {
            const [invoice] = unpaid.splice(op.pick % (unpaid.length || 1), 1);
            if (!invoice) continue;
            const settled = settlePaygInvoice(acc, { kind: 'payg', id: invoice.id, accountId: 'acc_1', credits: invoice.credits, amountCents: invoice.credits, status: 'open', providerInvoiceId: null, createdAt: iso(NOW_MS), updatedAt: iso(NOW_MS) }, NOW);
            acc = settled.account;
            entries.push(...settled.change.entries);
            paidTotal += invoice.credits;
          }

          // assert
          expect(acc.payg.invoicedCredits).toBe(unpaid.reduce((s, i) => s + i.credits, 0));
          expect(used(acc.buckets)).toBe(usedTotal - paidTotal);
          expect(used(acc.buckets)).toBeGreaterThanOrEqual(acc.payg.invoicedCredits);
          expect(acc.payg.usageSince === null).toBe(usedTotal === invoicedTotal);
        }
        const ledger = replayLedger([], entries);
        expect(ledger.mismatches).toEqual([]);
        expect(ledger.balances).toEqual(balancesOf(acc.buckets));
        // invoicing whatever is left makes every used credit invoiced exactly once
        const last = acc.payg.pendingInvoiceId ? null : startPaygInvoice(acc, 'inv_last', 1, NOW);
        if (!acc.payg.pendingInvoiceId) expect(invoicedTotal + (last?.invoice.credits ?? 0)).toBe(usedTotal);
      }),
    );
  });
});

describe('assertPaygAvailable', () => {
  test('only plans with a PAYG limit offer PAYG', () => {
    expect(() => assertPaygAvailable({ ...account(0), plan: 'FREE' })).toThrow(DomainError);
    for (const plan of ['BEGINNER', 'PRO', 'TEAM'] as const) expect(() => assertPaygAvailable({ ...account(0), plan })).not.toThrow();
  });
});
