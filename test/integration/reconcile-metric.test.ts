/**
 * The reconcile job as EventBridge runs it (the run-job handler): it finds a bucket whose balance
 * differs from its ledger, and publishes the ReconcileMismatches metric the alarm watches on every
 * run, 0 included.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ACCOUNT_SK, accountPk } from '../../lambdas/adapters/dynamodb/keys';
import { createRunJobHandler } from '../../lambdas/handlers/schedule/run-job';
import { METRICS_NAMESPACE, RECONCILE_MISMATCHES_METRIC, SERVICE_NAME, STUCK_JOB_SEND_FAILURES_METRIC } from '../../lambdas/shared/service-identity';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

let t: TestService;
beforeEach(async () => {
  t = await startTestService({ pollers: false });
});
afterEach(async () => {
  jest.restoreAllMocks();
  await t.stop();
});

/** Runs the job and returns the embedded-metric-format records it wrote to stdout. */
async function runAndCaptureMetrics(job: string): Promise<{ result: unknown; emf: Array<Record<string, unknown>> }> {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const result = await createRunJobHandler(t.service.deps)({ job });
    return { result, emf: lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Record<string, unknown>) };
  } finally {
    write.mockRestore();
  }
}

function metricValue(emf: Array<Record<string, unknown>>, metric = RECONCILE_MISMATCHES_METRIC): unknown[] {
  return emf
    .filter((record) => {
      const aws = record._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
      const directive = aws.CloudWatchMetrics[0]!;
      return (
        directive.Namespace === METRICS_NAMESPACE &&
        directive.Dimensions[0]?.includes('service') &&
        record.service === SERVICE_NAME &&
        directive.Metrics.some((m) => m.Name === metric && m.Unit === 'Count')
      );
    })
    .map((record) => record[metric]);
}

test('a clean ledger publishes 0; a tampered balance is found and published as 1', async () => {
  const token = await t.token('reconciled');
  expect((await t.call('POST', '/v1/generations', { token, body: { model: 'nano-banana-2', count: 1, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': 'r1' } })).status).toBe(202);

  const clean = await runAndCaptureMetrics('reconcile');
  expect(clean.result).toEqual({ accounts: 1, mismatches: [], suspectedThenCleared: 0 });
  expect(metricValue(clean.emf)).toEqual([0]);

  // Someone (a bug, a hand edit) changes a balance without a ledger entry.
  await t.table.db.send(
    new UpdateCommand({
      TableName: t.table.tableName,
      Key: { pk: accountPk('reconciled'), sk: ACCOUNT_SK },
      UpdateExpression: 'SET buckets[0].balance = buckets[0].balance + :one',
      ExpressionAttributeValues: { ':one': 1 },
    }),
  );
  const tampered = await runAndCaptureMetrics('reconcile');
  expect(tampered.result).toMatchObject({ accounts: 1, mismatches: [{ accountId: 'reconciled' }] });
  const [mismatch] = (tampered.result as { mismatches: Array<{ balance: number; ledgerSum: number }> }).mismatches;
  expect(mismatch!.balance - mismatch!.ledgerSum).toBe(1);
  expect(metricValue(tampered.emf)).toEqual([1]);
});

test('the reaper publishes its send failures (0 here); other jobs publish nothing; an unknown job throws (Lambda retries, then the failed-runs queue)', async () => {
  const reaped = await runAndCaptureMetrics('reap-stuck-jobs');
  expect(reaped.result).toMatchObject({ sendFailures: 0 });
  expect(metricValue(reaped.emf, STUCK_JOB_SEND_FAILURES_METRIC)).toEqual([0]);
  expect(metricValue(reaped.emf)).toEqual([]);
  const { emf } = await runAndCaptureMetrics('expire-credits');
  expect(emf).toEqual([]);
  await expect(createRunJobHandler(t.service.deps)({ job: 'no-such-job' })).rejects.toThrow(/unknown scheduled job/);
  await expect(createRunJobHandler(t.service.deps)({})).rejects.toThrow(/unknown scheduled job/);
});
