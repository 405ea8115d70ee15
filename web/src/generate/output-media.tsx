/**
 * One stored output: an image or a playable video, with a link to open (and save) it. Its link is
 * presigned and lasts 15 minutes: when the media fails to load, or the link is opened after it
 * expired, the generation is read again for a fresh link; a link that fails again within a minute
 * of that (a file that is gone) shows a message instead of reading it again and again.
 */
import { useRef, useState, type MouseEvent } from 'react';
import type { Schemas } from '../api/client';
import { formatNumber } from '../format';
import { truncate } from './params';
import type { Generation } from './use-generations';

type Output = Schemas['GenerationOutput'];

interface Props {
  output: Output;
  /** 1-based position among the job's outputs. */
  index: number;
  total: number;
  prompt: string | undefined;
  onRefresh(): Promise<Generation | null>;
}

const kindOf = (contentType: string) => (contentType.startsWith('image/') ? 'image' : contentType.startsWith('video/') ? 'video' : 'file');
const sizeOf = (bytes: number) => (bytes < 1024 ? `${formatNumber(bytes)} bytes` : bytes < 1024 * 1024 ? `${formatNumber(Math.round(bytes / 1024))} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`);
const EXPIRY_MARGIN_MS = 10_000;
const REFRESH_AT_MOST_EVERY_MS = 60_000;

export function OutputMedia({ output, index, total, prompt, onRefresh }: Props) {
  const kind = kindOf(output.contentType);
  const [attempt, setAttempt] = useState(0);
  const [broken, setBroken] = useState<string | null>(null);
  const lastRefresh = useRef(Number.NEGATIVE_INFINITY);
  const which = total > 1 ? ` ${index} of ${total}` : '';
  const description = `${prompt ? truncate(prompt, 150) : 'Generated'} (${kind}${which})`;

  const onError = () => {
    if (Date.now() - lastRefresh.current < REFRESH_AT_MOST_EVERY_MS) {
      setBroken(output.url);
      return;
    }
    lastRefresh.current = Date.now();
    void onRefresh().then(() => setAttempt((a) => a + 1));
  };

  // An expired link opens a fresh one instead: the tab is opened now (a click's permission), then pointed at it.
  const openFresh = (event: MouseEvent<HTMLAnchorElement>) => {
    if (Date.parse(output.expiresAt) - Date.now() > EXPIRY_MARGIN_MS) return;
    event.preventDefault();
    const tab = window.open('', '_blank');
    void onRefresh().then((job) => {
      const url = job?.outputs?.find((o) => o.id === output.id)?.url;
      if (!tab) return;
      tab.opener = null;
      if (url) tab.location.href = url;
      else tab.close();
    });
  };

  return (
    <figure className={`output output-${kind}`}>
      {broken === output.url ? (
        <p className="error small media-box">This {kind} could not be loaded.</p>
      ) : kind === 'image' ? (
        <img key={attempt} className="media-box" src={output.url} alt={description} onError={onError} />
      ) : kind === 'video' ? (
        <video key={attempt} className="media-box video" src={output.url} controls preload="metadata" aria-label={description} onError={onError} />
      ) : null}
      <figcaption className="small">
        <a href={output.url} target="_blank" rel="noopener noreferrer" onClick={openFresh}>
          Open {kind}
          {which}
        </a>{' '}
        <span className="muted">
          {output.contentType} · {sizeOf(output.sizeBytes)}
        </span>
      </figcaption>
    </figure>
  );
}
