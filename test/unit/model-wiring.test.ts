import { LiveModelProviders } from '../../lambdas/adapters/providers/live-models';
import { GeminiImageClient, VeoVideoClient } from '../../lambdas/adapters/providers/gemini';
import { ModelArkVideoClient } from '../../lambdas/adapters/providers/modelark-video';
import { OpenAiImageClient } from '../../lambdas/adapters/providers/openai-images';
import { SimulatedModels } from '../../lambdas/adapters/simulated/simulated-models';
import { stageModels } from '../../lambdas/composition/model-wiring';
import { findModel } from '../../lambdas/domain/catalog';
import { ModelProviderError } from '../../lambdas/domain/model-clients';
import { parseProviderKeys, readConfig } from '../../lambdas/shared/config';

const ENV = { TABLE_NAME: 'credits', JOBS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs' };

test('the deployed worker runs the simulated models only when the stage says so; unset means live', () => {
  expect(stageModels(readConfig({ ...ENV, GENERATION_PROVIDER: 'simulated' }))).toBeInstanceOf(SimulatedModels);
  expect(stageModels(readConfig({ ...ENV, GENERATION_PROVIDER: 'live' }))).toBeInstanceOf(LiveModelProviders);
  expect(stageModels(readConfig(ENV))).toBeInstanceOf(LiveModelProviders);
  expect(() => readConfig({ ...ENV, GENERATION_PROVIDER: 'fake' })).toThrow(/GENERATION_PROVIDER/);
});

test('a live stage without a key for the model\'s provider: our fault (the job fails, is refunded and alarmed), never made-up outputs', async () => {
  const models = stageModels(readConfig({ ...ENV, OPENAI_API_KEY: 'sk-test' }));
  const error = await models.route('nano-banana-2').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelProviderError);
  expect(error).toMatchObject({ fault: 'ours', code: 'provider_not_configured', message: expect.stringMatching(/geminiApiKey/) });
  expect((await models.route('gpt-image-2')).client).toBeInstanceOf(OpenAiImageClient);
});

test('each catalog model goes to its provider\'s client, with the catalog\'s model name unless the stage overrides it', async () => {
  const models = new LiveModelProviders({
    keys: async () => ({ geminiApiKey: 'g', openaiApiKey: 'o', modelarkApiKey: 'm' }),
    providerModelNames: { 'nano-banana-2': 'gemini-next-flash-image' },
  });
  const routes = await Promise.all(['nano-banana-2', 'nano-banana-pro', 'gpt-image-2', 'seedance-2.0', 'veo-3.1'].map((id) => models.route(id)));
  expect(routes.map((r) => [r.kind, r.providerModel, r.client.constructor])).toEqual([
    ['image', 'gemini-next-flash-image', GeminiImageClient],
    ['image', findModel('nano-banana-pro').defaultProviderModel, GeminiImageClient],
    ['image', findModel('gpt-image-2').defaultProviderModel, OpenAiImageClient],
    ['video', findModel('seedance-2.0').defaultProviderModel, ModelArkVideoClient],
    ['video', findModel('veo-3.1').defaultProviderModel, VeoVideoClient],
  ]);
  // No provider we sell takes an idempotency key: a call that may have run is never made again.
  expect(routes.every((r) => r.client.acceptsIdempotencyKey === false)).toBe(true);
  // Clients are built once per key; a rolled key gets new ones.
  expect((await models.route('veo-3.1')).client).toBe(routes[4]!.client);
});

test('a rolled key gets fresh clients', async () => {
  let key = 'first';
  const models = new LiveModelProviders({ keys: async () => ({ openaiApiKey: key }) });
  const before = (await models.route('gpt-image-2')).client;
  key = 'second';
  expect((await models.route('gpt-image-2')).client).not.toBe(before);
});

test('the model names setting and the providers\' secret are checked, naming the problem and never a value', () => {
  expect(readConfig({ ...ENV, PROVIDER_MODEL_NAMES: '{"veo-3.1":"veo-3.2-generate"}' }).PROVIDER_MODEL_NAMES).toEqual({ 'veo-3.1': 'veo-3.2-generate' });
  expect(() => readConfig({ ...ENV, PROVIDER_MODEL_NAMES: '{not json' })).toThrow(/PROVIDER_MODEL_NAMES: must be a JSON object/);
  expect(() => readConfig({ ...ENV, PROVIDER_MODEL_NAMES: '{"veo-3.1":""}' })).toThrow(/PROVIDER_MODEL_NAMES/);
  expect(parseProviderKeys('{"geminiApiKey":"AIza-secret"}')).toEqual({ geminiApiKey: 'AIza-secret' });
  expect(parseProviderKeys('{}')).toEqual({});
  expect(() => parseProviderKeys('{"geminiApiKey":"')).toThrow('Invalid provider secret: not a JSON object');
  expect(() => parseProviderKeys('{"openaiApiKey":""}')).toThrow(/openaiApiKey/);
});

test('the providers\' secret is read with GetSecretValue and parsed; the created placeholder means no keys yet', async () => {
  const { readProviderKeys } = await import('../../lambdas/composition/model-wiring');
  const asked: unknown[] = [];
  const client = (secretString: string | undefined) => ({
    send: async (command: { input: unknown }) => {
      asked.push(command.input);
      return { SecretString: secretString };
    },
  });
  const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:banana-flow-credits/dev/model-providers-AbCdEf';
  await expect(readProviderKeys(client('{"openaiApiKey":"sk-live","placeholderNonce":"x"}') as never, arn)).resolves.toEqual({ openaiApiKey: 'sk-live' });
  await expect(readProviderKeys(client('{"placeholderNonce":"abc"}') as never, arn)).resolves.toEqual({});
  await expect(readProviderKeys(client(undefined) as never, arn)).rejects.toThrow(/has no string value/);
  expect(asked).toEqual([{ SecretId: arn }, { SecretId: arn }, { SecretId: arn }]);
});
