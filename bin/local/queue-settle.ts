/**
 * Waits until queued work has run out: every queue empty (visible, in flight and delayed messages all
 * zero) and no poller handling a batch, seen on two checks in a row (a handler that has just
 * finished may have sent a message the first check missed, or a poller may be between receiving and
 * counting the batch as in flight: the queue still shows it as not visible then).
 *
 * Pass the queues whose messages are consumed (a DLQ only if a poller drains it): a message left in
 * an unconsumed queue never settles. Messages that failed sit invisible for the visibility timeout
 * before they are retried or moved to the DLQ, so a poison message delays settling by about
 * visibilityTimeout × maxReceiveCount.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface QueueSettleOptions {
  readonly sqs: SQSClient;
  readonly queueUrls: readonly string[];
  readonly pollers: ReadonlyArray<{ inFlight(): number }>;
  /** @default 120_000 */
  readonly timeoutMs?: number;
  /** Pause between checks. @default 50 */
  readonly pollIntervalMs?: number;
}

const COUNT_ATTRIBUTES = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
type CountAttribute = (typeof COUNT_ATTRIBUTES)[number];
const SHORT_NAMES: Record<CountAttribute, string> = {
  ApproximateNumberOfMessages: 'visible',
  ApproximateNumberOfMessagesNotVisible: 'in flight',
  ApproximateNumberOfMessagesDelayed: 'delayed',
};

interface Snapshot {
  readonly queues: ReadonlyArray<{ readonly queueUrl: string; readonly counts: Record<CountAttribute, number> }>;
  readonly inFlightBatches: number;
}

export class QueuesDidNotSettleError extends Error {
  constructor(
    message: string,
    readonly last: Snapshot | undefined,
  ) {
    super(message);
    this.name = 'QueuesDidNotSettleError';
  }
}

export async function waitForQueuesToSettle(opts: QueueSettleOptions): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const pollIntervalMs = opts.pollIntervalMs ?? 50;
  const deadline = performance.now() + timeoutMs;
  let quietChecks = 0;
  let last: Snapshot | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await snapshot(opts);
      lastError = undefined;
      quietChecks = isQuiet(last) ? quietChecks + 1 : 0;
      if (quietChecks >= 2) return;
    } catch (error) {
      lastError = error; // e.g. a queue that does not exist: keep trying until the deadline, then say so
      quietChecks = 0;
    }
    const remaining = deadline - performance.now();
    if (remaining <= 0) {
      const what = lastError !== undefined ? `last check failed: ${lastError instanceof Error ? lastError.message : String(lastError)}` : describe(last);
      throw new QueuesDidNotSettleError(`Queues did not settle within ${timeoutMs} ms (${what})`, last);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollIntervalMs, remaining)));
  }
}

async function snapshot(opts: QueueSettleOptions): Promise<Snapshot> {
  // Poller state before and after the queue reads: a batch running at either moment counts, and
  // one that ran only in between shows in the queue counts (its messages stay in flight until
  // deleted) or left follow-up messages that the second quiet check must see as well.
  const inFlightBefore = opts.pollers.reduce((sum, p) => sum + p.inFlight(), 0);
  const queues = await Promise.all(
    opts.queueUrls.map(async (queueUrl) => {
      const { Attributes = {} } = await opts.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...COUNT_ATTRIBUTES] }));
      const counts = Object.fromEntries(COUNT_ATTRIBUTES.map((name) => [name, Number(Attributes[name] ?? 0)])) as Record<CountAttribute, number>;
      return { queueUrl, counts };
    }),
  );
  return { queues, inFlightBatches: Math.max(inFlightBefore, opts.pollers.reduce((sum, p) => sum + p.inFlight(), 0)) };
}

function isQuiet(s: Snapshot): boolean {
  return s.inFlightBatches === 0 && s.queues.every((q) => COUNT_ATTRIBUTES.every((name) => q.counts[name] === 0));
}

function describe(s: Snapshot | undefined): string {
  if (!s) return 'no successful check';
  const busy = s.queues
    .filter((q) => COUNT_ATTRIBUTES.some((name) => q.counts[name] !== 0))
    .map((q) => `${queueName(q.queueUrl)}: ${COUNT_ATTRIBUTES.map((name) => `${q.counts[name]} ${SHORT_NAMES[name]}`).join(', ')}`);
  if (s.inFlightBatches > 0) busy.push(`${s.inFlightBatches} batch(es) still in a handler`);
  return busy.length > 0 ? `left: ${busy.join('; ')}` : 'left: nothing on the last check, but it was not quiet twice in a row';
}

function queueName(queueUrl: string): string {
  return queueUrl.slice(queueUrl.lastIndexOf('/') + 1) || queueUrl;
}
