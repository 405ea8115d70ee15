/**
 * One recent generation: model, count, prompt, status, cost; a failed one says why; a failed or
 * cancelled one shows its refund; a succeeded one shows its outputs; a queued or running one can be
 * cancelled (then it shows "cancelled" and the refund, or why it could not be).
 */
import { useRef, useState } from 'react';
import { ErrorText } from '../components/notice';
import { formatCredits, formatDayTime, MODEL_STATUS_WORDS } from '../format';
import { OutputMedia } from './output-media';
import { truncate } from './params';
import type { Generation } from './use-generations';

interface Props {
  job: Generation;
  modelName: string;
  onCancel(id: string): Promise<string | null>;
  onRefresh(id: string): Promise<Generation | null>;
}

const PROMPT_SHOWN = 120;

export function JobItem({ job, modelName, onCancel, onRefresh }: Props) {
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const statusRef = useRef<HTMLSpanElement>(null);
  const cancellable = job.status === 'queued' || job.status === 'running';

  const cancel = async () => {
    setCancelling(true);
    setCancelError(null);
    const refusal = await onCancel(job.id);
    setCancelling(false);
    setCancelError(refusal);
    // The button is gone once cancelled: keep the keyboard where the outcome is.
    if (refusal === null) statusRef.current?.focus();
  };

  return (
    <li className={`job job-${job.status}`}>
      <div className="job-line">
        <span>
          {modelName} × {job.count}
        </span>
        <span className="badge" ref={statusRef} tabIndex={-1}>
          {MODEL_STATUS_WORDS[job.status]}
        </span>
        <span className="muted small">
          {formatCredits(job.credits)} · {formatDayTime(job.createdAt)}
        </span>
        {cancellable ? (
          <button type="button" className="secondary small-button" disabled={cancelling} onClick={() => void cancel()}>
            Cancel generation
          </button>
        ) : null}
      </div>
      {job.prompt ? (
        <p className="job-prompt" title={job.prompt.length > PROMPT_SHOWN ? job.prompt : undefined}>
          {truncate(job.prompt, PROMPT_SHOWN)}
        </p>
      ) : null}
      {job.status === 'failed' ? <p className="small">{job.error?.message ?? 'The model failed.'}</p> : null}
      {job.status === 'cancelled' ? <p className="small">Cancelled before it produced anything.</p> : null}
      {job.refund ? <p className="refund">Refunded {formatCredits(job.refund.credits)}</p> : null}
      <ErrorText message={cancelError} />
      {job.status === 'succeeded' && job.outputs?.length ? (
        <div className="outputs">
          {job.outputs.map((output, i) => (
            <OutputMedia key={output.id} output={output} index={i + 1} total={job.outputs!.length} prompt={job.prompt} onRefresh={() => onRefresh(job.id)} />
          ))}
        </div>
      ) : null}
    </li>
  );
}
