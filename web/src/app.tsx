/** The app: signed out → the sign-in page; signed in → the sidebar and the page the path names. */
import { useCallback, useMemo, useState } from 'react';
import { createApiClient } from './api/client';
import { AppProvider, useApp } from './app-context';
import { cognitoSignOut, startCognitoSignIn } from './auth/cognito';
import { signInLocally, signOutLocally, type DevUser } from './auth/local-sign-in';
import type { Session } from './auth/session';
import { PageErrorBoundary } from './components/error-boundary';
import { Sidebar } from './components/sidebar';
import type { AppConfig } from './config';
import { AdminPage } from './pages/admin';
import { BillingPage } from './pages/billing';
import { GeneratePage } from './pages/generate';
import { SignInPage } from './pages/sign-in';
import { LazyTeamPage } from './team/lazy-team-page';
import { navigate, usePath } from './router';

export function App(props: { config: AppConfig; initialSession: Session | null; initialError: string | null }) {
  const { config } = props;
  const [session, setSession] = useState<Session | null>(props.initialSession);
  const [error, setError] = useState<string | null>(props.initialError);

  const signOut = useCallback(() => {
    setSession(null);
    if (config.auth.mode === 'cognito') cognitoSignOut(config.auth);
    else signOutLocally();
    navigate('/');
  }, [config.auth]);

  const api = useMemo(
    () =>
      createApiClient({
        accessToken: async () => (session ? session.accessToken() : null),
        onUnauthorized: () => {
          setError('Your session has ended. Please sign in again.');
          setSession(null);
          if (config.auth.mode === 'local') signOutLocally();
        },
      }),
    [session, config.auth.mode],
  );

  if (!session) {
    return (
      <SignInPage
        auth={config.auth}
        error={error}
        onCognitoSignIn={() => (config.auth.mode === 'cognito' ? void startCognitoSignIn(config.auth) : undefined)}
        onLocalSignIn={async (user: DevUser, wallet: string) => {
          const next = await signInLocally(user, wallet);
          setError(null);
          setSession(next);
          navigate(next.isAdmin ? '/admin' : '/generate');
        }}
      />
    );
  }
  return (
    <AppProvider key={`${session.sub}:${session.accountId}`} config={config} session={session} api={api} signOut={signOut}>
      <div className="layout">
        <Sidebar />
        <main className="content">
          <Page />
        </main>
      </div>
    </AppProvider>
  );
}

function Page() {
  const path = usePath();
  const { session } = useApp();
  const page = path === '/billing' ? <BillingPage /> : path === '/team' ? <LazyTeamPage /> : path === '/admin' && session.isAdmin ? <AdminPage /> : <GeneratePage />;
  return <PageErrorBoundary resetKey={path}>{page}</PageErrorBoundary>;
}
