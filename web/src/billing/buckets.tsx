/** The balance by bucket, in the order credits are spent, with expiry dates. */
import type { Schemas } from '../api/client';
import { BUCKET_NAMES, formatCredits, formatDay, formatNumber } from '../format';
import { Section } from './section';

export function BucketsSection({ balance, debtCredits }: { balance: Schemas['Balance'] | null; debtCredits?: number }) {
  return (
    <Section title="Balance by bucket">
      {!balance ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <p>
            Available: <strong>{formatCredits(balance.available)}</strong>
          </p>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Credit buckets in the order they are spent</caption>
              <thead>
                <tr>
                  <th scope="col">Bucket</th>
                  <th scope="col">Credits</th>
                  <th scope="col">Expiry</th>
                </tr>
              </thead>
              <tbody>
                {balance.buckets.map((bucket) => (
                  <tr key={bucket.id}>
                    <th scope="row">{BUCKET_NAMES[bucket.type]}</th>
                    <td className="num">{formatNumber(bucket.balance)}</td>
                    <td>{bucket.expiresAt ? `Expires ${formatDay(bucket.expiresAt)}` : 'Never expires'}</td>
                  </tr>
                ))}
                {balance.payg.enabled ? (
                  <tr>
                    <th scope="row">Pay-as-you-go</th>
                    <td className="num">{formatNumber(Math.max(balance.payg.limit - balance.payg.used, 0))}</td>
                    <td>
                      {formatNumber(balance.payg.used)} of {formatNumber(balance.payg.limit)} used this month, invoiced
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
          {balance.buckets.length === 0 && !balance.payg.enabled ? <p className="muted">No credits yet.</p> : null}
          {debtCredits ? <p className="error">You owe {formatCredits(debtCredits)} from a refunded or disputed payment; your next credits repay it first.</p> : null}
        </>
      )}
    </Section>
  );
}
