/** jest globalTeardown: stops the DynamoDB Local that globalSetup started (if it started one). */
export default async function globalTeardown(): Promise<void> {
  const engine = globalThis.__DYNAMODB_LOCAL__;
  if (!engine) return;
  globalThis.__DYNAMODB_LOCAL__ = undefined;
  // Forget the endpoint too, so a watch-mode rerun starts a new engine instead of reusing a dead one.
  if (process.env.DYNAMODB_ENDPOINT === engine.endpoint) delete process.env.DYNAMODB_ENDPOINT;
  await engine.stop();
}
