/** Billing → Redeem a coupon: paste a code (any case, spaces around it are fine), click Redeem. */
import { useId, useState } from 'react';
import { messageOf, unwrap } from '../api/client';
import { useApp } from '../app-context';
import { ErrorText, StatusText } from '../components/notice';
import { formatCredits } from '../format';
import { Section } from './section';

export function RedeemCouponSection({ onRedeemed }: { onRedeemed(): void }) {
  const { api, refreshBalance } = useApp();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ids = { code: useId(), error: useId() };
  const redeem = async () => {
    const trimmed = code.trim();
    if (!trimmed || busy) {
      if (!trimmed) setError('Paste a coupon code first.');
      return;
    }
    setBusy(true);
    setDone(null);
    setError(null);
    try {
      const redeemed = await unwrap(api.POST('/v1/coupons/redeem', { body: { code: trimmed } }));
      setDone(`Redeemed ${redeemed.code}: ${formatCredits(redeemed.credits)} added to your Coupon credits.`);
      setCode('');
      await refreshBalance();
      onRedeemed();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Redeem a coupon">
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void redeem();
        }}
      >
        <label htmlFor={ids.code}>Coupon code</label>
        <div className="row">
          <input id={ids.code} value={code} autoComplete="off" spellCheck={false} placeholder="LAUNCH-9KX2-R7VP" onChange={(e) => setCode(e.target.value)} aria-invalid={error !== null} aria-describedby={error ? ids.error : undefined} />
          <button type="submit" disabled={busy}>
            Redeem
          </button>
        </div>
        <ErrorText message={error} id={ids.error} />
        <StatusText message={done} />
      </form>
    </Section>
  );
}
