/** Pay-as-you-go: on/off, with the plan's monthly limit; saved as soon as it is switched. */
import { useId, useState } from 'react';
import { messageOf, unwrap, type Schemas } from '../api/client';
import { useApp } from '../app-context';
import { ErrorText, StatusText } from '../components/notice';
import { formatCredits, formatNumber } from '../format';
import { Section } from './section';

export function PaygSection({ billing, onChanged }: { billing: Schemas['Billing']; onChanged(): void }) {
  const { api, refreshBalance } = useApp();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const payg = billing.balance.payg;
  const limit = billing.usageLimits.find((l) => l.plan === billing.plan.id)?.paygLimitCredits ?? 0;
  const toggle = async (enabled: boolean) => {
    setBusy(true);
    setDone(null);
    setError(null);
    try {
      await unwrap(api.PUT('/v1/payg', { body: { enabled } }));
      setDone(enabled ? 'Pay-as-you-go is on.' : 'Pay-as-you-go is off.');
      await refreshBalance();
      onChanged();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Pay-as-you-go">
      <p className="muted small">{limit > 0 ? `Once every bucket is empty, keep generating up to ${formatCredits(limit)} a month on your plan, invoiced to your card at the end of the month.` : `Not available on ${billing.plan.id}: choose a paid plan to use it.`}</p>
      <div className="check">
        <input id={id} type="checkbox" checked={payg.enabled} disabled={busy || (limit === 0 && !payg.enabled)} onChange={(e) => void toggle(e.target.checked)} />
        <label htmlFor={id}>Pay-as-you-go on</label>
      </div>
      {payg.enabled ? <p className="small">{`${formatNumber(payg.used)} of ${formatCredits(payg.limit)} used this month.`}</p> : null}
      <StatusText message={done} />
      <ErrorText message={error} />
    </Section>
  );
}
