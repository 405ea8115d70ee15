/**
 * jest globalSetup: one DynamoDB Local (fast-start JVM flags) and one SQS emulator (fauxqs, on a
 * worker thread of this process) for the whole run, published through environment variables that the
 * test workers inherit. Test files create their own tables with `createTestTable()` from ./dynamodb
 * and their own uniquely named queues on SQS_ENDPOINT (`makeSqsClient` from bin/local/sqs-emulator).
 *
 * Set DYNAMODB_ENDPOINT / SQS_ENDPOINT yourself to run against an engine that is already up (that one
 * is not started then).
 */
import { startDynamoDbLocal, type DynamoDbLocal } from '../../bin/local/dynamodb-local';
import { startSqsEmulator, type SqsEmulator } from '../../bin/local/sqs-emulator';
import globalTeardown from './global-teardown';

declare global {
  var __DYNAMODB_LOCAL__: DynamoDbLocal | undefined;
  var __SQS_EMULATOR__: SqsEmulator | undefined;
}

export default async function globalSetup(): Promise<void> {
  process.env.AWS_REGION = 'us-east-1';
  // Tests provoke errors on purpose; POWERTOOLS_LOG_LEVEL=DEBUG shows the service's logs again.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';

  // Both at once: the emulator starts in a few hundred ms, well inside DynamoDB Local's second.
  const [engine, sqs] = await Promise.allSettled([
    process.env.DYNAMODB_ENDPOINT ? undefined : startDynamoDbLocal({ fastStart: true }),
    process.env.SQS_ENDPOINT ? undefined : startSqsEmulator(),
  ]);
  if (engine.status === 'fulfilled' && engine.value) {
    globalThis.__DYNAMODB_LOCAL__ = engine.value;
    process.env.DYNAMODB_ENDPOINT = engine.value.endpoint;
  }
  if (sqs.status === 'fulfilled' && sqs.value) {
    globalThis.__SQS_EMULATOR__ = sqs.value;
    process.env.SQS_ENDPOINT = sqs.value.endpoint;
  }
  if (engine.status === 'rejected' || sqs.status === 'rejected') {
    // jest does not run globalTeardown when globalSetup fails: stop what did start.
    await globalTeardown();
    throw engine.status === 'rejected' ? engine.reason : (sqs as PromiseRejectedResult).reason;
  }
}
