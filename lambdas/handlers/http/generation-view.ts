import type { GenerationJob } from '../../domain/generation';

/** What the API shows of a job: no internals (versions, leases, due times). */
export function generationView(job: GenerationJob) {
  return {
    id: job.id,
    status: job.status,
    model: job.model,
    count: job.count,
    credits: job.credits,
    charges: job.charges,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.outputs ? { outputs: job.outputs } : {}),
    ...(job.error ? { error: job.error } : {}),
    ...(job.refund ? { refund: job.refund } : {}),
  };
}
