/**
 * Runs one SQS batch with ReportBatchItemFailures: each record is processed on its own, and only the
 * records that failed are reported back, so SQS redelivers just those (and, past maxReceiveCount,
 * moves them to the DLQ). A malformed message can never succeed: it is logged and dropped.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import type { JobMessage } from '../../domain/generation';
import { errorFacts } from '../../shared/error-facts';
import { log, runWithLogKeys } from '../../shared/logger';

// `poll`: the poll count a video's poll message was sent after (lambdas/domain/job-steps.ts).
const JobMessageSchema = z.strictObject({ accountId: z.string().min(1).max(128), jobId: z.string().regex(/^gen_[0-9a-z]{26}$/), poll: z.int().min(0).max(100_000).optional() });
const AutoRefillMessage = z.strictObject({ kind: z.literal('auto_refill'), accountId: z.string().min(1).max(128) });

export type QueueMessage = { readonly kind: 'job'; readonly ref: JobMessage } | { readonly kind: 'auto_refill'; readonly accountId: string };

export async function processJobBatch(event: SQSEvent, processJob: (ref: JobMessage, record: SQSRecord) => Promise<unknown>, processAutoRefill?: (accountId: string) => Promise<unknown>): Promise<SQSBatchResponse> {
  const results = await Promise.all(
    event.Records.map((record) =>
      runWithLogKeys({ messageId: record.messageId }, async () => {
        const message = parseMessage(record.body);
        if (!message || (message.kind === 'auto_refill' && !processAutoRefill)) {
          log().error('dropping a malformed job message', { receiveCount: record.attributes.ApproximateReceiveCount });
          return null;
        }
        try {
          const outcome =
            message.kind === 'job'
              ? await runWithLogKeys({ messageId: record.messageId, accountId: message.ref.accountId, jobId: message.ref.jobId }, () => processJob(message.ref, record))
              : await runWithLogKeys({ messageId: record.messageId, accountId: message.accountId }, () => processAutoRefill!(message.accountId));
          log().debug('job message processed', { outcome: String(outcome) });
          return null;
        } catch (error) {
          // The error's facts only: a Stripe error object carries its request's headers and raw body.
          log().error('job message failed; SQS will deliver it again', { ...errorFacts(error), receiveCount: record.attributes.ApproximateReceiveCount });
          return record.messageId;
        }
      }),
    ),
  );
  return { batchItemFailures: results.filter((id): id is string => id !== null).map((itemIdentifier) => ({ itemIdentifier })) };
}

function parseMessage(body: string): QueueMessage | null {
  try {
    const json: unknown = JSON.parse(body);
    const job = JobMessageSchema.safeParse(json);
    if (job.success) return { kind: 'job', ref: job.data };
    const refill = AutoRefillMessage.safeParse(json);
    return refill.success ? { kind: 'auto_refill', accountId: refill.data.accountId } : null;
  } catch {
    return null;
  }
}
