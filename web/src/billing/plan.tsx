/** Current plan, renewal, change plan (what happens now vs at renewal) and cancel. */
import { useState } from 'react';
import { messageOf, unwrap, type Schemas } from '../api/client';
import { pollUntil, useApp } from '../app-context';
import { ErrorText, StatusText } from '../components/notice';
import { formatCents, formatCredits, formatDay } from '../format';
import { Section } from './section';

type PaidPlan = 'BEGINNER' | 'PRO' | 'TEAM';
const PAID_PLANS: readonly PaidPlan[] = ['BEGINNER', 'PRO', 'TEAM'];

/** `reload` reads the billing again (polled while a paid change lands); `onChanged` refreshes everything once it has. */
export function PlanSection({ billing, reload, onChanged }: { billing: Schemas['Billing']; reload(): Promise<Schemas['Billing'] | null>; onChanged(): void }) {
  const { api } = useApp();
  const [busy, setBusy] = useState(false);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = billing.plan;
  const priceOf = (plan: string) => billing.usageLimits.find((l) => l.plan === plan)?.priceCents ?? 0;
  const limitsOf = (plan: string) => billing.usageLimits.find((l) => l.plan === plan);

  const run = async (action: () => Promise<string>) => {
    setBusy(true);
    setDone(null);
    setError(null);
    try {
      setDone(await action());
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
      setConfirmCancel(false);
    }
  };

  const change = (plan: PaidPlan) =>
    run(async () => {
      const answer = await unwrap(api.POST('/v1/subscription', { body: { plan } }));
      if (answer.effective === 'when_paid') throw new Error(answer.message ?? `The payment for ${plan} did not go through; you stay on ${current.id}.`);
      if (answer.effective === 'now') {
        // The plan and its credits change when the payment's webhook has arrived.
        await pollUntil(async () => (await reload())?.plan.id === plan, { intervalMs: 700, timeoutMs: 20_000 });
        onChanged();
        return `Now on ${plan}.`;
      }
      onChanged();
      return `Switches to ${plan} at renewal (${formatDay(billing.renewsAt)}). Nothing is charged now.`;
    });

  const cancel = () =>
    run(async () => {
      const answer = await unwrap(api.DELETE('/v1/subscription'));
      onChanged();
      return `Cancelled: ${current.id} ends on ${formatDay(answer.endsAt)}, then you are on FREE.`;
    });

  return (
    <Section title="Plan">
      <p className="plan-line">
        Current plan: <strong>{current.id}</strong> <span className="muted">({formatCredits(current.monthlyCredits)} a month{current.priceCents ? `, ${formatCents(current.priceCents)}/month` : ''})</span>
      </p>
      <p>{billing.cancelAtPeriodEnd ? `Ends on ${formatDay(billing.renewsAt)}` : `Renews on ${formatDay(billing.renewsAt)}`}</p>
      {billing.status === 'past_due' ? <p className="error">A payment failed or was reversed: the account is past due. Pay the open invoice to keep your plan.</p> : null}
      <ul className="plan-options">
        {PAID_PLANS.filter((p) => p !== current.id).map((plan) => {
          const upgrade = priceOf(plan) > current.priceCents;
          const limits = limitsOf(plan);
          const when = current.id === 'FREE' ? `charged now (${formatCents(priceOf(plan))}/month)` : upgrade ? 'charged now, prorated; its credits arrive when paid' : `at renewal on ${formatDay(billing.renewsAt)}, nothing charged now`;
          return (
            <li key={plan}>
              <button type="button" className="secondary" disabled={busy} onClick={() => void change(plan)} aria-describedby={`when-${plan}`}>
                Switch to {plan}
              </button>
              <span id={`when-${plan}`} className="small muted">
                {limits ? `${formatCredits(limits.monthlyCredits)} a month: ` : ''}
                {when}
              </span>
            </li>
          );
        })}
      </ul>
      {current.id !== 'FREE' && !billing.cancelAtPeriodEnd ? (
        confirmCancel ? (
          <div className="row">
            <button type="button" className="danger" disabled={busy} onClick={() => void cancel()}>
              Yes, cancel at renewal
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => setConfirmCancel(false)}>
              Keep {current.id}
            </button>
          </div>
        ) : (
          <button type="button" className="secondary" disabled={busy} onClick={() => setConfirmCancel(true)}>
            Cancel subscription
          </button>
        )
      ) : null}
      <StatusText message={busy ? 'Working…' : done} />
      <ErrorText message={error} />
    </Section>
  );
}
