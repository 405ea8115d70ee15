/**
 * Credits per day as inline SVG bars (no chart library: a few lines are enough). The picture is one
 * `img` named by a summary in words; the days with usage are also listed as a table under "Show the
 * numbers", so nothing is only in the picture.
 */
import { useId } from 'react';
import { formatCredits, formatDay, formatNumber } from '../format';

const BAR = 10;
const GAP = 2;
const HEIGHT = 100;

export function UsageChart({ days }: { days: readonly { day: string; credits: number }[] }) {
  const summary = useId();
  if (days.length === 0) return null;
  const total = days.reduce((sum, d) => sum + d.credits, 0);
  const peak = days.reduce((best, d) => (d.credits > best.credits ? d : best), days[0]!);
  const max = Math.max(1, peak.credits);
  const first = days[0]!.day;
  const last = days[days.length - 1]!.day;
  const width = days.length * (BAR + GAP);
  const used = days.filter((d) => d.credits > 0);
  return (
    <figure className="chart">
      <svg role="img" aria-labelledby={summary} viewBox={`0 0 ${width} ${HEIGHT}`} preserveAspectRatio="none" width="100%" height="120">
        <line x1={0} y1={HEIGHT - 0.5} x2={width} y2={HEIGHT - 0.5} className="chart-axis" />
        {days.map((d, i) => {
          const h = d.credits === 0 ? 0 : Math.max(2, Math.round((d.credits / max) * (HEIGHT - 4)));
          return <rect key={d.day} x={i * (BAR + GAP)} y={HEIGHT - h} width={BAR} height={h} className="chart-bar" />;
        })}
      </svg>
      <div className="chart-ends small muted" aria-hidden="true">
        <span>{formatDay(first)}</span>
        <span>{formatDay(last)}</span>
      </div>
      <figcaption id={summary} className="small">
        Credits per day, {formatDay(first)} to {formatDay(last)}: {formatCredits(total)} in total
        {total > 0 ? `, the most on ${formatDay(peak.day)} (${formatCredits(peak.credits)})` : ''}.
      </figcaption>
      {used.length > 0 ? (
        <details>
          <summary>Show the numbers</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col" className="num">
                  Credits
                </th>
              </tr>
            </thead>
            <tbody>
              {used.map((d) => (
                <tr key={d.day}>
                  <td>{formatDay(d.day)}</td>
                  <td className="num">{formatNumber(d.credits)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </figure>
  );
}
