/** Auto-refill: threshold, amount, monthly cap, on/off; its current state and why it was turned off. */
import { useEffect, useId, useState } from 'react';
import { messageOf, unwrap, type Schemas } from '../api/client';
import { useApp } from '../app-context';
import { ErrorText, StatusText } from '../components/notice';
import { formatCredits, formatNumber } from '../format';
import { Section } from './section';

const OFF_REASONS: Readonly<Record<string, string>> = {
  card_declined: 'Turned off because the saved card was declined. Check the card, then turn it on again.',
  authentication_required: 'Turned off because the bank asked for authentication, which an automatic charge cannot give. Top up once by hand, then turn it on again.',
};

export function AutoRefillSection({ version, onSaved }: { version: number; onSaved(): void }) {
  const { api } = useApp();
  const [state, setState] = useState<Schemas['AutoRefill'] | null>(null);
  const [form, setForm] = useState({ enabled: false, threshold: '', refill: '', cap: '' });
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ids = { on: useId(), threshold: useId(), refill: useId(), cap: useId() };

  useEffect(() => {
    unwrap(api.GET('/v1/auto-refill'))
      .then((s) => {
        setState(s);
        // Never set up yet: suggest a starting point instead of zeros.
        const fresh = s.refillCredits === 0;
        setForm({ enabled: s.enabled, threshold: String(fresh ? 200 : s.thresholdCredits), refill: String(fresh ? 1_000 : s.refillCredits), cap: String(fresh ? 5_000 : s.monthlyCapCredits) });
      })
      .catch((e: unknown) => setError(messageOf(e)));
  }, [api, version]);

  const numbers = { thresholdCredits: Number(form.threshold), refillCredits: Number(form.refill), monthlyCapCredits: Number(form.cap) };
  const valid = Object.values(numbers).every((n) => Number.isInteger(n) && n >= 0) && numbers.refillCredits >= 1;

  const save = async () => {
    if (!valid) {
      setError('Enter whole numbers of credits; the refill amount must be at least 1.');
      return;
    }
    setBusy(true);
    setDone(null);
    setError(null);
    try {
      const saved = await unwrap(api.PUT('/v1/auto-refill', { body: { enabled: form.enabled, ...numbers } }));
      setState(saved);
      setDone(saved.enabled ? 'Auto-refill saved: it is on.' : 'Auto-refill saved: it is off.');
      onSaved();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Auto-refill">
      <p className="muted small">When your balance drops below the threshold, the saved card is charged for the refill amount, at most the monthly cap in a calendar month.</p>
      {state ? (
        <p>
          {state.enabled ? 'On' : 'Off'}
          {state.card ? ` · card ${state.card.brand} ending ${state.card.last4}` : ' · no saved card yet'}
          {` · ${formatNumber(state.creditsThisMonth)} of ${formatCredits(state.monthlyCapCredits)} refilled this month`}
          {state.refillInFlight ? ' · a refill is being paid' : ''}
        </p>
      ) : null}
      {state && !state.enabled && state.disabledReason ? <p className="error">{OFF_REASONS[state.disabledReason] ?? `Turned off: ${state.disabledReason}.`}</p> : null}
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        {/* Nothing can be typed before the saved settings load: the load would overwrite it. */}
        <fieldset disabled={!state || busy}>
        <div className="check">
          <input id={ids.on} type="checkbox" checked={form.enabled} onChange={(e) => setForm({ ...form, enabled: e.target.checked })} />
          <label htmlFor={ids.on}>Auto-refill on</label>
        </div>
        <div className="fields">
          <div>
            <label htmlFor={ids.threshold}>Threshold (credits)</label>
            <input id={ids.threshold} type="number" min={0} step={1} value={form.threshold} onChange={(e) => setForm({ ...form, threshold: e.target.value })} />
          </div>
          <div>
            <label htmlFor={ids.refill}>Refill amount (credits)</label>
            <input id={ids.refill} type="number" min={1} step={1} value={form.refill} onChange={(e) => setForm({ ...form, refill: e.target.value })} />
          </div>
          <div>
            <label htmlFor={ids.cap}>Monthly cap (credits)</label>
            <input id={ids.cap} type="number" min={0} step={1} value={form.cap} onChange={(e) => setForm({ ...form, cap: e.target.value })} />
          </div>
        </div>
        <button type="submit" disabled={busy || !state}>
          Save auto-refill
        </button>
        </fieldset>
        <StatusText message={done} />
        <ErrorText message={error} />
      </form>
    </Section>
  );
}
