/**
 * The real model providers behind the catalog: each model id goes to its provider's client, with the
 * provider's model name from the stage's configuration (PROVIDER_MODEL_NAMES) or the catalog's
 * default. Keys are read when a model is first routed (Secrets Manager, cached with a TTL by the
 * caller); a provider without a key is a fault of ours: its jobs fail, are refunded and alarmed.
 * Clients are built once per key, so a rolled key gets fresh clients and nothing else rebuilds.
 */
import type { Model, ModelProviderId } from '../../domain/catalog';
import { findModel } from '../../domain/catalog';
import type { ImageModelClient, ModelProviders, ModelRoute, VideoModelClient } from '../../domain/model-clients';
import { ModelProviderError } from '../../domain/model-clients';
import type { ProviderKeys } from '../../shared/config';
import { GeminiImageClient, VeoVideoClient } from './gemini';
import { ModelArkVideoClient } from './modelark-video';
import { OpenAiImageClient } from './openai-images';

export interface LiveModelsOptions {
  /** The providers' keys; called on every route, so it must cache (CachedValue). */
  readonly keys: () => Promise<ProviderKeys>;
  /** Model id → the provider's model name, where the stage overrides the catalog. */
  readonly providerModelNames?: Readonly<Record<string, string>>;
  /** Tests point the clients at fakes. */
  readonly baseUrls?: Partial<Readonly<Record<ModelProviderId, string>>>;
}

const KEY_OF: Readonly<Record<ModelProviderId, keyof ProviderKeys>> = { gemini: 'geminiApiKey', openai: 'openaiApiKey', modelark: 'modelarkApiKey' };

type Clients = { readonly image?: ImageModelClient; readonly video?: VideoModelClient };

export class LiveModelProviders implements ModelProviders {
  private readonly built = new Map<string, Clients>();

  constructor(private readonly options: LiveModelsOptions) {}

  async route(modelId: string): Promise<ModelRoute> {
    const model = findModel(modelId);
    const apiKey = (await this.options.keys())[KEY_OF[model.provider]];
    if (!apiKey) throw new ModelProviderError('ours', 'provider_not_configured', `No API key for ${model.provider} (${KEY_OF[model.provider]} in the providers' secret); ${model.id} cannot run.`);
    const providerModel = this.options.providerModelNames?.[model.id] ?? model.defaultProviderModel;
    const clients = this.clientsFor(model, apiKey);
    if (model.kind === 'image' && clients.image) return { kind: 'image', providerModel, client: clients.image };
    if (model.kind === 'video' && clients.video) return { kind: 'video', providerModel, client: clients.video };
    throw new ModelProviderError('ours', 'no_client', `${model.provider} has no ${model.kind} client`);
  }

  private clientsFor(model: Model, apiKey: string): Clients {
    const cacheKey = `${model.provider}|${apiKey}`;
    const known = this.built.get(cacheKey);
    if (known) return known;
    const baseUrl = this.options.baseUrls?.[model.provider];
    const options = { apiKey, ...(baseUrl ? { baseUrl } : {}) };
    const clients: Clients =
      model.provider === 'gemini'
        ? // Nano Banana makes one image per call: 4 at a time keep a 16-image job well inside the worker's lease.
          { image: new GeminiImageClient({ ...options, imageConcurrency: 4 }), video: new VeoVideoClient(options) }
        : model.provider === 'openai'
          ? { image: new OpenAiImageClient(options) }
          : { video: new ModelArkVideoClient(options) };
    // A rolled key replaces the provider's clients: drop the old ones.
    for (const key of this.built.keys()) if (key.startsWith(`${model.provider}|`)) this.built.delete(key);
    this.built.set(cacheKey, clients);
    return clients;
  }
}
