/**
 * Model providers for tests: the simulated ones (on the test clock) behind a wrapper that counts
 * each call, can crash the first N image calls or submits, can fail calls with a scripted provider
 * error, and can claim not to take idempotency keys (as every real provider we sell).
 */
import type { SettableClock } from '../../lambdas/adapters/clock';
import type { SimulatedLatency } from '../../lambdas/adapters/simulated/simulated-models';
import { SimulatedModels, TEST_LATENCY } from '../../lambdas/adapters/simulated/simulated-models';
import type { ImageModelClient, ImageRequest, ModelProviders, ModelRoute, VideoModelClient, VideoOperationState, VideoRequest } from '../../lambdas/domain/model-clients';
import type { ModelProviderError } from '../../lambdas/domain/model-clients';

export type ScriptedCall = 'image' | 'submit' | 'poll' | 'cancel';

export interface CountingModelsOptions {
  readonly latency?: SimulatedLatency;
  /** The first N image calls and submits throw before reaching the provider (the worker dies mid-call). */
  readonly crashFirst?: number;
  /** The first N submits reach the provider (and start an operation), then the worker dies before the answer is recorded. */
  readonly crashAfterSubmitFirst?: number;
  /** @default true, as the simulated provider */
  readonly acceptsIdempotencyKey?: boolean;
  /** Awaited inside each submit (with its 1-based number), before the provider answers (a test holds a submit in flight). */
  readonly submitGate?: (n: number) => Promise<void>;
  /** Awaited inside each poll, before the provider answers (a test holds a poll in flight). */
  readonly pollGate?: () => Promise<void>;
  /** Rewrites a poll's answer (e.g. a finished video's output as a link to copy). */
  readonly pollAnswer?: (state: VideoOperationState) => VideoOperationState;
  /** Called before each call (with its 1-based number of that kind): a provider error to throw instead, or undefined. */
  readonly failWith?: (call: ScriptedCall, n: number) => ModelProviderError | undefined;
}

export class CountingModels implements ModelProviders {
  readonly calls: Record<ScriptedCall, number> = { image: 0, submit: 0, poll: 0, cancel: 0 };
  /** The idempotency key of each submit the provider accepted. */
  readonly submitKeys: string[] = [];
  /** Every image request and video submit, as the worker made it. */
  readonly requests: Array<ImageRequest | VideoRequest> = [];
  private readonly inner: SimulatedModels;

  constructor(
    clock: SettableClock,
    private readonly options: CountingModelsOptions = {},
  ) {
    this.inner = new SimulatedModels({ latency: options.latency ?? TEST_LATENCY, now: () => clock.now() });
  }

  private before(call: ScriptedCall): void {
    this.calls[call] += 1;
    const n = this.calls[call];
    if ((call === 'image' || call === 'submit') && n <= (this.options.crashFirst ?? 0)) throw new Error('worker crashed mid-call');
    const error = this.options.failWith?.(call, n);
    if (error) throw error;
  }

  async route(modelId: string): Promise<ModelRoute> {
    const route = await this.inner.route(modelId);
    const acceptsIdempotencyKey = this.options.acceptsIdempotencyKey ?? true;
    if (route.kind === 'image') {
      const inner = route.client;
      const client: ImageModelClient = {
        acceptsIdempotencyKey,
        generateImages: async (request, signal, key) => {
          this.requests.push(request);
          this.before('image');
          return inner.generateImages(request, signal, key);
        },
      };
      return { ...route, client };
    }
    const inner = route.client;
    const client: VideoModelClient = {
      acceptsIdempotencyKey,
      submit: async (request, key, signal) => {
        this.requests.push(request);
        this.before('submit');
        await this.options.submitGate?.(this.calls.submit);
        const answer = await inner.submit(request, key, signal);
        this.submitKeys.push(key);
        if (this.calls.submit <= (this.options.crashAfterSubmitFirst ?? 0)) throw new Error('worker died after the provider accepted the submit');
        return answer;
      },
      poll: async (id, signal) => {
        this.before('poll');
        await this.options.pollGate?.();
        const state = await inner.poll(id, signal);
        return this.options.pollAnswer ? this.options.pollAnswer(state) : state;
      },
      cancel: async (id, signal) => {
        this.before('cancel');
        return inner.cancel(id, signal);
      },
    };
    return { ...route, client };
  }
}
