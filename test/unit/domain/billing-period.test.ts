import fc from 'fast-check';
import { periodContaining, periodStartAt } from '../../../lambdas/domain/billing-period';
import { DAY_MS } from './arbitraries';

const anchorArb = fc.date({ min: new Date('1971-01-01T00:00:00.000Z'), max: new Date('2100-12-31T23:59:59.999Z'), noInvalidDate: true });
/** Anchors on the last days of a month, where short months bite. */
const lateAnchorArb = fc
  .record({ year: fc.integer({ min: 1971, max: 2100 }), month: fc.integer({ min: 0, max: 11 }), day: fc.integer({ min: 28, max: 31 }), ms: fc.integer({ min: 0, max: DAY_MS - 1 }) })
  .map(({ year, month, day, ms }) => new Date(Date.UTC(year, month, Math.min(day, new Date(Date.UTC(year, month + 1, 0)).getUTCDate())) + ms));
const someAnchorArb = fc.oneof(anchorArb, lateAnchorArb);
const offsetArb = fc.oneof(fc.integer({ min: 0, max: 3 * DAY_MS }), fc.integer({ min: 0, max: 12 * 366 * DAY_MS }));

const lastDayOfMonth = (d: Date): number => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
const timeOfDay = (d: Date): number => d.getTime() % DAY_MS;

describe('periodContaining', () => {
  test('holds the instant: start <= at < end, never before the anchor', () => {
    fc.assert(
      fc.property(someAnchorArb, offsetArb, (anchor, offset) => {
        const at = new Date(anchor.getTime() + offset);

        const { start, end } = periodContaining(anchor, at);

        expect(Date.parse(start)).toBeLessThanOrEqual(at.getTime());
        expect(Date.parse(end)).toBeGreaterThan(at.getTime());
        expect(Date.parse(start)).toBeGreaterThanOrEqual(anchor.getTime());
      }),
    );
  });

  test('consecutive periods are contiguous: the end of one is the start of the next', () => {
    fc.assert(
      fc.property(someAnchorArb, offsetArb, (anchor, offset) => {
        const period = periodContaining(anchor, new Date(anchor.getTime() + offset));

        const next = periodContaining(anchor, new Date(period.end));
        const lastInstant = periodContaining(anchor, new Date(Date.parse(period.end) - 1));

        expect(next.start).toBe(period.end);
        expect(lastInstant).toEqual(period);
      }),
    );
  });

  test('periods last 28 to 31 days, start on the anchor day (or the month end) at the anchor time', () => {
    fc.assert(
      fc.property(someAnchorArb, offsetArb, (anchor, offset) => {
        const { start, end } = periodContaining(anchor, new Date(anchor.getTime() + offset));

        const length = Date.parse(end) - Date.parse(start);
        expect(length).toBeGreaterThanOrEqual(28 * DAY_MS);
        expect(length).toBeLessThanOrEqual(31 * DAY_MS);
        const startDate = new Date(start);
        expect(startDate.getUTCDate()).toBe(Math.min(anchor.getUTCDate(), lastDayOfMonth(startDate)));
        expect(timeOfDay(startDate)).toBe(timeOfDay(anchor));
      }),
    );
  });

  test('the first period starts at the anchor', () => {
    fc.assert(
      fc.property(someAnchorArb, (anchor) => {
        expect(periodContaining(anchor, anchor).start).toBe(anchor.toISOString());
      }),
    );
  });

  test('an anchor on the 31st gives Feb 28 (non-leap) then back to the 31st', () => {
    const anchor = new Date('2025-01-31T10:00:00.000Z');

    const starts = [0, 1, 2, 3, 4].map((i) => periodStartAt(anchor, i).toISOString().slice(0, 10));

    expect(starts).toEqual(['2025-01-31', '2025-02-28', '2025-03-31', '2025-04-30', '2025-05-31']);
    expect(periodContaining(anchor, new Date('2025-03-01T00:00:00.000Z'))).toEqual({ start: '2025-02-28T10:00:00.000Z', end: '2025-03-31T10:00:00.000Z' });
  });

  test('an anchor on the 31st gives Feb 29 in a leap year; a December anchor rolls into the next year', () => {
    expect(periodContaining(new Date('2024-01-31T00:00:00.000Z'), new Date('2024-02-29T00:00:00.000Z'))).toEqual({
      start: '2024-02-29T00:00:00.000Z',
      end: '2024-03-31T00:00:00.000Z',
    });
    expect(periodContaining(new Date('2025-12-31T23:59:59.999Z'), new Date('2026-02-01T00:00:00.000Z'))).toEqual({
      start: '2026-01-31T23:59:59.999Z',
      end: '2026-02-28T23:59:59.999Z',
    });
  });

  test('refuses an instant before the anchor', () => {
    const anchor = new Date('2025-01-31T10:00:00.000Z');

    expect(() => periodContaining(anchor, new Date(anchor.getTime() - 1))).toThrow(/before the anchor/);
  });
});
