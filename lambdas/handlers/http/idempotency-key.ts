import { DomainError } from '../../domain/errors';

/** Printable ASCII, like Stripe's keys; a UUID fits with room to spare. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function idempotencyKeyOf(headers: Readonly<Record<string, string | undefined>>): string {
  const key = headers['idempotency-key'];
  if (key === undefined || key === '') throw new DomainError('idempotency_key_required', 'Send an Idempotency-Key header (e.g. a UUID) so a retry is never charged twice.');
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) throw new DomainError('invalid_request', 'The Idempotency-Key must be 1-255 printable ASCII characters without spaces.', { issues: [{ path: 'headers.idempotency-key', message: 'invalid' }] });
  return key;
}
