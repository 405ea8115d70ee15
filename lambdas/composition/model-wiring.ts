/**
 * The model providers and the outputs bucket, for the functions that use them (LambdaWiring.models,
 * LambdaWiring.outputs). Deployed, the providers' keys come from Secrets Manager
 * (PROVIDER_SECRET_ARN), read at the first routed job and again after a TTL; on a host without it
 * (the local stack pointed at real providers) from GEMINI_API_KEY, OPENAI_API_KEY, MODELARK_API_KEY.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LiveModelProviders } from '../adapters/providers/live-models';
import { S3OutputStore } from '../adapters/s3/output-store';
import { SimulatedModels } from '../adapters/simulated/simulated-models';
import type { ModelProviders } from '../domain/model-clients';
import type { OutputStore } from '../domain/output-store';
import { CachedValue } from '../shared/cached-value';
import type { Config, ProviderKeys } from '../shared/config';
import { parseProviderKeys } from '../shared/config';
import { traced } from '../shared/tracing';

/** How long a warm function keeps the providers' keys before reading the secret again (a rolled key reaches it within this). */
export const PROVIDER_KEYS_TTL_MS = 5 * 60_000;

export async function readProviderKeys(client: Pick<SecretsManagerClient, 'send'>, secretArn: string): Promise<ProviderKeys> {
  const answer = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (answer.SecretString === undefined) throw new Error(`Provider secret ${secretArn} has no string value`);
  return parseProviderKeys(answer.SecretString);
}

const keysByConfig = new WeakMap<Config, CachedValue<ProviderKeys>>();

/** The providers' keys, one cache per process (the models and the outputs store share it). */
function providerKeys(config: Config): CachedValue<ProviderKeys> {
  const known = keysByConfig.get(config);
  if (known) return known;
  const arn = config.PROVIDER_SECRET_ARN;
  const client = arn ? traced(new SecretsManagerClient({ region: config.AWS_REGION })) : null;
  const fromEnv: ProviderKeys = {
    ...(config.GEMINI_API_KEY ? { geminiApiKey: config.GEMINI_API_KEY } : {}),
    ...(config.OPENAI_API_KEY ? { openaiApiKey: config.OPENAI_API_KEY } : {}),
    ...(config.MODELARK_API_KEY ? { modelarkApiKey: config.MODELARK_API_KEY } : {}),
  };
  const keys = new CachedValue(() => (arn && client ? readProviderKeys(client, arn) : Promise.resolve(fromEnv)), PROVIDER_KEYS_TTL_MS);
  keysByConfig.set(config, keys);
  return keys;
}

/** The stage config allows the simulated models on dev only (the CDK app refuses it elsewhere). */
export function stageModels(config: Config): ModelProviders {
  if (config.GENERATION_PROVIDER === 'simulated') return new SimulatedModels();
  const keys = providerKeys(config);
  return new LiveModelProviders({ keys: () => keys.get(), providerModelNames: config.PROVIDER_MODEL_NAMES });
}

/** The outputs bucket; Veo's file links need the Gemini key, sent only to Google's API host. */
export function s3Outputs(config: Config): OutputStore {
  if (!config.OUTPUTS_BUCKET) throw new Error('Invalid configuration: this function stores or serves outputs: set OUTPUTS_BUCKET');
  const client = traced(new S3Client({ region: config.AWS_REGION, ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT, forcePathStyle: true } : {}) }));
  return new S3OutputStore({
    client,
    bucket: config.OUTPUTS_BUCKET,
    headersFor: (url) => {
      // Read by the models' route for this job already (the same cache); a function without provider access has none.
      const key = config.PROVIDER_SECRET_ARN || config.GEMINI_API_KEY ? providerKeys(config).peek()?.geminiApiKey : undefined;
      return key && url.protocol === 'https:' && url.hostname === 'generativelanguage.googleapis.com' ? { 'x-goog-api-key': key } : undefined;
    },
  });
}
