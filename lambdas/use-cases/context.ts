import type { Clock, CreditStore, IdSource, RandomBytes } from '../domain/ports';

/** What every use case may use: the store, the clock and id sources. Built once per process. */
export interface UseCaseDeps {
  readonly store: CreditStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly randomBytes: RandomBytes;
}
