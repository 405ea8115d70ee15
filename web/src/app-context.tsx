/** What every page needs: the configuration, the session, the typed client and the shared balance. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { unwrap, type ApiClient, type Schemas } from './api/client';
import type { Session } from './auth/session';
import type { AppConfig } from './config';

interface AppContextValue {
  readonly config: AppConfig;
  readonly session: Session;
  readonly api: ApiClient;
  readonly balance: Schemas['Balance'] | null;
  readonly balanceError: string | null;
  /** Reads the balance again; every view of it (sidebar, billing) updates. */
  refreshBalance(): Promise<Schemas['Balance'] | null>;
  signOut(): void;
}

const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside AppProvider');
  return value;
}

export function AppProvider(props: { config: AppConfig; session: Session; api: ApiClient; signOut(): void; children: ReactNode }) {
  const { api } = props;
  const [balance, setBalance] = useState<Schemas['Balance'] | null>(null);
  const [balanceError, setBalanceError] = useState<string | null>(null);
  const refreshBalance = useCallback(async () => {
    try {
      const next = await unwrap(api.GET('/v1/balance'));
      setBalance(next);
      setBalanceError(null);
      return next;
    } catch (error) {
      setBalanceError(error instanceof Error ? error.message : 'The balance could not be read.');
      return null;
    }
  }, [api]);
  useEffect(() => {
    void refreshBalance();
  }, [refreshBalance]);
  const value = useMemo(
    () => ({ config: props.config, session: props.session, api, balance, balanceError, refreshBalance, signOut: props.signOut }),
    [props.config, props.session, api, balance, balanceError, refreshBalance, props.signOut],
  );
  return <AppContext.Provider value={value}>{props.children}</AppContext.Provider>;
}

/** Calls `check` every `intervalMs` until it answers true or `timeoutMs` passes; resolves with the last answer. */
export async function pollUntil(check: () => Promise<boolean>, options: { intervalMs: number; timeoutMs: number; signal?: AbortSignal }): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.signal?.aborted) return false;
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
