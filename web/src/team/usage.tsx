/**
 * Usage over a chosen range (default: the last 30 days, in UTC days as the API counts them): a small
 * bar chart of credits per day (inline SVG, summarised in words) and a table by day, member and model
 * with totals. A member sees only their own usage (the API answers only their rows).
 */
import { useEffect, useId, useMemo, useState } from 'react';
import { messageOf, unwrap, type Schemas } from '../api/client';
import { useApp } from '../app-context';
import { Section } from '../billing/section';
import { ErrorText, StatusText } from '../components/notice';
import { formatCredits, formatDay, formatNumber } from '../format';
import { UsageChart } from './usage-chart';

export const MAX_RANGE_DAYS = 93;
const DAY_MS = 86_400_000;

export const isoDay = (date: Date): string => date.toISOString().slice(0, 10);
const dayNumber = (day: string): number => Date.parse(`${day}T00:00:00.000Z`) / DAY_MS;

/** The last 30 days up to today (UTC). */
export function defaultRange(now = new Date()): { from: string; to: string } {
  return { from: isoDay(new Date(now.getTime() - 29 * DAY_MS)), to: isoDay(now) };
}

/** Every day from `from` to `to`, both included. */
export function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let n = dayNumber(from); n <= dayNumber(to); n += 1) days.push(isoDay(new Date(n * DAY_MS)));
  return days;
}

/** Why a range cannot be asked for, in words; null when it can. */
export function rangeProblem(from: string, to: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || Number.isNaN(dayNumber(from)) || Number.isNaN(dayNumber(to))) return 'Choose both days of the range.';
  const days = dayNumber(to) - dayNumber(from) + 1;
  if (days < 1) return 'The range ends before it starts: pick a "To" day on or after the "From" day.';
  if (days > MAX_RANGE_DAYS) return `Choose at most ${MAX_RANGE_DAYS} days (this range has ${formatNumber(days)}).`;
  return null;
}

export function UsageSection({ names }: { names: ReadonlyMap<string, string> }) {
  const { api } = useApp();
  const ids = { from: useId(), to: useId(), caption: useId() };
  const [draft, setDraft] = useState(defaultRange);
  const [range, setRange] = useState(draft);
  const [report, setReport] = useState<Schemas['UsageReport'] | null>(null);
  const [models, setModels] = useState<ReadonlyMap<string, string>>(new Map());
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const problem = rangeProblem(draft.from, draft.to);

  useEffect(() => {
    let live = true;
    unwrap(api.GET('/v1/pricing')).then(
      (pricing) => live && setModels(new Map(pricing.models.map((m) => [m.id, m.name]))),
      () => undefined, // model ids stand in for names
    );
    return () => {
      live = false;
    };
  }, [api]);

  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    unwrap(api.GET('/v1/usage', { params: { query: { from: range.from, to: range.to, groupBy: 'member,model,day' } } }))
      .then(
        (next) => live && setReport(next),
        (e: unknown) => {
          if (!live) return;
          setReport(null);
          setError(messageOf(e));
        },
      )
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [api, range]);

  const rows = useMemo(() => {
    const nameOf = (userId?: string) => (userId ? (names.get(userId) ?? userId) : '');
    return [...(report?.rows ?? [])]
      .map((r) => ({ ...r, member: nameOf(r.userId), modelName: r.model ? (models.get(r.model) ?? r.model) : '' }))
      .sort((a, b) => (b.day ?? '').localeCompare(a.day ?? '') || a.member.localeCompare(b.member) || a.modelName.localeCompare(b.modelName));
  }, [report, names, models]);

  const perDay = useMemo(() => {
    const credits = new Map<string, number>();
    for (const r of report?.rows ?? []) if (r.day) credits.set(r.day, (credits.get(r.day) ?? 0) + r.credits);
    return daysOf(range.from, range.to).map((day) => ({ day, credits: credits.get(day) ?? 0 }));
  }, [report, range]);

  return (
    <Section title="Usage" wide>
      <form
        className="row range"
        onSubmit={(event) => {
          event.preventDefault();
          if (!problem) setRange({ ...draft });
        }}
      >
        <div>
          <label htmlFor={ids.from}>From</label>
          <input id={ids.from} type="date" value={draft.from} max={draft.to} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </div>
        <div>
          <label htmlFor={ids.to}>To</label>
          <input id={ids.to} type="date" value={draft.to} min={draft.from} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </div>
        <button type="submit" disabled={Boolean(problem) || loading}>
          Show usage
        </button>
      </form>
      <ErrorText message={problem} />
      <StatusText message={loading ? 'Loading usage…' : null} />
      <ErrorText message={error} />
      {report ? (
        <>
          <UsageChart days={perDay} />
          {rows.length === 0 ? (
            <p className="muted">
              No generations from {formatDay(range.from)} to {formatDay(range.to)}.
            </p>
          ) : (
            <div className="table-wrap">
              <table aria-describedby={ids.caption}>
                <caption id={ids.caption} className="caption">
                  By day, member and model, {formatDay(range.from)} to {formatDay(range.to)} (UTC days)
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    <th scope="col">Member</th>
                    <th scope="col">Model</th>
                    <th scope="col" className="num">
                      Generations
                    </th>
                    <th scope="col" className="num">
                      Credits
                    </th>
                    <th scope="col" className="num">
                      Refunded
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={`${r.day}|${r.userId}|${r.model}`}>
                      <td className="nowrap">{r.day ? formatDay(r.day) : ''}</td>
                      <td className="break">{r.member}</td>
                      <td>{r.modelName}</td>
                      <td className="num">{formatNumber(r.generations)}</td>
                      <td className="num">{formatNumber(r.credits)}</td>
                      <td className="num">{formatNumber(r.refundedCredits)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row" colSpan={3}>
                      Total
                    </th>
                    <td className="num">{formatNumber(report.totals.generations)}</td>
                    <td className="num">{formatNumber(report.totals.credits)}</td>
                    <td className="num">{formatNumber(report.totals.refundedCredits)}</td>
                  </tr>
                </tfoot>
              </table>
            </div>
          )}
          <p className="small muted">
            {formatCredits(report.totals.credits)} charged, {formatCredits(report.totals.refundedCredits)} refunded in this range.
          </p>
        </>
      ) : null}
    </Section>
  );
}
