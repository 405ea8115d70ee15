/**
 * The simulation's model providers (lambdas/domain/model-clients.ts's ModelProviders), steered by
 * the job's prompt, which the action stream wrote: `sim g<tag> <behaviour> p<polls>`. The API's
 * params are a strict schema, so the tag and the plan travel in the prompt text.
 *
 * Per seed (its own stream, `providers`): which models' clients take idempotency keys (at least one
 * image model and one video model each way) and which video providers can stop an operation.
 *
 * Behaviours (a call's number counts the provider calls of that kind for the tag):
 * - images: `normal`; `fail` (the provider refuses: user fault); `ours` (authentication: ours);
 *   `busy-2` / `busy-always` (429 on the first two calls / on every call: did not run);
 *   `crash-once` / `crash-twice` / `crash-always` (the call runs, is billed, and the worker dies
 *   before the answer: a plain Error thrown out of the worker); `lost-answer` (the first call runs,
 *   is billed, and answers a transient `timeout`: may have run); `hang` (never answers: the worker's
 *   step signal fires, a `timeout`; billed, as a real provider would once it got the request);
 * - videos, at submit: `fail`, `ours`, `busy-2`, `crash-once`, `crash-always`, `lost-answer` as
 *   above (a submit that ran starts, and bills, an operation); a submit with a key the client
 *   already saw (a keyed client) answers the same operation, unbilled (and an image call with a
 *   key seen, the same images); the worker's crashes count every call, repeats included;
 * - videos, at poll: `normal` (succeeds at poll `p`), `flaky` (odd polls answer a transient 503
 *   before success at poll `p`), `refuse` (fails at poll `p` with a user fault), `never` (runs for
 *   ever: only a cancel or the job's deadline ends it; each poll takes a few ms, so the spinning job
 *   does not flood the queue), `finishing` (runs like `never` until someone asks the provider to
 *   cancel it: it has just completed, cannot be cancelled, and polls as succeeded from then on: the
 *   cancel must answer 409 generation_finished and the job end succeeded, unrefunded).
 * A cancelled operation polls as failed (`ours`, task_cancelled), as the simulated provider does.
 *
 * What the provider saw is the other side of the ledger: `billed(tag)` (calls that ran: image calls,
 * submits that started an operation) must be at most 1 per job (issue 14: we are never billed twice
 * for one job), and an operation it completed is what a cancel's 409 generation_finished may rest on.
 */
import { solidPng } from '../../lambdas/adapters/simulated/solid-png';
import { SAMPLE_VIDEO_BASE64, SAMPLE_VIDEO_CONTENT_TYPE } from '../../lambdas/adapters/simulated/sample-video';
import type { ImageModelClient, ImageRequest, ModelProviders, ModelRoute, ProviderOutput, VideoModelClient, VideoOperationState, VideoRequest } from '../../lambdas/domain/model-clients';
import { ModelProviderError } from '../../lambdas/domain/model-clients';
import { Rng } from './prng';

export const IMAGE_MODELS = ['nano-banana-2', 'nano-banana-pro', 'gpt-image-2'] as const;
export const VIDEO_MODELS = ['seedance-2.0', 'veo-3.1'] as const;

export const IMAGE_BEHAVIOURS = ['normal', 'fail', 'ours', 'busy-2', 'busy-always', 'crash-once', 'crash-twice', 'crash-always', 'lost-answer', 'hang'] as const;
export const VIDEO_BEHAVIOURS = ['normal', 'flaky', 'refuse', 'never', 'finishing', 'fail', 'ours', 'busy-2', 'crash-once', 'crash-always', 'lost-answer'] as const;
export type Behaviour = (typeof IMAGE_BEHAVIOURS)[number] | (typeof VIDEO_BEHAVIOURS)[number];

export interface JobPlan {
  readonly tag: number;
  readonly behaviour: Behaviour;
  /** Videos: the poll at which the operation ends. */
  readonly polls: number;
}

export const promptOf = (plan: JobPlan) => `sim g${plan.tag} ${plan.behaviour} p${plan.polls}`;

export function planOf(prompt: unknown): JobPlan | null {
  const match = typeof prompt === 'string' ? /^sim g(\d+) (\S+) p(\d+)$/.exec(prompt) : null;
  if (!match) return null;
  return { tag: Number(match[1]), behaviour: match[2] as Behaviour, polls: Number(match[3]) };
}

/** The tag of a job from its params (`?` when the prompt is not the simulation's). */
export const tagOfParams = (params: { prompt?: unknown }) => planOf(params.prompt)?.tag ?? '?';

