/**
 * What the app reads at start from /config.json: how people sign in and how cards are paid. The local
 * stack serves `{ auth: local, payments: simulator }`; the CDK app deploys the Cognito and Stripe one.
 */
export type AuthConfig = { mode: 'local' } | { mode: 'cognito'; domain: string; clientId: string; scopes: string[] };
export type PaymentsConfig = { mode: 'simulator' } | { mode: 'stripe'; publishableKey: string | null };

export interface AppConfig {
  readonly auth: AuthConfig;
  readonly payments: PaymentsConfig;
}

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch('/config.json', { cache: 'no-cache' });
  if (!response.ok) throw new Error(`The app's configuration could not be loaded (HTTP ${response.status}).`);
  const config = (await response.json()) as AppConfig;
  if (config.auth?.mode !== 'local' && config.auth?.mode !== 'cognito') throw new Error('The app configuration names no sign-in method.');
  return config;
}
