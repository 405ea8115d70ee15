/**
 * The local SQS event source (poller), the job queues and the settle helper, against the run's SQS
 * emulator (SQS_ENDPOINT from globalSetup). Every test makes its own uniquely named queues.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { QueuesDidNotSettleError, waitForQueuesToSettle } from '../../bin/local/queue-settle';
import { makeSqsClient } from '../../bin/local/sqs-emulator';
import { failedMessageIds, InvalidBatchResponseError, startSqsPoller, type SqsPoller, type SqsPollerErrorInfo, type SqsPollerOptions } from '../../bin/local/sqs-poller';
import { createJobQueues, getQueueArn, type JobQueues } from '../../bin/local/sqs-queues';

const VISIBILITY_TIMEOUT_SECONDS = 1;
const MAX_RECEIVE_COUNT = 2;

function requireSqsEndpoint(): string {
  const endpoint = process.env.SQS_ENDPOINT;
  if (!endpoint) throw new Error('SQS_ENDPOINT is not set: run the tests through jest (its globalSetup starts the SQS emulator).');
  return endpoint;
}

let sqs: SQSClient;
const pollers: SqsPoller[] = [];

beforeAll(() => {
  sqs = makeSqsClient(requireSqsEndpoint());
});

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});

afterAll(() => {
  sqs.destroy();
});

async function newQueues(label: string): Promise<JobQueues> {
  return createJobQueues(sqs, {
    name: `poller-w${process.env.JEST_WORKER_ID ?? '0'}-${label}-${randomUUID().slice(0, 8)}`,
    visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
    maxReceiveCount: MAX_RECEIVE_COUNT,
  });
}

/** A poller that records every event and every reported error, stopped after each test. */
function poll(queueUrl: string, handler: SqsPollerOptions['handler'], options: Partial<SqsPollerOptions> = {}) {
  const events: SQSEvent[] = [];
  const contexts: Context[] = [];
  const errors: Array<{ error: unknown; info: SqsPollerErrorInfo }> = [];
  const poller = startSqsPoller({
    sqs,
    queueUrl,
    handler: async (event, context) => {
      events.push(event);
      contexts.push(context);
      return handler(event, context);
    },
    onError: (error, info) => errors.push({ error, info }),
    ...options,
  });
  pollers.push(poller);
  const records = () => events.flatMap((e) => e.Records);
  return { poller, events, contexts, errors, records };
}

async function send(queueUrl: string, bodies: string[], client: SQSClient = sqs): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const chunk = bodies.slice(i, i + 10);
    const { Failed } = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((body, j) => ({ Id: `e${j}`, MessageBody: body })) }));
    expect(Failed ?? []).toEqual([]);
  }
}

async function counts(queueUrl: string, client: SQSClient = sqs): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed),
  };
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const settle = (queueUrls: string[], pollerList: SqsPoller[], timeoutMs = 10_000) => waitForQueuesToSettle({ sqs, queueUrls, pollers: pollerList, timeoutMs, pollIntervalMs: 25 });
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