/** A generation's behaviour, as the generic generate action draws it (`neverWeight`: 0 while one that never finishes is pending). */
export function drawBehaviour(rng: Rng, video: boolean, neverWeight: number): Behaviour {
  return video
    ? rng.weighted<Behaviour>([
        ['normal', 55],
        ['flaky', 8],
        ['refuse', 7],
        ['never', neverWeight],
        ['fail', 5],
        ['ours', 1],
        ['busy-2', 5],
        ['crash-once', 8],
        ['crash-always', 2],
        ['lost-answer', 5],
      ])
    : rng.weighted<Behaviour>([
        ['normal', 62],
        ['fail', 8],
        ['ours', 1],
        ['busy-2', 5],
        ['busy-always', 2],
        ['crash-once', 7],
        ['crash-twice', 4],
        ['crash-always', 2],
        ['lost-answer', 5],
        ['hang', 2],
      ]);
}

/** Behaviours whose operation runs until a cancel or the job's deadline ends it. */
export const RUNS_UNTIL_STOPPED: readonly string[] = ['never', 'finishing'];

/** Whether a job of this model and behaviour can only end without outputs, whatever the faults. */
export function mustFail(modelId: string, behaviour: Behaviour, keyed: boolean): boolean {
  if (['fail', 'ours', 'busy-always', 'crash-always', 'refuse', 'never', 'hang'].includes(behaviour)) return true;
  // Without a key, a call that may have run is never repeated: the job fails and is refunded.
  return !keyed && (behaviour === 'crash-once' || behaviour === 'crash-twice' || behaviour === 'lost-answer');
}

interface Operation {
  readonly id: string;
  readonly tag: number;
  readonly plan: JobPlan;
  polls: number;
  cancelled: boolean;
  completed: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const refused = () => new ModelProviderError('user', 'refused', 'The simulated model refused this request.');
const ours = () => new ModelProviderError('ours', 'unauthorized', 'The simulated provider refused our key.');
const busy = () => new ModelProviderError('transient', 'rate_limited', 'The simulated provider is busy.');
const lostAnswer = () => new ModelProviderError('transient', 'timeout', 'The simulated provider did not answer.');

export interface ProviderHooks {
  /** A worker crash was injected into the current operation (world.ts counts it as a fault). */
  crashed(): void;
}

export class SimProviders implements ModelProviders {
  /** Model ids whose client takes idempotency keys. */
  readonly keyed: ReadonlySet<string>;
  /** Video model ids whose provider can stop an operation. */
  readonly cancellable: ReadonlySet<string>;
  /** Per tag: the provider calls that ran (billed), with the key each carried. */
  private readonly runs = new Map<number, Array<{ kind: 'image' | 'submit'; key: string | undefined }>>();
  /** Per tag and kind: calls made (billed or not). */
  private readonly calls = new Map<string, number>();
  private readonly imageAnswers = new Map<string, readonly ProviderOutput[]>();
  private readonly opsByKey = new Map<string, string>();
  private readonly ops = new Map<string, Operation>();
  private opSeq = 0;
  readonly stats = { imageCalls: 0, submits: 0, polls: 0, cancels: 0, cancelled: 0, replayedKeys: 0 };

  constructor(
    seed: number,
    private readonly hooks: ProviderHooks,
  ) {
    const rng = Rng.derive(seed, 'providers');
    const images = rng.shuffle(IMAGE_MODELS);
    const videos = rng.shuffle(VIDEO_MODELS);
    this.keyed = new Set([...images.slice(0, rng.int(1, 2)), videos[0]!]);
    this.cancellable = new Set(videos.filter(() => rng.chance(0.6)));
  }

  describe(): string {
    return `keys: ${[...this.keyed].sort().join(', ')}; cancel: ${[...this.cancellable].sort().join(', ') || 'none'}`;
  }

  /** Calls that ran at the provider (and were billed) for the job of `tag`. */
  billed(tag: number): ReadonlyArray<{ kind: 'image' | 'submit'; key: string | undefined }> {
    return this.runs.get(tag) ?? [];
  }

  /** Whether the provider completed the job's operation (a video's poll answered, or would answer, succeeded). */
  completedOperation(operationId: string): boolean {
    return this.ops.get(operationId)?.completed ?? false;
  }

  private count(tag: number, kind: string): number {
    const key = `${tag}:${kind}`;
    const n = (this.calls.get(key) ?? 0) + 1;
    this.calls.set(key, n);
    return n;
  }

  private bill(tag: number, kind: 'image' | 'submit', key: string | undefined): void {
    this.runs.set(tag, [...(this.runs.get(tag) ?? []), { kind, key }]);
  }

  private crash(): never {
    this.hooks.crashed();
    throw new Error('simulated worker crash (after the provider ran the call)');
  }

  async route(modelId: string): Promise<ModelRoute> {
    const keyed = this.keyed.has(modelId);
    const providerModel = `sim-${modelId}`;
    if ((VIDEO_MODELS as readonly string[]).includes(modelId)) {
      const client: VideoModelClient = {
        acceptsIdempotencyKey: keyed,
        submit: (request, key) => this.submit(modelId, keyed, request, key),
        poll: (id) => this.poll(id),
        cancel: async (id) => this.cancel(modelId, id),
      };
      return { kind: 'video', providerModel, client };
    }
    const client: ImageModelClient = { acceptsIdempotencyKey: keyed, generateImages: (request, signal, key) => this.generate(keyed, request, signal, key) };
    return { kind: 'image', providerModel, client };
  }

