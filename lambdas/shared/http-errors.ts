/** The one table from domain error codes to HTTP statuses, and the error envelope every 4xx/5xx uses. */
import type { ErrorCode } from '../domain/errors';
import { DomainError } from '../domain/errors';
import { errorFacts } from './error-facts';
import { log } from './logger';
import type { HttpResult } from './http-route';

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_json: 400,
  unknown_model: 400,
  count_above_plan_limit: 400,
  idempotency_key_required: 400,
  invalid_coupon_code: 400,
  unauthorized: 401,
  insufficient_credits: 402,
  member_cap_reached: 402,
  forbidden: 403,
  not_a_member: 403,
  member_suspended: 403,
  not_found: 404,
  route_not_found: 404,
  generation_not_found: 404,
  coupon_not_found: 404,
  invite_not_found: 404,
  member_not_found: 404,
  method_not_allowed: 405,
  coupon_already_redeemed: 409,
  write_conflict: 409,
  payment_method_required: 409,
  no_subscription: 409,
  seat_limit_reached: 409,
  too_many_members: 409,
  already_invited: 409,
  already_in_team: 409,
  generation_finished: 409,
  coupon_expired: 410,
  coupon_exhausted: 410,
  invite_expired: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  concurrency_limit: 429,
  too_many_attempts: 429,
  internal_error: 500,
  invalid_signature: 400,
  payment_provider_error: 502,
  payments_not_configured: 503,
  event_not_ready: 503,
};

export function statusOf(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}

export function jsonResult(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorBody(code: ErrorCode, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

/** Errors below 500 are the caller's to see; anything else is logged and becomes a generic 500. */
export function errorResult(error: unknown): HttpResult {
  if (error instanceof DomainError) {
    const status = statusOf(error.code);
    const retryAfter = typeof error.details?.retryAfterSeconds === 'number' ? { 'retry-after': String(error.details.retryAfterSeconds) } : undefined;
    // 503 asks the caller (Stripe) to retry later: expected when events arrive out of order.
    if (status === 503) log().warn('request deferred', { code: error.code, reason: error.message });
    else if (status >= 500) log().error('request failed', { code: error.code, ...errorFacts(error), ...(error.cause !== undefined ? { cause: errorFacts(error.cause) } : {}) });
    return jsonResult(status, errorBody(error.code, error.message, error.details), retryAfter);
  }
  // Facts only, never the object: a provider error carries its request's headers and raw body.
  log().error('unhandled error', errorFacts(error));
  return jsonResult(500, errorBody('internal_error', 'Something went wrong on our side. Retrying with the same Idempotency-Key is safe.'));
}
