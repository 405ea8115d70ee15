import type { JobTimings } from '../domain/job-lifecycle';
import type { PaymentGateway } from '../domain/payment-gateway';
import type { Clock, CreditStore, IdSource, JobQueue, RandomBytes, ServiceMetrics, WebhookSecrets } from '../domain/ports';
import type { ModelProviders } from '../domain/model-clients';
import type { OutputStore } from '../domain/output-store';

/** What every use case may use: the store, the clock, id sources, the job queue, the model providers and the outputs store. Built once per process. */
export interface UseCaseDeps {
  readonly store: CreditStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly randomBytes: RandomBytes;
  readonly jobQueue: JobQueue;
  readonly models: ModelProviders;
  /** Where outputs are copied and served from (the outputs bucket). */
  readonly outputs: OutputStore;
  readonly jobTimings: JobTimings;
  readonly payments: PaymentGateway;
  /** Verify provider webhooks (Stripe's endpoint secrets, re-read when a signature fails). */
  readonly webhookSecrets: WebhookSecrets;
  /** Operational counts for the alarms (provider calls and failures, refunds). */
  readonly metrics: ServiceMetrics;
  /** Local stack and tests only: enables local-only behaviour such as `params.simulate`. */
  readonly localMode: boolean;
}
