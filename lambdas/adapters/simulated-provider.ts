/**
 * A stand-in for the model providers: answers after a realistic latency with made-up output URLs.
 * In local mode `params.simulate` steers it: "fail" (the model refuses), "timeout" (never answers),
 * "crash" (the worker dies on every attempt). The API refuses `params.simulate` outside local mode.
 */
import { findModel } from '../domain/catalog';
import type { GenerationJob } from '../domain/generation';
import type { GenerationProvider } from '../domain/ports';
import { ProviderFailure } from '../domain/ports';

export interface SimulatedLatency {
  readonly imageMs: readonly [min: number, max: number];
  readonly videoMs: readonly [min: number, max: number];
}

export const REALISTIC_LATENCY: SimulatedLatency = { imageMs: [800, 2500], videoMs: [3000, 8000] };
export const TEST_LATENCY: SimulatedLatency = { imageMs: [5, 20], videoMs: [10, 40] };

export const SIMULATIONS = ['fail', 'timeout', 'crash'] as const;

export class SimulatedProvider implements GenerationProvider {
  constructor(private readonly latency: SimulatedLatency = REALISTIC_LATENCY) {}

  async generate(job: GenerationJob): Promise<{ outputs: string[] }> {
    const model = findModel(job.model);
    const [min, max] = model.kind === 'video' ? this.latency.videoMs : this.latency.imageMs;
    const simulate = job.params.simulate;
    if (simulate === 'timeout') return new Promise(() => {});
    await new Promise((resolve) => setTimeout(resolve, min + Math.random() * (max - min)));
    if (simulate === 'fail') throw new ProviderFailure('model_error', `${model.name} could not generate this request.`);
    if (simulate === 'crash') throw new Error('simulated worker crash');
    return { outputs: Array.from({ length: job.count }, (_, i) => `https://outputs.local/${job.id}/${i}.${model.kind === 'video' ? 'mp4' : 'png'}`) };
  }
}
