import type { GenerationJob } from '../../domain/generation';
import type { OutputStore } from '../../domain/output-store';

/** How long a presigned output URL works: long enough to load a page and play a video, short enough that a leaked link soon dies. */
export const OUTPUT_URL_TTL_SECONDS = 15 * 60;

/** What the API shows of a job: no internals (versions, leases, due times, provider operations, object keys). */
export async function generationView(job: GenerationJob, outputs: OutputStore, now: Date) {
  const expiresAt = new Date(now.getTime() + OUTPUT_URL_TTL_SECONDS * 1000).toISOString();
  return {
    id: job.id,
    status: job.status,
    model: job.model,
    count: job.count,
    credits: job.credits,
    charges: job.charges,
    ...(typeof job.params.prompt === 'string' ? { prompt: job.params.prompt } : {}),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.outputs
      ? {
          outputs: await Promise.all(
            job.outputs.map(async (o, index) => ({ id: `${job.id}/${index}`, url: await outputs.signedUrl(o.key, OUTPUT_URL_TTL_SECONDS), contentType: o.contentType, sizeBytes: o.sizeBytes, expiresAt })),
          ),
        }
      : {}),
    ...(job.error ? { error: job.error } : {}),
    ...(job.refund ? { refund: job.refund } : {}),
  };
}
