/**
 * Typed domain errors. Each has a stable snake_case code; the one table that maps codes to HTTP
 * statuses is lambdas/shared/http-errors.ts.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'route_not_found'
  | 'method_not_allowed'
  | 'unknown_model'
  | 'count_above_plan_limit'
  | 'insufficient_credits'
  | 'concurrency_limit'
  | 'idempotency_key_required'
  | 'idempotency_key_reused'
  | 'generation_not_found'
  | 'generation_finished'
  | 'invalid_coupon_code'
  | 'coupon_not_found'
  | 'coupon_already_redeemed'
  | 'coupon_expired'
  | 'coupon_exhausted'
  | 'too_many_attempts'
  | 'write_conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'invalid_signature'
  | 'payment_method_required'
  | 'no_subscription'
  | 'event_not_ready'
  | 'payment_provider_error'
  | 'payments_not_configured'
  | 'not_a_member'
  | 'member_suspended'
  | 'member_cap_reached'
  | 'seat_limit_reached'
  | 'too_many_members'
  | 'invite_not_found'
  | 'invite_expired'
  | 'already_invited'
  | 'already_in_team'
  | 'member_not_found'
  | 'internal_error';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InsufficientCreditsError extends DomainError {
  constructor(readonly requiredCredits: number, readonly availableCredits: number) {
    super('insufficient_credits', `This needs ${requiredCredits} credits; ${availableCredits} are available.`, {
      required: requiredCredits,
      available: availableCredits,
    });
  }
}

export class ConcurrencyLimitError extends DomainError {
  constructor(readonly limit: number) {
    super('concurrency_limit', `Your plan allows ${limit} generation jobs at once; wait for one to finish.`, { limit });
  }
}

export class UnknownModelError extends DomainError {
  constructor(model: string) {
    super('unknown_model', `Unknown model "${model}". See GET /v1/pricing for the models.`, { model });
  }
}

export class CountAbovePlanLimitError extends DomainError {
  constructor(count: number, limit: number) {
    super('count_above_plan_limit', `Your plan allows at most ${limit} outputs per request; ${count} were asked for.`, { count, limit });
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  constructor() {
    super('idempotency_key_reused', 'This Idempotency-Key was already used with a different request.');
  }
}

export class GenerationNotFoundError extends DomainError {
  constructor(id: string) {
    super('generation_not_found', `No generation "${id}" on this account.`);
  }
}

export class InvalidCouponCodeError extends DomainError {
  constructor() {
    super('invalid_coupon_code', 'That is not a coupon code. Codes look like LAUNCH-9KX2-R7VP.');
  }
}

export class CouponNotFoundError extends DomainError {
  constructor() {
    super('coupon_not_found', 'No coupon has that code.');
  }
}

export class CouponAlreadyRedeemedError extends DomainError {
  constructor() {
    super('coupon_already_redeemed', 'This account has already redeemed that coupon.');
  }
}

export class CouponExpiredError extends DomainError {
  constructor() {
    super('coupon_expired', 'That coupon can no longer be redeemed.');
  }
}

export class CouponExhaustedError extends DomainError {
  constructor() {
    super('coupon_exhausted', 'That coupon has been redeemed the maximum number of times.');
  }
}

export class TooManyAttemptsError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super('too_many_attempts', 'Too many failed coupon attempts; try again later.', { retryAfterSeconds });
  }
}

/** A write kept losing optimistic-concurrency races; nothing was changed and the call may be retried. */
export class WriteConflictError extends DomainError {
  constructor(attempts: number, options?: { cause?: unknown }) {
    super('write_conflict', 'The account is busy; nothing was changed. Retry the request.', { attempts }, options);
  }
}

/** The stage's payment keys are not set yet (the secret still holds its placeholder): nothing was charged or changed. */
export class PaymentsNotConfiguredError extends DomainError {
  constructor() {
    super('payments_not_configured', 'Payments are not set up on this stage yet: nothing was charged. Try again later.');
  }
}

/** The token names a wallet the caller has no active membership of. */
export class NotAMemberError extends DomainError {
  constructor() {
    super('not_a_member', 'You are not a member of this wallet.');
  }
}

/** The wallet's plan no longer has seats for its members (a paid plan ended); they are back when it does. */
export class MemberSuspendedError extends DomainError {
  constructor(seatLimit: number, members: number) {
    super('member_suspended', `This team's plan has ${seatLimit} seat${seatLimit === 1 ? '' : 's'} for ${members} people, so members are suspended until the owner restores a plan with seats.`, { seatLimit, members });
  }
}

export class MemberCapReachedError extends DomainError {
  constructor(capCredits: number, spentCredits: number, requiredCredits: number) {
    super('member_cap_reached', `This needs ${requiredCredits} credits; your monthly cap is ${capCredits} and ${spentCredits} are spent this period.`, { capCredits, spentCredits, requiredCredits });
  }
}

export class SeatLimitReachedError extends DomainError {
  constructor(limit: number, used: number) {
    super('seat_limit_reached', `The plan has ${limit} seat${limit === 1 ? '' : 's'} and ${used} are taken (members and pending invites).`, { limit, used });
  }
}

export class TooManyMembersError extends DomainError {
  constructor(seatLimit: number, used: number) {
    super('too_many_members', `That plan has ${seatLimit} seat${seatLimit === 1 ? '' : 's'}; remove ${used - seatLimit} of the ${used} members and pending invites first.`, { seatLimit, used, mustRemove: used - seatLimit });
  }
}

/** A generation that has already succeeded, failed or been cancelled cannot be cancelled. */
export class GenerationFinishedError extends DomainError {
  constructor(status: string, message = `This generation has already ${status === 'succeeded' ? 'completed' : status === 'cancelled' ? 'been cancelled' : 'failed'}; there is nothing to cancel.`) {
    super('generation_finished', message, { status });
  }
}
