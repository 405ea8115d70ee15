/** How a provider's HTTP status is classified when the answer says nothing better. */
import { faultOfStatus } from '../../../lambdas/domain/model-clients';

test.each([
  [400, 'user'],
  [422, 'user'],
  [401, 'ours'],
  [403, 'ours'],
  [404, 'ours'],
  [408, 'transient'],
  [409, 'transient'],
  [429, 'transient'],
  [500, 'transient'],
  [503, 'transient'],
])('%i is the %s fault', (status, fault) => {
  expect(faultOfStatus(status)).toBe(fault);
});
