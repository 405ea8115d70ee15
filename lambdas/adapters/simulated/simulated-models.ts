/**
 * A stand-in for the model providers, through the same contract as the real ones: images answer
 * after a realistic latency with real PNGs; videos are submitted and polled like Veo's operations
 * and finish with a real (tiny) WebM. It honours idempotency keys, so a lost answer is resubmitted.
 * The operation id carries its own timing, so a poll on another Lambda instance knows the answer.
 * In local mode `params.simulate` steers it: "fail" (the model refuses), "timeout" (never answers;
 * a video never finishes), "crash" (the worker dies on every attempt). The API refuses
 * `params.simulate` outside local mode.
 */
import { createHash } from 'node:crypto';
import { findModel } from '../../domain/catalog';
import type { ImageModelClient, ImageRequest, ModelProviders, ModelRoute, ProviderOutput, VideoModelClient, VideoOperationState, VideoRequest } from '../../domain/model-clients';
import { ModelProviderError } from '../../domain/model-clients';
import { SAMPLE_VIDEO_BASE64, SAMPLE_VIDEO_CONTENT_TYPE } from './sample-video';
import { solidPng } from './solid-png';

export interface SimulatedLatency {
  readonly imageMs: readonly [min: number, max: number];
  /** How long a simulated video operation runs, measured on the clock given. */
  readonly videoMs: readonly [min: number, max: number];
}

export const REALISTIC_LATENCY: SimulatedLatency = { imageMs: [800, 2500], videoMs: [3000, 8000] };
export const TEST_LATENCY: SimulatedLatency = { imageMs: [5, 20], videoMs: [10, 40] };

export const SIMULATIONS = ['fail', 'timeout', 'crash'] as const;

export interface SimulatedModelsOptions {
  readonly latency?: SimulatedLatency;
  /** The clock video operations are timed on (the service's; tests move it). @default the system clock */
  readonly now?: () => Date;
}

const between = ([min, max]: readonly [number, number]) => min + Math.random() * (max - min);

/** A colour from the prompt, so different prompts give visibly different images. */
function colourOf(prompt: string, index: number): [number, number, number] {
  const digest = createHash('sha256').update(`${prompt}#${index}`).digest();
  return [digest[0]!, digest[1]!, digest[2]!];
}

const refusal = (name: string) => new ModelProviderError('user', 'refused', `${name} could not generate this request.`);

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => clearTimeout(timer), { once: true });
  });

class SimulatedImages implements ImageModelClient {
  readonly acceptsIdempotencyKey = true;
  constructor(private readonly latency: SimulatedLatency) {}

  async generateImages(request: ImageRequest, signal?: AbortSignal): Promise<readonly ProviderOutput[]> {
    if (request.simulate === 'timeout') return new Promise(() => {});
    await sleep(between(this.latency.imageMs), signal);
    if (request.simulate === 'fail') throw refusal(request.providerModel);
    if (request.simulate === 'crash') throw new Error('simulated worker crash');
    return Array.from({ length: request.count }, (_, i) => ({ kind: 'inline' as const, contentType: 'image/png', base64: solidPng(64, 64, colourOf(request.prompt, i)).toString('base64') }));
  }
}

interface SimulatedOperation {
  /** Submitted at, ms on the clock. */
  readonly t: number;
  /** Runs this long, ms. */
  readonly d: number;
  readonly s?: string;
}

const encodeOperation = (op: SimulatedOperation) => `sim-${Buffer.from(JSON.stringify(op)).toString('base64url')}`;

function decodeOperation(id: string): SimulatedOperation {
  try {
    const op = JSON.parse(Buffer.from(id.replace(/^sim-/, ''), 'base64url').toString('utf8')) as SimulatedOperation;
    if (typeof op.t === 'number' && typeof op.d === 'number') return op;
  } catch {
    // reported below
  }
  throw new ModelProviderError('ours', 'unknown_operation', `not a simulated operation: ${id}`);
}

class SimulatedVideos implements VideoModelClient {
  readonly acceptsIdempotencyKey = true;
  private readonly byKey = new Map<string, string>();
  private readonly cancelled = new Set<string>();

  constructor(
    private readonly latency: SimulatedLatency,
    private readonly now: () => Date,
  ) {}

  async submit(request: VideoRequest, idempotencyKey: string): Promise<{ readonly operationId: string }> {
    if (request.simulate === 'crash') throw new Error('simulated worker crash');
    const known = this.byKey.get(idempotencyKey);
    if (known) return { operationId: known };
    const operationId = encodeOperation({ t: this.now().getTime(), d: Math.round(between(this.latency.videoMs)), ...(request.simulate ? { s: request.simulate } : {}) });
    this.byKey.set(idempotencyKey, operationId);
    return { operationId };
  }

  async poll(operationId: string): Promise<VideoOperationState> {
    const op = decodeOperation(operationId);
    if (this.cancelled.has(operationId)) return { state: 'failed', error: new ModelProviderError('ours', 'task_cancelled', 'The operation was cancelled.') };
    if (op.s === 'timeout' || this.now().getTime() < op.t + op.d) return { state: 'running' };
    if (op.s === 'fail') return { state: 'failed', error: refusal('The video model') };
    return { state: 'succeeded', outputs: [{ kind: 'inline', contentType: SAMPLE_VIDEO_CONTENT_TYPE, base64: SAMPLE_VIDEO_BASE64 }] };
  }

  async cancel(operationId: string): Promise<boolean> {
    const op = decodeOperation(operationId);
    if (op.s !== 'timeout' && this.now().getTime() >= op.t + op.d) return false;
    this.cancelled.add(operationId);
    return true;
  }
}

export class SimulatedModels implements ModelProviders {
  private readonly images: SimulatedImages;
  private readonly videos: SimulatedVideos;

  constructor(options: SimulatedModelsOptions = {}) {
    const latency = options.latency ?? REALISTIC_LATENCY;
    this.images = new SimulatedImages(latency);
    this.videos = new SimulatedVideos(latency, options.now ?? (() => new Date()));
  }

  async route(modelId: string): Promise<ModelRoute> {
    const model = findModel(modelId);
    const providerModel = `simulated-${model.id}`;
    return model.kind === 'video' ? { kind: 'video', providerModel, client: this.videos } : { kind: 'image', providerModel, client: this.images };
  }
}
