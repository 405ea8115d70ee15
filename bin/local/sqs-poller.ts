/**
 * A local stand-in for Lambda's SQS event source mapping (with ReportBatchItemFailures on):
 * long-polls a queue, hands each batch to the handler as a real `SQSEvent` with a fake `Context`,
 * then deletes what succeeded:
 * - the handler resolves with nothing (or no/empty `batchItemFailures`): every message is deleted;
 * - it resolves with `batchItemFailures`: every message except those is deleted; an entry whose
 *   `itemIdentifier` is empty or not a message of the batch fails the whole batch (as in Lambda);
 * - it throws (or returns something that is not a batch response): nothing is deleted.
 * Messages that are not deleted come back after the queue's visibility timeout, and the queue's
 * RedrivePolicy (applied by the emulator, on the receive after the last allowed one, as SQS does)
 * moves them to the DLQ after maxReceiveCount receives.
 *
 * Unlike Lambda, a batch is handed over as soon as ReceiveMessage returns it (no batching window),
 * batches stay at one ReceiveMessage (≤ 10 messages), and there is no invocation timeout.
 *
 * `maxConcurrentBatches` loops each run receive → handler → delete; `stop()` stops receiving (an
 * outstanding long poll is cancelled) and waits for the batches being handled. A message the
 * emulator handed out at the very moment a long poll was cancelled stays invisible for one
 * visibility timeout, then comes back: at-least-once, as with SQS itself.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { LOCAL_REGION } from './dynamodb-clients';
import { getQueueArn } from './sqs-queues';
import { localLambdaContext } from './lambda-context';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/** Where a reported error happened. */
export type SqsPollerStage = 'receive' | 'handler' | 'response' | 'delete';

export interface SqsPollerErrorInfo {
  readonly stage: SqsPollerStage;
  readonly queueUrl: string;
  /** The batch's message ids (empty for receive errors). */
  readonly messageIds: readonly string[];
}

export interface SqsPollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** For the records' `eventSourceARN` (and `awsRegion`); read from the queue when not given. */
  readonly queueArn?: string;
  readonly handler: SqsHandler;
  /** Messages per ReceiveMessage / invocation, 1–10. @default 10 */
  readonly batchSize?: number;
  /** Long-poll time of each ReceiveMessage, 0–20. @default 1 */
  readonly waitTimeSeconds?: number;
  /** Batches handled at the same time (each with its own receive loop). @default 2 */
  readonly maxConcurrentBatches?: number;
  /** For the fake Context. @default 'local-sqs-poller' */
  readonly functionName?: string;
  /** What the fake Context's getRemainingTimeInMillis counts down from. @default 30 */
  readonly functionTimeoutSeconds?: number;
  /**
   * Called for receive/delete errors, handler throws and invalid handler responses. Nothing is
   * rethrown: the poller keeps going. @default console.error
   */
  readonly onError?: (error: unknown, info: SqsPollerErrorInfo) => void;
}

export interface SqsPoller {
  /** Stops receiving and waits for in-flight batches to finish (handler and deletes). Safe to call more than once. */
  stop(): Promise<void>;
  /** Batches received and not yet finished (in the handler or being deleted). */
  inFlight(): number;
}

const RECEIVE_BACKOFF_MIN_MS = 100;
const RECEIVE_BACKOFF_MAX_MS = 5_000;
/** An empty receive faster than this is treated as a short poll: pause before the next one. */
const FAST_EMPTY_RECEIVE_MS = 50;
const FAST_EMPTY_RECEIVE_PAUSE_MS = 200;
const DELETE_BATCH_MAX = 10;

export class InvalidBatchResponseError extends Error {
  constructor(
    message: string,
    readonly response: unknown,
  ) {
    super(message);
    this.name = 'InvalidBatchResponseError';
  }
}

