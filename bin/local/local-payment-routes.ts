/**
 * Reversals from outside (local only, never deployed, no token), what the Stripe dashboard or a
 * cardholder's bank does to a payment, sent by the payment simulator as signed webhook events through
 * the real webhook handler:
 *
 * - `POST /_local/payments/{paymentId}/refund { amountCents? }` → `charge.refunded`. `amountCents` is
 *   the amount of THIS refund (omitted: everything not yet refunded); this module adds it to what was
 *   already refunded through it and sends the running total as the event's `amount_refunded`, as Stripe
 *   does. A refund above what is left of the payment is refused (409), as Stripe refuses it.
 * - `POST /_local/payments/{paymentId}/dispute { outcome: "open"|"won"|"lost" }` →
 *   `charge.dispute.created` (open) or `charge.dispute.closed` (won, lost). Like Stripe: one dispute
 *   per payment, opened once, then closed once as won or lost (anything else is 409), and a payment
 *   with an open or lost dispute cannot be refunded (409 charge_disputed).
 *
 * The payment must have been credited (its amount is read from the service's payment record);
 * an unknown one is 404 payment_not_found. Every refused request sends nothing. The routes answer
 * 202 once the event is sent; `POST /_local/settle` waits for its delivery.
 */
import * as z from 'zod';
import type { CreditStore } from '../../lambdas/domain/credit-store';
import { ControlRouteError, parseControlBody, type ControlRequest, type ControlRoute } from './http-server';

export type DisputeOutcome = 'open' | 'won' | 'lost';

/** What the routes need of the payment simulator (`PaymentSimulator` has both). */
export interface ReversiblePayments {
  /** `amountRefundedCents` is the running total refunded, like Stripe's `charge.amount_refunded`. */
  refund(paymentId: string, amountRefundedCents: number): void;
  dispute(paymentId: string, outcome: DisputeOutcome): void;
}

/** The payment's amount in cents, or null when there is no such (credited) payment. */
export type PaymentAmountLookup = (paymentId: string) => Promise<number | null>;

/** Reads a payment's amount from the service's own payment record (written when its credits landed). */
export function creditedPaymentAmount(store: Pick<CreditStore, 'getPayment'>): PaymentAmountLookup {
  return async (paymentId) => (await store.getPayment(paymentId))?.amountCents ?? null;
}

export interface LocalPaymentRoutesOptions {
  readonly payments: ReversiblePayments;
  readonly amountCentsOf: PaymentAmountLookup;
}

const PaymentId = z.string().regex(/^[A-Za-z0-9_]{1,255}$/, 'a payment id such as pi_sim_… (letters, digits, _)');
const RefundBody = z.strictObject({ amountCents: z.number().int().positive().optional() });
const DisputeBody = z.strictObject({ outcome: z.enum(['open', 'won', 'lost']) });

/** The simulator's answer for a payment it never made (see PaymentSimulator.requirePayment). */
const UNKNOWN_PAYMENT = /^the simulator made no payment /;

interface ReversalState {
  refundedCents: number;
  dispute: DisputeOutcome | null;
}

export function localPaymentRoutes(options: LocalPaymentRoutesOptions): ControlRoute[] {
  const { payments, amountCentsOf } = options;
  const states = new Map<string, ReversalState>();
  const stateOf = (paymentId: string): ReversalState => {
    let state = states.get(paymentId);
    if (!state) {
      state = { refundedCents: 0, dispute: null };
      states.set(paymentId, state);
    }
    return state;
  };

  /** The path's payment id and its amount; 400 for a malformed id, 404 for a payment never credited. */
  async function creditedPayment(request: ControlRequest): Promise<{ paymentId: string; amountCents: number }> {
    const parsed = PaymentId.safeParse(request.pathParameters.paymentId);
    if (!parsed.success) throw new ControlRouteError(400, 'invalid_request', `paymentId: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const amountCents = await amountCentsOf(parsed.data);
    if (amountCents === null) throw notFound(parsed.data);
    return { paymentId: parsed.data, amountCents };
  }

  /** Asks the simulator to send the event; its "no payment" refusal is our 404. */
  function send(paymentId: string, action: () => void): void {
    try {
      action();
    } catch (error) {
      if (error instanceof Error && UNKNOWN_PAYMENT.test(error.message)) throw notFound(paymentId);
      throw error;
    }
  }

  return [
    {
      method: 'POST',
      path: '/_local/payments/{paymentId}/refund',
      handle: async (request) => {
        const body = parseControlBody(request, RefundBody);
        const { paymentId, amountCents } = await creditedPayment(request);
        // From here on nothing awaits: the check and the send cannot interleave with another refund.
        const state = stateOf(paymentId);
        if (state.dispute === 'open' || state.dispute === 'lost') {
          throw new ControlRouteError(409, 'charge_disputed', `Payment ${paymentId} has ${state.dispute === 'open' ? 'an open' : 'a lost'} dispute and cannot be refunded`);
        }
        const remaining = amountCents - state.refundedCents;
        if (remaining <= 0) throw new ControlRouteError(409, 'charge_already_refunded', `Payment ${paymentId} (${amountCents} cents) is already fully refunded`);
        const refundCents = body.amountCents ?? remaining;
        if (refundCents > remaining) {
          throw new ControlRouteError(409, 'refund_exceeds_payment', `A refund of ${refundCents} cents exceeds what is left of payment ${paymentId}: ${remaining} of ${amountCents} cents (${state.refundedCents} already refunded)`);
        }
        const amountRefundedCents = state.refundedCents + refundCents;
        send(paymentId, () => payments.refund(paymentId, amountRefundedCents));
        state.refundedCents = amountRefundedCents;
        return {
          statusCode: 202,
          body: { paymentId, event: 'charge.refunded', refundCents, amountRefundedCents, amountCents, refunded: amountRefundedCents >= amountCents },
        };
      },
    },
    {
      method: 'POST',
      path: '/_local/payments/{paymentId}/dispute',
      handle: async (request) => {
        const { outcome } = parseControlBody(request, DisputeBody);
        const { paymentId } = await creditedPayment(request);
        const state = stateOf(paymentId);
        if (outcome === 'open' && state.dispute !== null) {
          throw new ControlRouteError(409, 'dispute_exists', `Payment ${paymentId} already has a dispute (${state.dispute}); Stripe allows one per payment`);
        }
        if (outcome !== 'open' && state.dispute !== 'open') {
          throw new ControlRouteError(409, 'dispute_not_open', `Payment ${paymentId} has no open dispute to close as ${outcome}${state.dispute ? ` (it was ${state.dispute})` : ''}: open one first`);
        }
        send(paymentId, () => payments.dispute(paymentId, outcome));
        state.dispute = outcome;
        return {
          statusCode: 202,
          body: { paymentId, event: outcome === 'open' ? 'charge.dispute.created' : 'charge.dispute.closed', outcome },
        };
      },
    },
  ];
}

function notFound(paymentId: string): ControlRouteError {
  return new ControlRouteError(404, 'payment_not_found', `No credited payment ${paymentId} (unknown to the simulator, or its credit has not landed yet: POST /_local/settle first)`);
}
