/**
 * The recent generations and what happens to them: read on load (fresh output links each time),
 * followed until settled, cancelled on request, and read again when an output's link has expired.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, messageOf, unwrap, type ApiClient, type Schemas } from '../api/client';
import { pollUntil } from '../app-context';

export type Generation = Schemas['Generation'];

const FOLLOW_TIMEOUT_MS = 15 * 60_000;
const RECENT_LIMIT = '10';

/** Done following: succeeded, cancelled, or failed with its refund recorded. */
export function isSettled(job: Generation): boolean {
  return job.status === 'succeeded' || job.status === 'cancelled' || (job.status === 'failed' && job.refund !== undefined);
}

/** A late answer (a poll sent before a cancel) never takes a settled job back to running. */
const newer = (current: Generation, next: Generation) => (isSettled(current) && !isSettled(next) ? current : next);

export interface Generations {
  readonly jobs: Generation[];
  readonly loadError: string | null;
  /** The last status change of a followed job, for the page's live region. */
  readonly lastChange: Generation | null;
  /** Adds a just-accepted job (with the prompt it was asked with) at the top and follows it. */
  add(accepted: Schemas['GenerationAccepted'], prompt: string): void;
  /** Reads one job again (fresh output links); null when it could not be read. */
  refresh(id: string): Promise<Generation | null>;
  /** Cancels a queued or running job; answers the refusal in words, or null when cancelled. */
  cancel(id: string): Promise<string | null>;
}

export function useGenerations(api: ApiClient, refreshBalance: () => Promise<unknown>): Generations {
  const [jobs, setJobs] = useState<Generation[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [lastChange, setLastChange] = useState<Generation | null>(null);
  const following = useRef(new Set<string>());
  const stop = useRef(new AbortController());

  const shown = useRef<Generation[]>([]);
  useEffect(() => {
    shown.current = jobs;
  }, [jobs]);

  const merge = useCallback((job: Generation) => {
    const before = shown.current.find((j) => j.id === job.id);
    if (before) {
      const after = newer(before, job);
      if (after.status !== before.status || (after.refund && !before.refund)) setLastChange(after);
    }
    setJobs((all) => all.map((j) => (j.id === job.id ? newer(j, job) : j)));
  }, []);

  const refresh = useCallback(
    async (id: string) => {
      const job = await unwrap(api.GET('/v1/generations/{id}', { params: { path: { id } } })).catch(() => null);
      if (job) merge(job);
      return job;
    },
    [api, merge],
  );

  const follow = useCallback(
    async (id: string) => {
      if (following.current.has(id)) return;
      following.current.add(id);
      await pollUntil(async () => {
        const job = await refresh(id);
        return job !== null && isSettled(job);
      }, { intervalMs: 800, timeoutMs: FOLLOW_TIMEOUT_MS, signal: stop.current.signal });
      following.current.delete(id);
      if (!stop.current.signal.aborted) await refreshBalance();
    },
    [refresh, refreshBalance],
  );

  useEffect(() => {
    stop.current = new AbortController();
    const controller = stop.current;
    unwrap(api.GET('/v1/generations', { params: { query: { limit: RECENT_LIMIT } } }))
      .then((recent) => {
        if (controller.signal.aborted) return;
        setJobs(recent.generations);
        recent.generations.filter((g) => !isSettled(g)).forEach((g) => void follow(g.id));
      })
      .catch((error: unknown) => setLoadError(messageOf(error)));
    return () => controller.abort();
  }, [api, follow]);

  const add = useCallback(
    (accepted: Schemas['GenerationAccepted'], prompt: string) => {
      const now = new Date().toISOString();
      setJobs((all) => [{ ...accepted, prompt, createdAt: now, updatedAt: now }, ...all.filter((j) => j.id !== accepted.id)]);
      void follow(accepted.id);
    },
    [follow],
  );

  const cancel = useCallback(
    async (id: string) => {
      try {
        merge(await unwrap(api.POST('/v1/generations/{id}/cancel', { params: { path: { id } } })));
        void refreshBalance();
        return null;
      } catch (error) {
        // Already finished (or the model completed it first): read it again to show how it ended.
        if (error instanceof ApiError && error.status === 409) void refresh(id);
        return messageOf(error);
      }
    },
    [api, merge, refresh, refreshBalance],
  );

  return { jobs, loadError, lastChange, add, refresh, cancel };
}
