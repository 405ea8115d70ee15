/**
 * What may be logged of an error: its name, and the provider's or the AWS SDK's type, code, HTTP
 * status and request id. Never the message or the object: a Stripe error carries its request's
 * headers and raw body (`raw`, `headers`), and its message names the customer and can carry card
 * details; an SDK error's message can quote item contents. Every log line that reports a caught
 * error spreads these facts instead of the error.
 */
export function errorFacts(error: unknown): Record<string, string | number> {
  if (typeof error !== 'object' || error === null) return { errorName: typeof error };
  const e = error as Record<string, unknown>;
  const meta = (typeof e.$metadata === 'object' && e.$metadata !== null ? e.$metadata : {}) as Record<string, unknown>;
  const facts: Record<string, string | number | undefined> = {
    errorName: stringOf(e.name),
    errorType: stringOf(e.type),
    errorCode: stringOf(e.code),
    statusCode: numberOf(e.statusCode) ?? numberOf(meta.httpStatusCode),
    requestId: stringOf(e.requestId) ?? stringOf(meta.requestId),
  };
  return Object.fromEntries(Object.entries(facts).filter((entry): entry is [string, string | number] => entry[1] !== undefined));
}

/** Identifiers only: a long or multi-line value is not a name or a code, and is left out. */
const stringOf = (value: unknown): string | undefined => (typeof value === 'string' && /^[\w.:-]{1,100}$/.test(value) ? value : undefined);
const numberOf = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
