/**
 * Retry-After as milliseconds to wait: seconds (whole or not) or an HTTP date; undefined when absent,
 * negative or unreadable. Shared by every adapter that reads a provider's or a download's answer.
 */
export function retryAfterMsOf(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  const seconds = Number(trimmed);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
