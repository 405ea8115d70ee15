/**
 * A value read from somewhere slow or rate-limited (a secret), kept for `ttlMs` and read again after:
 * a rolled secret reaches warm containers within the TTL, or at once through `refresh`. A failed
 * re-read keeps serving the value it has (logged), so a Secrets Manager hiccup never takes a warm
 * function down; with no value yet, the failure is thrown.
 */
import { errorFacts } from './error-facts';
import { log } from './logger';

export class CachedValue<T> {
  private value: { readonly value: T; readonly readAt: number } | undefined;
  private reading: Promise<T> | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<T> {
    if (this.value && this.now() - this.value.readAt < this.ttlMs) return this.value.value;
    return this.reread();
  }

  /**
   * Reads again now, unless the value was read less than `minIntervalMs` ago (then null): a flood
   * of requests that each ask for a fresh value cannot hammer the source.
   */
  async refresh(minIntervalMs: number): Promise<T | null> {
    if (this.value && this.now() - this.value.readAt < minIntervalMs) return null;
    return this.reread();
  }

  /** The last value read, if any (synchronous callers). */
  peek(): T | undefined {
    return this.value?.value;
  }

  private reread(): Promise<T> {
    // Concurrent callers share one read.
    this.reading ??= this.read()
      .then(
        (value) => {
          this.value = { value, readAt: this.now() };
          return value;
        },
        (error: unknown) => {
          if (!this.value) throw error;
          log().warn('re-reading a cached value failed; serving the previous one', errorFacts(error));
          return this.value.value;
        },
      )
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}