export function startSqsPoller(opts: SqsPollerOptions): SqsPoller {
  const batchSize = opts.batchSize ?? 10;
  const waitTimeSeconds = opts.waitTimeSeconds ?? 1;
  const concurrency = opts.maxConcurrentBatches ?? 2;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) throw new RangeError(`batchSize must be an integer 1–10, got ${batchSize}`);
  if (!Number.isInteger(waitTimeSeconds) || waitTimeSeconds < 0 || waitTimeSeconds > 20) throw new RangeError(`waitTimeSeconds must be an integer 0–20, got ${waitTimeSeconds}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`maxConcurrentBatches must be a positive integer, got ${concurrency}`);

  const { sqs, queueUrl } = opts;
  const functionName = opts.functionName ?? 'local-sqs-poller';
  const functionTimeoutMs = (opts.functionTimeoutSeconds ?? 30) * 1000;
  const onError =
    opts.onError ??
    ((error: unknown, info: SqsPollerErrorInfo) => console.error(`[sqs-poller] ${info.stage} error on ${info.queueUrl}:`, error));
  const report = (error: unknown, stage: SqsPollerStage, messageIds: readonly string[] = []) => {
    try {
      onError(error, { stage, queueUrl, messageIds });
    } catch (callbackError) {
      console.error('[sqs-poller] onError threw:', callbackError);
    }
  };

  let stopped = false;
  let inFlight = 0;
  /** Cancels whatever the loops are waiting on (a long poll or a pause). */
  const stopController = new AbortController();

  let arn: Promise<string> | undefined = opts.queueArn ? Promise.resolve(opts.queueArn) : undefined;
  const queueArn = (): Promise<string> => {
    arn ??= getQueueArn(sqs, queueUrl).catch((error: unknown) => {
      arn = undefined; // ask again next time
      throw error;
    });
    return arn;
  };

  const receive = async (): Promise<Message[]> => {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: batchSize,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: stopController.signal },
    );
    return Messages ?? [];
  };

  const deleteMessages = async (messages: readonly Message[]): Promise<void> => {
    for (let start = 0; start < messages.length; start += DELETE_BATCH_MAX) {
      const chunk = messages.slice(start, start + DELETE_BATCH_MAX);
      const ids = chunk.map((m) => m.MessageId ?? '');
      try {
        const { Failed } = await sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })) }),
        );
        if (Failed && Failed.length > 0) {
          const failedIds = Failed.map((f) => ids[Number((f.Id ?? '').slice(1))] ?? f.Id ?? '?');
          report(new Error(`DeleteMessageBatch failed for ${failedIds.join(', ')}: ${Failed.map((f) => `${f.Code} ${f.Message ?? ''}`.trim()).join('; ')}`), 'delete', failedIds);
        }
      } catch (error) {
        report(error, 'delete', ids);
      }
    }
  };

  const handleBatch = async (messages: readonly Message[]): Promise<void> => {
    const messageIds = messages.map((m) => m.MessageId ?? '');
    let sourceArn: string;
    try {
      sourceArn = await queueArn();
    } catch (error) {
      report(error, 'receive', messageIds); // the messages come back after the visibility timeout
      return;
    }
    const event: SQSEvent = { Records: messages.map((m) => toRecord(m, sourceArn)) };
    let response: unknown;
    try {
      response = await opts.handler(event, localLambdaContext({ functionName, region: regionOf(sourceArn), accountId: sourceArn.split(':')[4] || '000000000000', deadlineMs: Date.now() + functionTimeoutMs, invoker: 'local SQS poller' }));
    } catch (error) {
      report(error, 'handler', messageIds);
      return;
    }
    const failed = failedMessageIds(response, messageIds);
    if (failed instanceof InvalidBatchResponseError) {
      report(failed, 'response', messageIds);
      return;
    }
    const toDelete = messages.filter((m) => !failed.has(m.MessageId ?? ''));
    if (toDelete.length > 0) await deleteMessages(toDelete);
  };

  const loop = async (): Promise<void> => {
    let backoffMs = 0;
    while (!stopped) {
      let messages: Message[];
      const startedAt = performance.now();
      try {
        messages = await receive();
        backoffMs = 0;
      } catch (error) {
        if (stopped) return;
        report(error, 'receive');
        backoffMs = Math.min(RECEIVE_BACKOFF_MAX_MS, Math.max(RECEIVE_BACKOFF_MIN_MS, backoffMs * 2));
        await pause(backoffMs, stopController.signal);
        continue;
      }
      if (messages.length === 0) {
        if (performance.now() - startedAt < FAST_EMPTY_RECEIVE_MS) await pause(FAST_EMPTY_RECEIVE_PAUSE_MS, stopController.signal);
        continue;
      }
      inFlight += 1;
      try {
        await handleBatch(messages);
      } finally {
        inFlight -= 1;
      }
    }
  };

  const loops = Array.from({ length: concurrency }, () =>
    loop().catch((error: unknown) => report(error, 'receive')), // a bug here must not become an unhandled rejection
  );
  let stopping: Promise<void> | undefined;
  return {
    stop: () => {
      stopped = true;
      stopController.abort();
      return (stopping ??= Promise.all(loops).then(() => undefined));
    },
    inFlight: () => inFlight,
  };
}

/**
 * The ids the handler reported as failed, or an error when the response makes the whole batch
 * fail. Lambda's rules: nothing / no or empty `batchItemFailures` is a success; an entry with an
 * empty, missing or unknown `itemIdentifier`, or a response that is not an object, fails the batch.
 */
export function failedMessageIds(response: unknown, messageIds: readonly string[]): Set<string> | InvalidBatchResponseError {
  if (response === undefined || response === null) return new Set();
  if (typeof response !== 'object' || Array.isArray(response)) {
    return new InvalidBatchResponseError(`Handler returned ${JSON.stringify(response)}, not a batch response: the whole batch failed`, response);
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) {
    return new InvalidBatchResponseError('batchItemFailures is not an array: the whole batch failed', response);
  }
  const known = new Set(messageIds);
  const failed = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = failure !== null && typeof failure === 'object' ? (failure as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '' || !known.has(id)) {
      return new InvalidBatchResponseError(`batchItemFailures has an invalid itemIdentifier ${JSON.stringify(id)}: the whole batch failed`, response);
    }
    failed.add(id);
  }
  return failed;
}

/** One received message as Lambda's SQS event source puts it in `event.Records`. */
export function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const record: SQSRecord = {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
      ...(attributes.AWSTraceHeader !== undefined && { AWSTraceHeader: attributes.AWSTraceHeader }),
      ...(attributes.SequenceNumber !== undefined && { SequenceNumber: attributes.SequenceNumber }),
      ...(attributes.MessageGroupId !== undefined && { MessageGroupId: attributes.MessageGroupId }),
      ...(attributes.MessageDeduplicationId !== undefined && { MessageDeduplicationId: attributes.MessageDeduplicationId }),
      ...(attributes.DeadLetterQueueSourceArn !== undefined && { DeadLetterQueueSourceArn: attributes.DeadLetterQueueSourceArn }),
    },
    messageAttributes: toLambdaMessageAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: regionOf(queueArn),
  };
  if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

/** SDK `MessageAttributes` (StringValue, BinaryValue bytes) to Lambda's camelCase shape (binary as base64). */
function toLambdaMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    result[name] = {
      ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
      ...(value.BinaryValue !== undefined && { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      dataType: value.DataType ?? 'String',
    };
  }
  return result;
}

function regionOf(arn: string): string {
  const region = arn.split(':')[3];
  return region ? region : LOCAL_REGION;
}

/** Resolves after `ms`, or at once when `signal` aborts; leaves no timer behind either way. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
