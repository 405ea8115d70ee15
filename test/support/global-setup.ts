/**
 * jest globalSetup: one DynamoDB Local for the whole run (fast-start JVM flags), published through
 * environment variables that the test workers inherit. Test files create their own tables with
 * `createTestTable()` from ./dynamodb.
 *
 * Set DYNAMODB_ENDPOINT yourself to run against an engine that is already up (nothing is started then).
 */
import { startDynamoDbLocal, type DynamoDbLocal } from '../../bin/local/dynamodb-local';

declare global {
  var __DYNAMODB_LOCAL__: DynamoDbLocal | undefined;
}

export default async function globalSetup(): Promise<void> {
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  if (process.env.DYNAMODB_ENDPOINT) return;

  const engine = await startDynamoDbLocal({ fastStart: true });
  globalThis.__DYNAMODB_LOCAL__ = engine;
  process.env.DYNAMODB_ENDPOINT = engine.endpoint;
}
