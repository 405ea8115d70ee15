import type { Clock } from '../domain/ports';

export const systemClock: Clock = { now: () => new Date() };

/**
 * The local stack's one clock: every handler and job reads it, and `POST /_local/clock` moves it.
 * It runs on from the instant it was set, so time still passes between requests.
 */
export class SettableClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(seconds: number): Date {
    this.offsetMs += seconds * 1000;
    return this.now();
  }

  set(at: Date): Date {
    this.offsetMs = at.getTime() - Date.now();
    return this.now();
  }
}
