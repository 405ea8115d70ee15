/** The billing jobs' per-account loop and what it may log of an error. */
import { Logger } from '@aws-lambda-powertools/logger';
import { BILLING_FAILURE_MESSAGE, forEachDueAccount, recordBackoff } from '../../lambdas/use-cases/billing-failures';

afterEach(() => jest.restoreAllMocks());

async function* ids(...list: string[]): AsyncIterable<string> {
  yield* list;
}

describe('forEachDueAccount', () => {
  test('a failing account is counted and logged, and every account after it is still worked on', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const worked: string[] = [];

    const counts = await forEachDueAccount('payg-invoicing', ids('a', 'b', 'c', 'd'), async (id) => {
      if (id === 'b' || id === 'd') throw Object.assign(new Error(`No such customer: 'cus_${id}'`), { type: 'StripeInvalidRequestError', code: 'resource_missing' });
      worked.push(id);
    });

    expect(counts).toEqual({ due: 4, failures: 2 });
    expect(worked).toEqual(['a', 'c']);
    expect(warn.mock.calls).toEqual([
      [BILLING_FAILURE_MESSAGE, { job: 'payg-invoicing', accountId: 'b', errorName: 'Error', errorType: 'StripeInvalidRequestError', errorCode: 'resource_missing' }],
      [BILLING_FAILURE_MESSAGE, { job: 'payg-invoicing', accountId: 'd', errorName: 'Error', errorType: 'StripeInvalidRequestError', errorCode: 'resource_missing' }],
    ]);
  });

  test('a failing due-index query is the run failing, not an account: it throws', async () => {
    async function* broken(): AsyncIterable<string> {
      yield 'a';
      throw new Error('ProvisionedThroughputExceededException');
    }
    await expect(forEachDueAccount('auto-refill', broken(), async () => undefined)).rejects.toThrow('ProvisionedThroughputExceededException');
  });
});

describe('recordBackoff', () => {
  test('a backoff that cannot be written is logged, not thrown (the caller rethrows the original error)', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

    await recordBackoff('acc_1', () => Promise.reject(Object.assign(new Error('throttled'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400, requestId: 'R1' } })));

    expect(warn).toHaveBeenCalledWith(expect.any(String), { accountId: 'acc_1', errorName: 'ThrottlingException', statusCode: 400, requestId: 'R1' });
  });
});
