import type { StoredOutput } from '../domain/output-store';
import type { UseCaseDeps } from './context';

/**
 * The stored output a reference (`<generation id>/<index>`) names, when it is an output of a
 * generation of this wallet that succeeded; undefined otherwise. Read at acceptance (to refuse a bad
 * reference before the debit) and by the worker (to send its bytes).
 */
export async function referencedOutput(deps: Pick<UseCaseDeps, 'store'>, accountId: string, reference: string): Promise<StoredOutput | undefined> {
  const [jobId = '', index = ''] = reference.split('/');
  const job = await deps.store.getGeneration(accountId, jobId);
  return job?.status === 'succeeded' ? job.outputs?.[Number(index)] : undefined;
}
