import type { GenerationJob } from '../domain/generation';
import type { GenerationProvider } from '../domain/ports';
import { ProviderFailure } from '../domain/ports';

/**
 * The provider of a stage set to `live` before any real model provider is wired: every job fails at
 * once as a model error (refunded, counted as a provider failure, so the failure-rate alarm pages)
 * instead of crashing through its deliveries or selling made-up results.
 */
export class UnconfiguredProvider implements GenerationProvider {
  generate(_job: GenerationJob): Promise<{ outputs: string[] }> {
    return Promise.reject(new ProviderFailure('model_error', 'No model provider is configured for this stage.'));
  }
}
