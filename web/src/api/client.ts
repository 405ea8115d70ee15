/**
 * The one way the app talks to the API: openapi-fetch typed by the document's generated types
 * (schema.generated.ts; `npm run openapi` regenerates it, a test fails on drift). The bearer token is
 * added here from the session; a 401 asks the session to sign in again.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.generated';

export type Schemas = components['schemas'];
export type ApiClient = ReturnType<typeof createClient<paths>>;

export interface TokenSource {
  accessToken(): Promise<string | null>;
  onUnauthorized(): void;
}

export function createApiClient(tokens: TokenSource): ApiClient {
  const client = createClient<paths>({ baseUrl: window.location.origin });
  const auth: Middleware = {
    async onRequest({ request }) {
      const token = await tokens.accessToken();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
    async onResponse({ response }) {
      if (response.status === 401) tokens.onUnauthorized();
      return response;
    },
  };
  client.use(auth);
  return client;
}

/** An API answer that failed: its code and message in words (the API writes messages for people). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const GATEWAY_WORDS: Readonly<Record<number, string>> = {
  401: 'Your session has ended. Please sign in again.',
  429: 'Too many requests right now. Wait a moment and try again.',
  500: 'The service had a problem with this request. Please try again.',
  503: 'The service is busy or did not answer in time. Please try again.',
};

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The answer's data, or an ApiError with the API's own words (or a plain one when the network failed). */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch {
    throw new ApiError('network_error', 'The service could not be reached. Check your connection and try again.', 0);
  }
  if (answer.data !== undefined && answer.response.ok) return answer.data;
  const status = answer.response.status;
  const envelope = answer.error as { error?: { code?: string; message?: string } } | undefined;
  if (envelope?.error?.code) throw new ApiError(envelope.error.code, envelope.error.message ?? 'The request was refused.', status);
  // API Gateway's own { message } answers (throttled, authorizer, function failure, timeout): say it in words.
  throw new ApiError('gateway', GATEWAY_WORDS[status] ?? `The service answered ${status}. Please try again.`, status);
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong. Please try again.';
}

/** A fresh key per user action: a retry of the same action reuses it, so it is never charged twice. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
