/**
 * The Lambda `Context` the local gateway and the SQS pollers hand to handlers: what the Lambda
 * runtime passes, for code that reads it (Powertools' logger, remaining time). The callback-style
 * methods throw: our handlers are async and must return or throw.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export interface LocalInvocation {
  readonly functionName: string;
  readonly region: string;
  readonly accountId: string;
  /** Epoch ms when the invocation would time out. */
  readonly deadlineMs: number;
  /** @default a random UUID */
  readonly requestId?: string;
  /** Who invokes: named in the error of an unsupported method. */
  readonly invoker: string;
}

export function localLambdaContext(invocation: LocalInvocation): Context {
  const { functionName, region, accountId, deadlineMs, invoker } = invocation;
  const requestId = invocation.requestId ?? randomUUID();
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is not supported by the ${invoker}: return a result from (or throw in) the async handler`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}
