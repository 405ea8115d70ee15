/**
 * Found by the seeded simulation: a member removed while a job of theirs was queued, then invited
 * and joined again, had that old job's refund taken off the new membership's spending counter, and
 * could then spend past their cap in the same period.
 */
import type { SQSEvent } from 'aws-lambda';
import { toRecord } from '../../bin/local/sqs-poller';
import { ModelProviderError } from '../../lambdas/domain/model-clients';
import { CountingModels } from '../support/counting-models';
import { addCredits, addMember, newIdempotencyKey, setPlan } from '../support/fixtures';
import { expectMoneyInvariants } from '../support/money-invariants';
import type { TestService } from '../support/test-service';
import { startTestService } from '../support/test-service';

let t: TestService;
beforeAll(async () => {
  // No workers (jobs wait until run by hand), and a model that always fails (every run refunds).
  t = await startTestService({ pollers: false, models: (clock) => new CountingModels(clock, { failWith: () => new ModelProviderError('user', 'refused', 'the model failed') }) });
});
afterAll(async () => {
  await t?.stop();
});

const generate = (token: string, count: number) => t.call('POST', '/v1/generations', { token, body: { model: 'gpt-image-2', count, params: { prompt: 'a test image' } }, headers: { 'idempotency-key': newIdempotencyKey() } });
const runJob = (jobId: string) => t.service.queueHandlers.jobs({ Records: [toRecord({ MessageId: `m-${jobId}`, ReceiptHandle: 'r', Body: JSON.stringify({ accountId: 'rj-owner', jobId }) }, 'arn:aws:sqs:us-east-1:000000000000:jobs')] } as SQSEvent, {} as never);

test("a refund of a job from before the member's removal and rejoining leaves the new membership's counter, and the cap holds", async () => {
  await setPlan(t, 'rj-owner', 'PRO');
  const owner = await t.token('rj-owner');
  await addCredits(t, owner, 5000);
  let member = await addMember(t, 'rj-owner', 'rj-member', { monthlyCapCredits: 100 });
  const old = await generate(member, 10); // 50 credits, queued
  expect(old.status).toBe(202);
  expect((await t.call('DELETE', '/v1/team/members/rj-member', { token: owner })).status).toBe(204);
  member = await addMember(t, 'rj-owner', 'rj-member', { monthlyCapCredits: 100 });
  expect((await generate(member, 6)).status).toBe(202); // 30 credits in the new membership

  await runJob(old.body.id); // the old job fails: its 50 credits go back to the wallet, not to the new counter
  const row = async () => (await t.call('GET', '/v1/team', { token: owner })).body.members.find((m: { userId: string }) => m.userId === 'rj-member');
  expect((await row()).spentThisPeriodCredits).toBe(30);
  expect((await t.call('GET', '/v1/generations/' + old.body.id, { token: owner })).body).toMatchObject({ status: 'failed' });

  // 70 left of the cap: 60 fits (GPT Image 2 makes at most 10 a request: 10 + 2), the next 40 does not.
  expect((await generate(member, 10)).status).toBe(202);
  expect((await generate(member, 2)).status).toBe(202);
  expect(await generate(member, 8)).toMatchObject({ status: 402, body: { error: { code: 'member_cap_reached', details: { capCredits: 100, spentCredits: 90, requiredCredits: 40 } } } });
  expect((await row()).spentThisPeriodCredits).toBe(90);
  await expectMoneyInvariants(t);
});
