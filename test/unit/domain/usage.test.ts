/** Usage counters summed by member, model and day. */
import fc from 'fast-check';
import type { UsageCount, UsageGroup } from '../../../lambdas/domain/usage';
import { daysBetween, summarizeUsage } from '../../../lambdas/domain/usage';

const count = (day: string, model: string, userId: string, credits: number, refundedCredits = 0): UsageCount => ({ day, model, userId, generations: 1, credits, refundedCredits });

describe('summarizeUsage', () => {
  const counts = [count('2026-11-02', 'veo-3.1', 'bob', 60, 60), count('2026-11-01', 'gpt-image-2', 'bob', 5), count('2026-11-01', 'gpt-image-2', 'amy', 10), count('2026-11-02', 'gpt-image-2', 'bob', 5)];
  test('by member and model: one row per pair, in order, refunds beside credits', () => {
    expect(summarizeUsage(counts, ['member', 'model']).rows).toEqual([
      { userId: 'amy', model: 'gpt-image-2', generations: 1, credits: 10, refundedCredits: 0 },
      { userId: 'bob', model: 'gpt-image-2', generations: 2, credits: 10, refundedCredits: 0 },
      { userId: 'bob', model: 'veo-3.1', generations: 1, credits: 60, refundedCredits: 60 },
    ]);
  });
  test('by day: days in order; no groups: one row of totals', () => {
    expect(summarizeUsage(counts, ['day']).rows.map((r) => [r.day, r.credits])).toEqual([['2026-11-01', 15], ['2026-11-02', 65]]);
    expect(summarizeUsage(counts, []).rows).toEqual([{ generations: 4, credits: 80, refundedCredits: 60 }]);
  });
  test('whatever the grouping, the rows add up to the totals (property)', () => {
    const groups: UsageGroup[] = ['member', 'model', 'day'];
    fc.assert(
      fc.property(fc.array(fc.record({ day: fc.constantFrom('2026-11-01', '2026-11-02'), model: fc.constantFrom('a', 'b'), userId: fc.constantFrom('u1', 'u2'), generations: fc.nat(5), credits: fc.nat(100), refundedCredits: fc.nat(100) })), fc.subarray(groups), (cs, groupBy) => {
        const report = summarizeUsage(cs, groupBy);
        const sum = (k: 'generations' | 'credits' | 'refundedCredits') => report.rows.reduce((s, r) => s + r[k], 0);
        if (cs.length > 0) expect({ generations: sum('generations'), credits: sum('credits'), refundedCredits: sum('refundedCredits') }).toEqual(report.totals);
      }),
    );
  });
});

test('daysBetween counts both ends and refuses dates that do not exist', () => {
  expect(daysBetween('2026-11-01', '2026-11-30')).toBe(30);
  expect(daysBetween('2026-11-01', '2026-11-01')).toBe(1);
  expect(daysBetween('2026-02-30', '2026-03-01')).toBeNaN();
  expect(daysBetween('x', 'y')).toBeNaN();
  expect(daysBetween('2027-1-1', '2027-01-31')).toBeNaN();
  expect(daysBetween('2026-11-02', '2026-11-01')).toBe(0);
});
