import { SimulatedProvider } from '../../lambdas/adapters/simulated-provider';
import { UnconfiguredProvider } from '../../lambdas/adapters/unconfigured-provider';
import type { GenerationJob } from '../../lambdas/domain/generation';
import { ProviderFailure } from '../../lambdas/domain/ports';
import { workerProvider } from '../../lambdas/handlers/queue/run-generations';
import { readConfig } from '../../lambdas/shared/config';

const ENV = { TABLE_NAME: 'credits', JOBS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs' };

test('the deployed worker runs the simulated model only when the stage says so; unset means live', () => {
  expect(workerProvider(readConfig({ ...ENV, GENERATION_PROVIDER: 'simulated' }))).toBeInstanceOf(SimulatedProvider);
  expect(workerProvider(readConfig({ ...ENV, GENERATION_PROVIDER: 'live' }))).toBeInstanceOf(UnconfiguredProvider);
  expect(workerProvider(readConfig(ENV))).toBeInstanceOf(UnconfiguredProvider);
  expect(() => readConfig({ ...ENV, GENERATION_PROVIDER: 'fake' })).toThrow(/GENERATION_PROVIDER/);
});

test('with no live provider wired, a job fails at once as a model error (refunded, counted), never with made-up outputs', async () => {
  const failure = await new UnconfiguredProvider().generate({} as GenerationJob).catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(ProviderFailure);
  expect(failure).toMatchObject({ code: 'model_error', message: expect.stringMatching(/No model provider/) });
});
