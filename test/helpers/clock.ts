// Runs timer-driven code (timeouts, deadlines, sleeping checks) on vitest's fake clock: every timer fires in order at once,
// and performance.now()/Date.now() read the fake time — a test of timeouts waits for none of them, and the elapsed time it
// reads is exact whatever the machine's load.
import { vi } from 'vitest';

/** What `start()` resolved to once every timer it set has fired, and the fake time that took. */
export async function onFakeClock<T>(start: () => Promise<T>): Promise<{ value: T; elapsedMs: number }> {
  vi.useFakeTimers();
  try {
    const t0 = performance.now();
    const work = start();
    await vi.runAllTimersAsync();
    const value = await work;
    return { value, elapsedMs: performance.now() - t0 };
  } finally {
    vi.useRealTimers();
  }
}
