/**
 * A stored answer to a request made with an Idempotency-Key. The client-chosen key is the identity
 * of the request on every retry; the same key with a different request is refused.
 */
export interface IdempotencyRecord {
  readonly key: string;
  /** sha256 of the canonical request, so a key reused for another request is detected. */
  readonly requestHash: string;
  readonly statusCode: number;
  readonly responseBody: string;
  readonly createdAt: string;
}
