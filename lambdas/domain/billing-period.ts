/**
 * Monthly billing periods anchored on the day the account started: a period starting on the 31st
 * is followed by one starting on the last day of a shorter month, then on the 31st again.
 */
export interface BillingPeriod {
  readonly start: string;
  readonly end: string;
}

/** The start of the period `index` months after the anchor (UTC, same time of day). */
export function periodStartAt(anchor: Date, index: number): Date {
  const year = anchor.getUTCFullYear();
  const month = anchor.getUTCMonth() + index;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(year, month, Math.min(anchor.getUTCDate(), lastDay), anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds()),
  );
}

/** The period that contains `at` (at or after the anchor). */
export function periodContaining(anchor: Date, at: Date): BillingPeriod {
  if (at.getTime() < anchor.getTime()) throw new Error('instant is before the anchor');
  let index = (at.getUTCFullYear() - anchor.getUTCFullYear()) * 12 + (at.getUTCMonth() - anchor.getUTCMonth());
  // The month difference is off by at most one: step to the period that really holds `at`.
  while (index > 0 && periodStartAt(anchor, index).getTime() > at.getTime()) index -= 1;
  while (periodStartAt(anchor, index + 1).getTime() <= at.getTime()) index += 1;
  return { start: periodStartAt(anchor, index).toISOString(), end: periodStartAt(anchor, index + 1).toISOString() };
}
