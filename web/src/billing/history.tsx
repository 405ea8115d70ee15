/** Top-up history, invoices and the usage-limits table per plan. */
import type { Schemas } from '../api/client';
import { formatCents, formatDay, formatDayTime, formatNumber } from '../format';
import { Section } from './section';

const TOPUP_STATUS: Readonly<Record<Schemas['BillingTopup']['status'], string>> = { pending: 'Pending', succeeded: 'Paid', failed: 'Declined', refunded: 'Refunded', disputed: 'Disputed' };

export function TopupsSection({ topups }: { topups: Schemas['BillingTopup'][] }) {
  return (
    <Section title="Top-ups">
      {topups.length === 0 ? (
        <p className="muted">No top-ups yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Credits</th>
                <th scope="col">Amount</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {topups.map((t) => (
                <tr key={t.id}>
                  <td>
                    {formatDayTime(t.createdAt)}
                    {t.purpose === 'auto_refill' ? ' (auto-refill)' : ''}
                  </td>
                  <td className="num">{formatNumber(t.credits)}</td>
                  <td className="num">{formatCents(t.amount.value)}</td>
                  <td>{TOPUP_STATUS[t.status]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

export function InvoicesSection({ invoices }: { invoices: Schemas['BillingInvoice'][] }) {
  return (
    <Section title="Invoices">
      {invoices.length === 0 ? (
        <p className="muted">No invoices yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">For</th>
                <th scope="col">Amount</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {invoices.map((i) => (
                <tr key={i.id}>
                  <td>{formatDay(i.createdAt)}</td>
                  <td>{i.kind === 'payg' ? `Pay-as-you-go: ${formatNumber(i.credits)} credits` : `Subscription${i.periodStart ? ` from ${formatDay(i.periodStart)}` : ''}: ${formatNumber(i.credits)} credits`}</td>
                  <td className="num">{formatCents(i.amount.value)}</td>
                  <td>{i.status === 'paid' ? 'Paid' : i.status === 'open' ? 'Open' : 'Pending'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

export function UsageLimitsSection({ limits, current }: { limits: Schemas['UsageLimits'][]; current: string }) {
  return (
    <Section title="Usage limits" wide>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Plan</th>
              <th scope="col">Price / month</th>
              <th scope="col">Monthly credits</th>
              <th scope="col">Jobs at once</th>
              <th scope="col">Outputs per request</th>
              <th scope="col">Pay-as-you-go limit</th>
              <th scope="col">Top-up range</th>
              <th scope="col">Seats</th>
            </tr>
          </thead>
          <tbody>
            {limits.map((l) => (
              <tr key={l.plan} className={l.plan === current ? 'current' : undefined} aria-current={l.plan === current ? 'true' : undefined}>
                <th scope="row">
                  {l.plan}
                  {l.plan === current ? <span className="badge">Current plan</span> : null}
                </th>
                <td className="num">{formatCents(l.priceCents)}</td>
                <td className="num">{formatNumber(l.monthlyCredits)}</td>
                <td className="num">{l.maxConcurrentJobs}</td>
                <td className="num">{l.maxCountPerRequest}</td>
                <td className="num">{formatNumber(l.paygLimitCredits)}</td>
                <td className="num">
                  {formatNumber(l.minTopupCredits)}–{formatNumber(l.maxTopupCredits)}
                </td>
                <td className="num">{l.seats}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}
