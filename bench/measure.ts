/** Small measuring tools: fixed-duration throughput at a concurrency, and latency percentiles. */
export interface Throughput {
  readonly concurrency: number;
  readonly ops: number;
  readonly errors: number;
  readonly seconds: number;
  readonly perSecond: number;
}

/** Runs `op` from `concurrency` workers for `seconds`; each worker passes its index and iteration. */
export async function throughput(concurrency: number, seconds: number, op: (worker: number, i: number) => Promise<boolean>): Promise<Throughput> {
  const deadline = performance.now() + seconds * 1000;
  let ops = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i += 1) {
        if (await op(worker, i).catch(() => false)) ops += 1;
        else errors += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { concurrency, ops, errors, seconds: round(elapsed), perSecond: round(ops / elapsed) };
}

export function percentiles(samplesMs: number[]): { p50: number; p95: number; p99: number; n: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), n: sorted.length };
}

export async function timeEach(n: number, op: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const start = performance.now();
    await op(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
