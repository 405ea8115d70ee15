/**
 * Signed out. Locally: the dev users (no token pasting). In AWS: Cognito's managed login. Both can
 * join a team by invite code on the way in: the person signs in as themselves, joins, and the app then
 * uses the team's wallet.
 */
import { useId, useState } from 'react';
import { joinOnSignIn } from '../auth/cognito';
import { WALLET_PATTERN, type DevUser } from '../auth/local-sign-in';
import type { AuthConfig } from '../config';
import { ErrorText } from '../components/notice';

/** What an invite code looks like, loosely (the API checks it): letters, digits and dashes. */
const CODE_PATTERN = /^\s*[A-Za-z0-9-]{4,64}\s*$/;

export function SignInPage(props: { auth: AuthConfig; onLocalSignIn(user: DevUser, wallet: string): Promise<void>; onCognitoSignIn(): void; error: string | null }) {
  const [wallet, setWallet] = useState('acct_dev');
  const [inviteCode, setInviteCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const walletId = useId();
  const joinId = useId();
  const walletValid = WALLET_PATTERN.test(wallet);
  const codeValid = CODE_PATTERN.test(inviteCode);
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
  const joinSection = (intro: string, button: string, onJoin: () => void) => (
    <section className="stack" aria-labelledby={`${joinId}-heading`}>
      <h2 id={`${joinId}-heading`}>Join a team</h2>
      <p className="muted small">{intro}</p>
      <label htmlFor={joinId}>Invite code</label>
      <input id={joinId} value={inviteCode} autoComplete="off" spellCheck={false} placeholder="JOIN-XXXX-XXXX-XXXX-XXXX" onChange={(e) => setInviteCode(e.target.value)} />
      <div className="row">
        <button type="button" disabled={busy || !codeValid || (props.auth.mode === 'local' && !walletValid)} onClick={onJoin}>
          {button}
        </button>
      </div>
    </section>
  );
  return (
    <main className="sign-in">
      <h1>Sign in</h1>
      <p className="muted">Banana Flow: one credit balance for every image and video model.</p>
      <ErrorText message={props.error ?? error} />
      {props.auth.mode === 'cognito' ? (
        <div className="stack">
          <button type="button" onClick={props.onCognitoSignIn}>
            Sign in
          </button>
          {joinSection('Have an invite code? Sign in and join the team: you then use its wallet.', 'Sign in and join', () => {
            joinOnSignIn(inviteCode);
            props.onCognitoSignIn();
          })}
        </div>
      ) : (
        <div className="stack">
          <p className="muted">
            Local stack: pick a dev user. The owner is the wallet&apos;s own user (its id is the wallet); the member (the wallet&apos;s name with &quot;-member&quot;) is
            invited and joins it, on a plan with seats (a FREE or BEGINNER wallet is switched to PRO through the payment simulator).
          </p>
          <label htmlFor={walletId}>Wallet</label>
          <input id={walletId} value={wallet} onChange={(e) => setWallet(e.target.value.trim())} aria-invalid={!walletValid} aria-describedby={`${walletId}-hint`} />
          <p id={`${walletId}-hint`} className={walletValid ? 'muted small' : 'error small'}>
            1 to 40 letters, digits, &quot;-&quot; or &quot;_&quot;, starting with a letter or digit
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
          {joinSection('Have an invite code? You join as the user named by Wallet above, then use the team’s wallet.', 'Join team', () => void signIn({ inviteCode }))}
        </div>
      )}
    </main>
  );
}
