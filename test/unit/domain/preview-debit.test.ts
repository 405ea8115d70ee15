import fc from 'fast-check';
import type { PaygTerms } from '../../../lambdas/domain/allocate-debit';
import { allocateDebit, previewDebit } from '../../../lambdas/domain/allocate-debit';
import { NOW, capacity, frozen, walletArb } from './arbitraries';

describe('previewDebit (the quote shown before Generate)', () => {
  test('names exactly the charges a debit would make now, or none when the credits cannot cover it', () => {
    fc.assert(
      fc.property(walletArb, fc.boolean(), fc.integer({ min: 1, max: 50_000 }), ({ buckets, paygLimitCredits }, enabled, cost) => {
        // prepare
        const payg: PaygTerms = { enabled, limitCredits: paygLimitCredits };
        const affordable = cost <= capacity(buckets, NOW, payg);

        // act
        const preview = previewDebit(frozen(buckets), cost, NOW, payg);

        // assert
        expect(preview.affordable).toBe(affordable);
        expect(preview.charges).toEqual(affordable ? allocateDebit(frozen(buckets), cost, NOW, payg) : []);
      }),
    );
  });
});
