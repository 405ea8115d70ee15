/** What the money rules need from the outside world, declared here and implemented by adapters. */
export interface Clock {
  now(): Date;
}

export interface IdSource {
  /** A new, time-ordered, unique id with the given prefix (e.g. `gen_…`). */
  next(prefix: string): string;
}

/** Cryptographically secure random bytes. */
export type RandomBytes = (length: number) => Uint8Array;

export type { CreditStore, AccountCommit, CommitOutcome, LedgerEntry, LedgerPage, RedemptionContext } from './credit-store';
