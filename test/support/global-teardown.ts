/** jest globalTeardown: stops the DynamoDB Local and the SQS emulator that globalSetup started (if it started them). */
export default async function globalTeardown(): Promise<void> {
  const engine = globalThis.__DYNAMODB_LOCAL__;
  const sqs = globalThis.__SQS_EMULATOR__;
  globalThis.__DYNAMODB_LOCAL__ = undefined;
  globalThis.__SQS_EMULATOR__ = undefined;
  // Forget the endpoints too, so a watch-mode rerun starts new engines instead of reusing dead ones.
  if (engine && process.env.DYNAMODB_ENDPOINT === engine.endpoint) delete process.env.DYNAMODB_ENDPOINT;
  if (sqs && process.env.SQS_ENDPOINT === sqs.endpoint) delete process.env.SQS_ENDPOINT;
  await Promise.all([engine?.stop(), sqs?.stop()]);
}