describe('startSqsPoller', () => {
  it('delivers Lambda-shaped SQS events and deletes every message when the handler succeeds', async () => {
    const queues = await newQueues('ok');
    const queueArn = await getQueueArn(sqs, queues.queueUrl);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.queueUrl,
        MessageBody: '{"job":1}',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'video' },
          size: { DataType: 'Number', StringValue: '42' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from('bytes!') },
        },
      }),
    );
    await send(queues.queueUrl, ['two', 'three']);
    const sentAt = Date.now();

    const { poller, records, contexts, errors } = poll(queues.queueUrl, async () => undefined, { functionName: 'run-generations' });
    await eventually(() => records().length === 3, 5_000, 'three records');
    await settle([queues.queueUrl, queues.dlqUrl], [poller]);

    expect(records().map((r) => r.body).sort()).toEqual(['three', 'two', '{"job":1}']);
    const record = records().find((r) => r.body === '{"job":1}') as SQSRecord;
    expect(record).toEqual({
      messageId: expect.stringMatching(/.+/),
      receiptHandle: expect.stringMatching(/.+/),
      body: '{"job":1}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.stringMatching(/.+/),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {
        kind: { stringValue: 'video', stringListValues: [], binaryListValues: [], dataType: 'String' },
        size: { stringValue: '42', stringListValues: [], binaryListValues: [], dataType: 'Number' },
        blob: { binaryValue: Buffer.from('bytes!').toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: md5('{"job":1}'),
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    });
    expect(Math.abs(Number(record.attributes.SentTimestamp) - sentAt)).toBeLessThan(5_000);
    expect(records().find((r) => r.body === 'two')?.messageAttributes).toEqual({});
    expect(contexts[0]).toMatchObject({ functionName: 'run-generations', invokedFunctionArn: expect.stringContaining(':function:run-generations') });
    expect(contexts[0]?.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(await counts(queues.queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(await counts(queues.dlqUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(errors).toEqual([]);
  });

  it('deletes all but the batchItemFailures, which come back after the visibility timeout with ApproximateReceiveCount 2', async () => {
    const queues = await newQueues('partial');
    await send(queues.queueUrl, ['a', 'b', 'c', 'd']);
    const handled: Array<{ body: string; receiveCount: string; at: number }> = [];
    const { poller, errors } = poll(
      queues.queueUrl,
      async (event): Promise<SQSBatchResponse> => {
        for (const r of event.Records) handled.push({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount, at: Date.now() });
        const fail = event.Records.filter((r) => (r.body === 'b' || r.body === 'd') && r.attributes.ApproximateReceiveCount === '1');
        return { batchItemFailures: fail.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      { maxConcurrentBatches: 1 },
    );
    await eventually(() => handled.length === 6, 5_000, 'the failed messages to come back');
    await settle([queues.queueUrl, queues.dlqUrl], [poller]);

    const first = handled.slice(0, 4);
    const retried = handled.slice(4);
    expect(first.map((h) => h.body).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(first.every((h) => h.receiveCount === '1')).toBe(true);
    expect(retried.map((h) => [h.body, h.receiveCount]).sort()).toEqual([
      ['b', '2'],
      ['d', '2'],
    ]);
    // Not before the visibility timeout (1 s).
    expect(Math.min(...retried.map((h) => h.at)) - Math.max(...first.map((h) => h.at))).toBeGreaterThanOrEqual(900);
    expect(handled).toHaveLength(6);
    expect(await counts(queues.dlqUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(errors).toEqual([]);
  });

  it('deletes nothing when the handler throws, so the message reaches the DLQ after maxReceiveCount receives', async () => {
    const queues = await newQueues('poison');
    await send(queues.queueUrl, ['poison']);
    const { records, errors } = poll(queues.queueUrl, async () => {
      throw new Error('boom');
    });
    await eventually(async () => (await counts(queues.dlqUrl)).visible === 1, 8_000, 'the message to reach the DLQ');

    expect(records().map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    expect(errors.map((e) => [e.info.stage, (e.error as Error).message])).toEqual([
      ['handler', 'boom'],
      ['handler', 'boom'],
    ]);
    expect(errors[0]?.info.messageIds).toEqual([records()[0]?.messageId]);
    expect(await counts(queues.queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.dlqUrl, MessageSystemAttributeNames: ['All'] }));
    expect(Messages.map((m) => [m.MessageId, m.Body])).toEqual([[records()[0]?.messageId, 'poison']]);
  });

  it('fails the whole batch when batchItemFailures names an unknown or empty id', async () => {
    const queues = await newQueues('badresp');
    await send(queues.queueUrl, ['x', 'y']);
    let calls = 0;
    const { records, errors } = poll(
      queues.queueUrl,
      async () => {
        calls += 1;
        return calls === 1 ? { batchItemFailures: [{ itemIdentifier: '' }] } : undefined;
      },
      { maxConcurrentBatches: 1 },
    );
    await eventually(() => records().length === 4, 5_000, 'the whole batch to come back');
    expect(records().slice(2).map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['2', '2']);
    expect(errors.map((e) => e.info.stage)).toEqual(['response']);
    expect(errors[0]?.error).toBeInstanceOf(InvalidBatchResponseError);
  });

  it('hands over batches of at most batchSize (10 by default)', async () => {
    const queues = await newQueues('batches');
    await send(queues.queueUrl, Array.from({ length: 25 }, (_, i) => `m${i}`));
    const big = poll(queues.queueUrl, async () => undefined, { maxConcurrentBatches: 1 });
    await eventually(() => big.records().length === 25, 5_000, '25 records');
    const sizes = big.events.map((e) => e.Records.length);
    expect(sizes).toEqual([10, 10, 5]);
    expect(new Set(big.records().map((r) => r.body)).size).toBe(25);

    // Stop first: a long poll cancelled by stop() can take messages with it for one visibility timeout.
    await big.poller.stop();
    await send(queues.queueUrl, Array.from({ length: 7 }, (_, i) => `s${i}`));
    const small = poll(queues.queueUrl, async () => undefined, { batchSize: 3, maxConcurrentBatches: 2 });
    await eventually(() => small.records().length === 7, 5_000, '7 records');
    expect(Math.max(...small.events.map((e) => e.Records.length))).toBeLessThanOrEqual(3);
    await settle([queues.queueUrl], [small.poller]);
  });

  it('stop() cancels the long poll, waits for the batch in the handler, and leaves no timers or sockets', async () => {
    const queues = await newQueues('stop');
    // Its own client, so that sockets opened here are all closed by destroy() below.
    const client = makeSqsClient(requireSqsEndpoint());
    const baseline = resourceCounts();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    const errors: unknown[] = [];
    const poller = startSqsPoller({
      sqs: client,
      queueUrl: queues.queueUrl,
      waitTimeSeconds: 20,
      handler: async () => {
        await released;
        finished = true;
      },
      onError: (error) => errors.push(error),
    });
    await send(queues.queueUrl, ['slow'], client);
    await eventually(() => poller.inFlight() === 1, 5_000, 'the batch to be in the handler');

    const stopping = poller.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toBe(false); // still waiting for the handler
    release();
    const startedAt = Date.now();
    await stopping;
    expect(Date.now() - startedAt).toBeLessThan(10_000); // the 20 s long poll of the idle loop was cancelled (generous: CI machines are loaded)
    expect(finished).toBe(true);
    expect(poller.inFlight()).toBe(0);
    expect(errors).toEqual([]); // the cancelled long poll is not an error
    expect(await counts(queues.queueUrl, client)).toEqual({ visible: 0, inFlight: 0, delayed: 0 }); // deleted before stop resolved

    client.destroy();
    // Short-lived timers of other code in this process (the SDK's socket bookkeeping, earlier tests'
    // clients) may still be running on a loaded machine; a leaked long poll or backoff would hold its
    // timer for seconds, past this grace.
    await eventually(() => {
      const after = resourceCounts();
      return (after.Timeout ?? 0) <= (baseline.Timeout ?? 0) && (after.TCPSocketWrap ?? 0) <= (baseline.TCPSocketWrap ?? 0);
    }, 2_000, 'no more timers or sockets than before the poller started');
  });
});

describe('waitForQueuesToSettle', () => {
  it('resolves once the queues are drained and no batch is in a handler', async () => {
    const queues = await newQueues('settle');
    await send(queues.queueUrl, ['1', '2', '3', '4', '5']);
    let done = 0;
    const { poller } = poll(
      queues.queueUrl,
      async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        done += event.Records.length;
      },
      { batchSize: 2 },
    );
    await settle([queues.queueUrl, queues.dlqUrl], [poller]);
    expect(done).toBe(5);
    expect(poller.inFlight()).toBe(0);
    expect(await counts(queues.queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('rejects on timeout, saying what was left', async () => {
    const queues = await newQueues('stuck');
    await send(queues.queueUrl, ['nobody reads me']);
    const stuck = settle([queues.queueUrl, queues.dlqUrl], [], 300);
    await expect(stuck).rejects.toThrow(QueuesDidNotSettleError);
    await expect(stuck).rejects.toThrow(/did not settle within 300 ms \(left: poller-w\d+-stuck-[0-9a-f]{8}: 1 visible, 0 in flight, 0 delayed\)/);

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { poller } = poll(queues.queueUrl, () => released);
    await eventually(() => poller.inFlight() === 1, 5_000, 'the batch to be in the handler');
    await expect(settle([queues.queueUrl], [poller], 300)).rejects.toThrow(/1 in flight.*1 batch\(es\) still in a handler/);
    release();
    await settle([queues.queueUrl], [poller]);
  });

  it('reports a queue that does not exist on timeout', async () => {
    const queues = await newQueues('gone');
    const missing = queues.queueUrl.replace(/[^/]+$/, `missing-${randomUUID().slice(0, 8)}`);
    await expect(settle([missing], [], 200)).rejects.toThrow(/did not settle within 200 ms \(last check failed: .+\)/);
  });
});

describe('failedMessageIds (Lambda ReportBatchItemFailures rules)', () => {
  const ids = ['m1', 'm2'];
  it.each([undefined, null, {}, { batchItemFailures: [] }, { batchItemFailures: null }])('treats %p as a full success', (response) => {
    expect(failedMessageIds(response, ids)).toEqual(new Set());
  });
  it('returns the reported ids', () => {
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: 'm2' }] }, ids)).toEqual(new Set(['m2']));
  });
  it.each([
    'ok',
    42,
    [],
    { batchItemFailures: 'm1' },
    { batchItemFailures: [{ itemIdentifier: '' }] },
    { batchItemFailures: [{ itemIdentifier: null }] },
    { batchItemFailures: [{ id: 'm1' }] },
    { batchItemFailures: [{ itemIdentifier: 'm3' }] },
  ])('fails the whole batch for %p', (response) => {
    expect(failedMessageIds(response, ids)).toBeInstanceOf(InvalidBatchResponseError);
  });
});

function resourceCounts(): Record<string, number> {
  const result: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) result[name] = (result[name] ?? 0) + 1;
  return result;
}
