/** Signed out. Locally: the dev users (no token pasting). In AWS: Cognito's managed login. */
import { useId, useState } from 'react';
import { WALLET_PATTERN, type DevUser } from '../auth/local-sign-in';
import type { AuthConfig } from '../config';
import { ErrorText } from '../components/notice';

export function SignInPage(props: { auth: AuthConfig; onLocalSignIn(user: DevUser, wallet: string): Promise<void>; onCognitoSignIn(): void; error: string | null }) {
  const [wallet, setWallet] = useState('acct_dev');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const walletId = useId();
  const walletValid = WALLET_PATTERN.test(wallet);
  const signIn = async (user: DevUser) => {
    setBusy(true);
    setError(null);
    try {
      await props.onLocalSignIn(user, wallet);
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Sign-in failed.');
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <h1>Sign in</h1>
      <p className="muted">Banana Flow: one credit balance for every image and video model.</p>
      <ErrorText message={props.error ?? error} />
      {props.auth.mode === 'cognito' ? (
        <button type="button" onClick={props.onCognitoSignIn}>
          Sign in
        </button>
      ) : (
        <div className="stack">
          <p className="muted">Local stack: pick a dev user. The owner and the member share the wallet below.</p>
          <label htmlFor={walletId}>Wallet</label>
          <input id={walletId} value={wallet} onChange={(e) => setWallet(e.target.value.trim())} aria-invalid={!walletValid} aria-describedby={`${walletId}-hint`} />
          <p id={`${walletId}-hint`} className={walletValid ? 'muted small' : 'error small'}>
            1 to 40 letters, digits, &quot;-&quot; or &quot;_&quot;
          </p>
          <div className="row">
            <button type="button" disabled={busy || !walletValid} onClick={() => void signIn('owner')}>
              Sign in as owner
            </button>
            <button type="button" disabled={busy || !walletValid} onClick={() => void signIn('member')}>
              Sign in as member
            </button>
            <button type="button" disabled={busy} onClick={() => void signIn('admin')}>
              Sign in as admin
            </button>
          </div>
        </div>
      )}
    </main>
  );
}
