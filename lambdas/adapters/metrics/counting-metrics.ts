import type { ServiceCounter, ServiceMetrics } from '../../domain/ports';

/** In-memory counts: the local stack and the tests read them. */
export class CountingMetrics implements ServiceMetrics {
  private readonly counts = new Map<ServiceCounter, number>();

  count(counter: ServiceCounter, value = 1): void {
    this.counts.set(counter, (this.counts.get(counter) ?? 0) + value);
  }

  get(counter: ServiceCounter): number {
    return this.counts.get(counter) ?? 0;
  }
}
