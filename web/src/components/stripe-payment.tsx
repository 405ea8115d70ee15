/**
 * AWS only: Stripe's Payment Element for a top-up's client secret. Stripe.js must be loaded from
 * js.stripe.com (never bundled), so it is added on demand; the CSP allows that origin. Not runnable
 * here (no network): its contract is covered by the simulator path and the API's tests.
 */
import { useEffect, useRef, useState } from 'react';
import { ErrorText } from './notice';

interface StripeElements {
  create(type: 'payment'): { mount(element: HTMLElement): void; destroy(): void };
}
interface StripeJs {
  elements(options: { clientSecret: string }): StripeElements;
  confirmPayment(options: { elements: StripeElements; redirect: 'if_required'; confirmParams: { return_url: string } }): Promise<{ error?: { message?: string } }>;
}
declare global {
  interface Window {
    Stripe?: (publishableKey: string) => StripeJs;
  }
}

function loadStripe(): Promise<void> {
  if (window.Stripe) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = 'https://js.stripe.com/v3';
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('Stripe could not be loaded. Check your connection and try again.'));
    document.head.append(script);
  });
}

export function StripePayment(props: { publishableKey: string | null; clientSecret: string; onConfirmed(): void; onFailed(message: string): void }) {
  const container = useRef<HTMLDivElement>(null);
  const [stripe, setStripe] = useState<{ js: StripeJs; elements: StripeElements } | null>(null);
  const [error, setError] = useState<string | null>(props.publishableKey ? null : 'Card payments are not configured for this site yet.');
  const [confirming, setConfirming] = useState(false);
  const { publishableKey, clientSecret } = props;
  useEffect(() => {
    if (!publishableKey) return;
    let element: { destroy(): void } | null = null;
    loadStripe()
      .then(() => {
        const js = window.Stripe!(publishableKey);
        const elements = js.elements({ clientSecret });
        const payment = elements.create('payment');
        if (container.current) payment.mount(container.current);
        element = payment;
        setStripe({ js, elements });
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : 'Stripe could not be loaded.'));
    return () => element?.destroy();
  }, [publishableKey, clientSecret]);
  const confirm = async () => {
    if (!stripe) return;
    setConfirming(true);
    const result = await stripe.js.confirmPayment({ elements: stripe.elements, redirect: 'if_required', confirmParams: { return_url: `${window.location.origin}/billing` } });
    setConfirming(false);
    if (result.error) props.onFailed(result.error.message ?? 'Your card was declined.');
    else props.onConfirmed();
  };
  return (
    <div className="stack">
      <div ref={container} />
      <ErrorText message={error} />
      <button type="button" disabled={!stripe || confirming} onClick={() => void confirm()}>
        Confirm payment
      </button>
    </div>
  );
}
