/**
 * `GET|POST /_local/clock` (local only, never deployed): reads and moves the one clock every handler
 * and job reads. Moving it also moves the payment simulator's billing clock, the way Stripe's own
 * clock runs on: every subscription whose period ended by the new time renews (or ends, when it was
 * cancelled at period end), reported as signed webhook events through the real webhook handler.
 * The events are sent, not yet delivered, when the route answers: `POST /_local/settle` waits for them.
 */
import * as z from 'zod';
import type { SettableClock } from '../../lambdas/adapters/clock';
import { parseControlBody, type ControlRoute } from './http-server';

/** Stripe's billing clock: renews or ends every subscription whose period ended by `now`; returns how many changed. */
export interface BillingClock {
  advanceTo(now: Date): number;
}

const ClockChange = z
  .strictObject({
    advanceSeconds: z.number().finite().optional(),
    set: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((c) => (c.advanceSeconds === undefined) !== (c.set === undefined), {
    message: 'Give exactly one of advanceSeconds (number) or set (ISO date-time)',
  });

export function localClockRoutes(clock: SettableClock, billing: BillingClock): ControlRoute[] {
  return [
    {
      method: 'GET',
      path: '/_local/clock',
      handle: async () => ({ statusCode: 200, body: { now: clock.now().toISOString() } }),
    },
    {
      method: 'POST',
      path: '/_local/clock',
      handle: async (request) => {
        const change = parseControlBody(request, ClockChange);
        const now = change.set !== undefined ? clock.set(new Date(change.set)) : clock.advance(change.advanceSeconds ?? 0);
        // Renewals and period-end cancellations, each sent as Stripe would (subscription.updated + invoice.paid, or subscription.deleted).
        const subscriptionsRenewed = billing.advanceTo(now);
        return { statusCode: 200, body: { now: now.toISOString(), subscriptionsRenewed } };
      },
    },
  ];
}
