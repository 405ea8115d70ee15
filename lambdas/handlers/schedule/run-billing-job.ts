import { lambdaEntry } from '../../composition/production-deps';
import { stripePayments } from '../../composition/stripe-wiring';
import type { UseCaseDeps } from '../../use-cases/context';
import { createJobRunner } from './job-runner';
import { billingJobs } from './jobs';

/** The scheduled jobs that charge through Stripe: the auto-refill sweep and PAYG invoicing. */
export const createRunBillingJobHandler = (deps: UseCaseDeps) => createJobRunner(billingJobs(deps));

export const handler = lambdaEntry(createRunBillingJobHandler, {
  // Charges through Stripe: the auto-refill sweep and PAYG invoicing. No queue, no scan.
  access: { table: 'read-write', dueIndexes: ['refillDue', 'paygDue'], stripe: true },
  payments: stripePayments,
});