  private async generate(keyed: boolean, request: ImageRequest, signal?: AbortSignal, key?: string): Promise<readonly ProviderOutput[]> {
    this.stats.imageCalls += 1;
    const plan = planOf(request.prompt);
    if (!plan) throw new ModelProviderError('user', 'refused', `not a simulation prompt: ${request.prompt}`);
    await sleep(2);
    const n = this.count(plan.tag, 'image');
    const b = plan.behaviour;
    // A keyed repeat of a call that ran is answered from the first run, unbilled; the worker may still die after it.
    let outputs = keyed && key !== undefined ? this.imageAnswers.get(key) : undefined;
    if (outputs) this.stats.replayedKeys += 1;
    else {
      if (b === 'fail') throw refused();
      if (b === 'ours') throw ours();
      if (b === 'busy-always' || (b === 'busy-2' && n <= 2)) throw busy();
      outputs = Array.from({ length: request.count }, (_, i) => ({ kind: 'inline' as const, contentType: 'image/png', base64: solidPng(4, 4, [plan.tag % 256, i * 40, n * 30]).toString('base64') }));
      // From here the provider ran the request: billed.
      this.bill(plan.tag, 'image', key);
      if (keyed && key !== undefined) this.imageAnswers.set(key, outputs);
    }
    if (b === 'crash-always' || (b === 'crash-once' && n <= 1) || (b === 'crash-twice' && n <= 2)) this.crash();
    if (b === 'lost-answer' && n <= 1) throw lostAnswer();
    if (b === 'hang') {
      // Never answers: the worker's step signal gives up on it.
      return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(lostAnswer()), { once: true }));
    }
    return outputs;
  }

  private async submit(modelId: string, keyed: boolean, request: VideoRequest, key: string): Promise<{ readonly operationId: string }> {
    this.stats.submits += 1;
    const plan = planOf(request.prompt);
    if (!plan) throw new ModelProviderError('user', 'refused', `not a simulation prompt: ${request.prompt}`);
    await sleep(1);
    const n = this.count(plan.tag, 'submit');
    const b = plan.behaviour;
    // A keyed submit with a key seen before answers the same operation, unbilled; the worker may still die after it.
    let id = keyed ? this.opsByKey.get(key) : undefined;
    if (id) this.stats.replayedKeys += 1;
    else {
      if (b === 'fail') throw refused();
      if (b === 'ours') throw ours();
      if (b === 'busy-2' && n <= 2) throw busy();
      id = `op-${modelId}-g${plan.tag}-${(this.opSeq += 1)}`;
      this.ops.set(id, { id, tag: plan.tag, plan, polls: 0, cancelled: false, completed: false });
      if (keyed) this.opsByKey.set(key, id);
      this.bill(plan.tag, 'submit', key);
    }
    if (b === 'crash-always' || (b === 'crash-once' && n <= 1)) this.crash();
    if (b === 'lost-answer' && n <= 1) throw lostAnswer();
    return { operationId: id };
  }

  private async poll(operationId: string): Promise<VideoOperationState> {
    this.stats.polls += 1;
    const op = this.ops.get(operationId);
    if (!op) throw new ModelProviderError('ours', 'unknown_operation', `no operation ${operationId}`);
    if (op.cancelled) return { state: 'failed', error: new ModelProviderError('ours', 'task_cancelled', 'The operation was cancelled.') };
    if (op.completed) return { state: 'succeeded', outputs: [{ kind: 'inline', contentType: SAMPLE_VIDEO_CONTENT_TYPE, base64: SAMPLE_VIDEO_BASE64 }] };
    op.polls += 1;
    const b = op.plan.behaviour;
    if (b === 'never' || b === 'finishing') {
      await sleep(15);
      return { state: 'running' };
    }
    if (b === 'flaky' && op.polls % 2 === 1 && op.polls < op.plan.polls) throw new ModelProviderError('transient', 'unavailable', 'The simulated provider answered 503.');
    if (op.polls < op.plan.polls) return { state: 'running' };
    if (b === 'refuse') return { state: 'failed', error: refused() };
    op.completed = true;
    return { state: 'succeeded', outputs: [{ kind: 'inline', contentType: SAMPLE_VIDEO_CONTENT_TYPE, base64: SAMPLE_VIDEO_BASE64 }] };
  }

  private cancel(modelId: string, operationId: string): boolean {
    this.stats.cancels += 1;
    const op = this.ops.get(operationId);
    if (op && op.plan.behaviour === 'finishing' && !op.cancelled) op.completed = true;
    if (!op || !this.cancellable.has(modelId) || op.completed) return false;
    if (!op.cancelled) this.stats.cancelled += 1;
    op.cancelled = true;
    return true;
  }
}
