/**
 * Runs one SQS batch with ReportBatchItemFailures: each record is processed on its own, and only the
 * records that failed are reported back, so SQS redelivers just those (and, past maxReceiveCount,
 * moves them to the DLQ). A malformed message can never succeed: it is logged and dropped.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import type { JobRef } from '../../domain/generation';
import { log, runWithLogKeys } from '../../shared/logger';

const JobMessage = z.strictObject({ accountId: z.string().min(1).max(128), jobId: z.string().regex(/^gen_[0-9a-z]{26}$/) });

export async function processJobBatch(event: SQSEvent, processJob: (ref: JobRef, record: SQSRecord) => Promise<unknown>): Promise<SQSBatchResponse> {
  const results = await Promise.all(
    event.Records.map((record) =>
      runWithLogKeys({ messageId: record.messageId }, async () => {
        const ref = parseJobMessage(record.body);
        if (!ref) {
          log().error('dropping a malformed job message', { receiveCount: record.attributes.ApproximateReceiveCount });
          return null;
        }
        try {
          const outcome = await runWithLogKeys({ messageId: record.messageId, accountId: ref.accountId, jobId: ref.jobId }, () => processJob(ref, record));
          log().debug('job message processed', { outcome: String(outcome) });
          return null;
        } catch (error) {
          log().error('job message failed; SQS will deliver it again', { error: error as Error, receiveCount: record.attributes.ApproximateReceiveCount });
          return record.messageId;
        }
      }),
    ),
  );
  return { batchItemFailures: results.filter((id): id is string => id !== null).map((itemIdentifier) => ({ itemIdentifier })) };
}

function parseJobMessage(body: string): JobRef | null {
  try {
    const parsed = JobMessage.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
