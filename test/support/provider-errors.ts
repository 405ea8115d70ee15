/** The ModelProviderError a call rejects with; fails the test when it resolves or rejects with anything else. */
import { ModelProviderError } from '../../lambdas/domain/model-clients';

export async function providerFailure(promise: Promise<unknown>): Promise<ModelProviderError> {
  const outcome = await promise.then(
    () => ({ resolved: true as const }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved) throw new Error('expected the call to fail with a ModelProviderError');
  expect(outcome.error).toBeInstanceOf(ModelProviderError);
  return outcome.error as ModelProviderError;
}
