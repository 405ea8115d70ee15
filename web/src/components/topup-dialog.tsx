/**
 * The top-up modal (opened from the sidebar balance): pick an amount within the plan's limits, see
 * the price, pay. Locally the payment simulator pays with the test card chosen here; in AWS Stripe's
 * Payment Element confirms with the client secret. Credits land when the webhook has credited: the
 * dialog polls the top-up until it settles and then refreshes the balance, with no reload.
 */
import { useEffect, useId, useMemo, useState } from 'react';
import { messageOf, newIdempotencyKey, unwrap, type Schemas } from '../api/client';
import { pollUntil, useApp } from '../app-context';
import { formatCents, formatCredits, formatNumber } from '../format';
import { setLocalCard, TEST_CARDS, type TestCard } from '../local-controls';
import { Modal } from './modal';
import { ErrorText, StatusText } from './notice';
import { StripePayment } from './stripe-payment';

const PRESETS = [500, 1_000, 5_000, 10_000, 25_000, 100_000];
const SETTLE_TIMEOUT_MS = 30_000;

type Phase = { kind: 'idle' } | { kind: 'confirming'; topup: Schemas['TopupStarted'] } | { kind: 'pending' } | { kind: 'paid'; credits: number } | { kind: 'failed'; message: string };

export function TopupDialog({ onClose }: { onClose(): void }) {
  const { session } = useApp();
  return (
    <Modal title="Top up credits" onClose={onClose}>
      {session.role === 'owner' ? (
        <TopupForm />
      ) : (
        <p className="muted" data-autofocus tabIndex={-1}>
          Only the wallet&apos;s owner can buy credits.
        </p>
      )}
    </Modal>
  );
}

