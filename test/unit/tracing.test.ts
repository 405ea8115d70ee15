import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { traced } from '../../lambdas/shared/tracing';

const middlewareNames = (client: DynamoDBClient) => client.middlewareStack.identify().join(' ');

test('outside Lambda the client is left as it is; in Lambda its calls are captured as X-Ray subsegments', async () => {
  const local = new DynamoDBClient({ region: 'us-east-1' });
  const before = middlewareNames(local);
  expect(traced(local)).toBe(local);
  expect(middlewareNames(local)).toBe(before);

  jest.resetModules();
  const saved = process.env.AWS_EXECUTION_ENV;
  process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';
  try {
    const { traced: tracedInLambda } = (await import('../../lambdas/shared/tracing')) as { traced: typeof traced };
    const inLambda = new DynamoDBClient({ region: 'us-east-1' });
    tracedInLambda(inLambda);
    expect(middlewareNames(inLambda)).not.toBe(before);
    expect(middlewareNames(inLambda)).toMatch(/XRaySDKInstrumentation/i);
  } finally {
    if (saved === undefined) delete process.env.AWS_EXECUTION_ENV;
    else process.env.AWS_EXECUTION_ENV = saved;
  }
});
