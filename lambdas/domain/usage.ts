/**
 * Usage by member, model and day: counters written in the same transaction as the debit (or refund)
 * they count, one per UTC day, model and user, so a report reads a few items per day, never the
 * ledger. A refund is counted on the day of the generation it refunds.
 */
export interface UsageCount {
  readonly day: string;
  readonly model: string;
  readonly userId: string;
  readonly generations: number;
  readonly credits: number;
  readonly refundedCredits: number;
}

export type UsageGroup = 'member' | 'model' | 'day';

export interface UsageRow {
  readonly userId?: string;
  readonly model?: string;
  readonly day?: string;
  readonly generations: number;
  readonly credits: number;
  readonly refundedCredits: number;
}

export interface UsageReport {
  readonly rows: readonly UsageRow[];
  readonly totals: { readonly generations: number; readonly credits: number; readonly refundedCredits: number };
}

/** At most this many days per report. */
export const MAX_USAGE_DAYS = 93;

export const utcDay = (iso: string) => iso.slice(0, 10);

/** Days from `from` to `to`, both included; NaN when either is not a real YYYY-MM-DD date. */
export function daysBetween(from: string, to: string): number {
  const start = Date.parse(`${from}T00:00:00.000Z`);
  const end = Date.parse(`${to}T00:00:00.000Z`);
  if (Number.isNaN(start) || Number.isNaN(end)) return Number.NaN;
  if (new Date(start).toISOString().slice(0, 10) !== from || new Date(end).toISOString().slice(0, 10) !== to) return Number.NaN;
  return Math.round((end - start) / 86_400_000) + 1;
}

/** The counters summed by the chosen groups (none: one row of totals), rows in key order. */
export function summarizeUsage(counts: readonly UsageCount[], groupBy: readonly UsageGroup[]): UsageReport {
  const rows = new Map<string, { userId?: string; model?: string; day?: string; generations: number; credits: number; refundedCredits: number }>();
  for (const c of counts) {
    const group = { ...(groupBy.includes('member') ? { userId: c.userId } : {}), ...(groupBy.includes('model') ? { model: c.model } : {}), ...(groupBy.includes('day') ? { day: c.day } : {}) };
    const key = JSON.stringify([group.day, group.userId, group.model]);
    const row = rows.get(key) ?? { ...group, generations: 0, credits: 0, refundedCredits: 0 };
    row.generations += c.generations;
    row.credits += c.credits;
    row.refundedCredits += c.refundedCredits;
    rows.set(key, row);
  }
  const sorted = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  const totals = counts.reduce((t, c) => ({ generations: t.generations + c.generations, credits: t.credits + c.credits, refundedCredits: t.refundedCredits + c.refundedCredits }), { generations: 0, credits: 0, refundedCredits: 0 });
  return { rows: sorted, totals };
}
