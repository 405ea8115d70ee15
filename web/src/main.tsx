/** Start-up: read /config.json, finish a sign-in if this load is its return, then render. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { completeCognitoSignIn } from './auth/cognito';
import { restoreLocalSession } from './auth/local-sign-in';
import type { Session } from './auth/session';
import { loadConfig } from './config';
import { navigate } from './router';
import './styles.css';

async function start(): Promise<void> {
  const root = createRoot(document.getElementById('root')!);
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    root.render(<p role="alert">{error instanceof Error ? error.message : 'The app could not start.'}</p>);
    return;
  }
  let session: Session | null = null;
  let error: string | null = null;
  try {
    if (config.auth.mode === 'local') session = restoreLocalSession();
    else {
      const completed = await completeCognitoSignIn(config.auth);
      if (completed) {
        session = completed.session;
        navigate(completed.returnTo);
      }
    }
  } catch (e) {
    error = e instanceof Error ? e.message : 'Sign-in failed.';
  }
  root.render(
    <StrictMode>
      <App config={config} initialSession={session} initialError={error} />
    </StrictMode>,
  );
}

void start();