function TopupForm() {
  const { api, config, session, refreshBalance } = useApp();
  const [limits, setLimits] = useState<{ min: number; max: number; centsPerCredit: number } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [choice, setChoice] = useState<number | 'custom'>(1_000);
  const [custom, setCustom] = useState('');
  const [card, setCard] = useState<TestCard>('succeed');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  // One key per purchase attempt: a retry after a network failure reuses it, so it is never charged twice.
  const [attemptKey, setAttemptKey] = useState(newIdempotencyKey);
  const ids = { custom: useId(), range: useId(), card: useId() };

  useEffect(() => {
    void (async () => {
      try {
        const [billing, pricing] = await Promise.all([unwrap(api.GET('/v1/billing')), unwrap(api.GET('/v1/pricing'))]);
        const plan = billing.usageLimits.find((l) => l.plan === billing.plan.id);
        if (!plan) throw new Error('Your plan’s top-up limits could not be read.');
        setLimits({ min: plan.minTopupCredits, max: plan.maxTopupCredits, centsPerCredit: pricing.topup.centsPerCredit });
      } catch (error) {
        setLoadError(messageOf(error));
      }
    })();
  }, [api]);

  const presets = useMemo(() => (limits ? PRESETS.filter((p) => p >= limits.min && p <= limits.max).slice(0, 3) : []), [limits]);
  useEffect(() => {
    if (presets.length > 0 && choice !== 'custom' && !presets.includes(choice)) setChoice(presets.includes(1_000) ? 1_000 : presets[0]!);
  }, [presets, choice]);

  if (loadError) return <ErrorText message={loadError} />;
  if (!limits) return <StatusText message="Loading your plan’s limits…" />;

  const credits = choice === 'custom' ? Number(custom) : choice;
  const valid = Number.isInteger(credits) && credits >= limits.min && credits <= limits.max;
  const price = valid ? formatCents(credits * limits.centsPerCredit) : null;
  const busy = phase.kind === 'pending' || phase.kind === 'confirming';

  const settle = async (topupId: string) => {
    setPhase({ kind: 'pending' });
    let final: Schemas['BillingTopup'] | undefined;
    await pollUntil(
      async () => {
        const billing = await unwrap(api.GET('/v1/billing'));
        final = billing.topups.find((t) => t.id === topupId);
        return final !== undefined && final.status !== 'pending';
      },
      { intervalMs: 700, timeoutMs: SETTLE_TIMEOUT_MS },
    );
    setAttemptKey(newIdempotencyKey());
    if (final?.status === 'succeeded') {
      await refreshBalance();
      setPhase({ kind: 'paid', credits: final.credits });
    } else if (final?.status === 'failed') {
      setPhase({ kind: 'failed', message: 'Your card was declined. Nothing was charged; try another card.' });
    } else {
      setPhase({ kind: 'failed', message: 'The payment has not been confirmed yet. Your credits will appear as soon as it is; you can close this window.' });
    }
  };

  const pay = async () => {
    if (!valid || busy) return;
    setPhase({ kind: 'pending' });
    try {
      if (config.payments.mode === 'simulator') await setLocalCard(session, card);
      const topup = await unwrap(api.POST('/v1/topups', { params: { header: { 'Idempotency-Key': attemptKey } }, body: { credits } }));
      if (config.payments.mode === 'stripe' && topup.clientSecret && topup.status === 'pending') setPhase({ kind: 'confirming', topup });
      else await settle(topup.id);
    } catch (error) {
      setPhase({ kind: 'failed', message: messageOf(error) });
    }
  };

  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        void pay();
      }}
    >
      <fieldset disabled={busy}>
        <legend id={`${ids.range}-legend`}>Amount</legend>
        <div role="radiogroup" aria-labelledby={`${ids.range}-legend`} className="choices">
          {presets.map((preset) => (
            <label key={preset} className="choice">
              <input type="radio" name="amount" checked={choice === preset} onChange={() => setChoice(preset)} data-autofocus={choice === preset ? true : undefined} />
              {formatCredits(preset)}
            </label>
          ))}
          <label className="choice">
            <input type="radio" name="amount" checked={choice === 'custom'} onChange={() => setChoice('custom')} />
            Custom amount
          </label>
        </div>
        <label htmlFor={ids.custom}>Custom amount (credits)</label>
        <input
          id={ids.custom}
          type="number"
          inputMode="numeric"
          min={limits.min}
          max={limits.max}
          step={1}
          value={custom}
          aria-describedby={ids.range}
          aria-invalid={choice === 'custom' && !valid}
          onFocus={() => setChoice('custom')}
          onChange={(event) => {
            setChoice('custom');
            setCustom(event.target.value);
          }}
        />
        <p id={ids.range} className={choice === 'custom' && !valid ? 'error' : 'muted'}>
          Enter between {formatNumber(limits.min)} and {formatNumber(limits.max)} credits
        </p>
        {config.payments.mode === 'simulator' ? (
          <>
            <label htmlFor={ids.card}>Test card</label>
            <select id={ids.card} value={card} onChange={(event) => setCard(event.target.value as TestCard)}>
              {TEST_CARDS.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </>
        ) : null}
      </fieldset>
      <p className="price">{price ? `Price: ${price}` : 'Price: choose a valid amount'}</p>
      {phase.kind === 'confirming' && config.payments.mode === 'stripe' ? (
        <StripePayment publishableKey={config.payments.publishableKey} clientSecret={phase.topup.clientSecret ?? ''} onConfirmed={() => void settle(phase.topup.id)} onFailed={(message) => setPhase({ kind: 'failed', message })} />
      ) : (
        <button type="submit" disabled={!valid || busy}>
          {price ? `Pay ${price}` : 'Pay'}
        </button>
      )}
      <StatusText message={phase.kind === 'pending' ? 'Payment pending…' : phase.kind === 'paid' ? `Paid: ${formatCredits(phase.credits)} added.` : null} />
      <ErrorText message={phase.kind === 'failed' ? phase.message : null} />
    </form>
  );
}
