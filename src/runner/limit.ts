// A counting semaphore: at most `max` tasks hold a slot at once; the rest wait, lowest priority number first, then in
// arrival order.

/**
 * The checks a multi-target run keeps in flight when --concurrency is not given (one target's suite is ~40 checks).
 * Every installation's every check at once (fifty installations: 2,000) opens all their connections together and
 * overflows a server's accept queue; a cap bounds that. Its size trades wall time against nothing much: fifty targets
 * behind +200 ms took 16.0 s at 32, 11.7 s at 48, 9.7 s at 64 and 8.2 s at 96, peak RSS 160–177 MB at every one
 * (V8 collecting late, not live data: ~27 MB live mid-run), idle two-core machine. Past ~96 the process is CPU-bound.
 */
export const FLEET_CONCURRENCY = 96;

export interface Limiter {
  /** Runs `task` in a slot; a freed slot goes to the waiting task with the lowest `priority` (default 0), then the earliest. */
  run<T>(task: () => Promise<T>, priority?: number): Promise<T>;
}

/** A limiter allowing `max` concurrent tasks (Infinity = no limit). */
export function createLimiter(max: number): Limiter {
  if (!(max >= 1)) throw new RangeError(`concurrency must be at least 1, got ${max}`);
  let active = 0;
  /** Sorted by priority, arrival order kept within one priority. */
  const waiting: Array<{ priority: number; start(): void }> = [];
  // A freed slot passes straight to the next waiting task: a task arriving before that one resumes cannot take it.
  const release = () => {
    const next = waiting.shift();
    if (next) next.start();
    else active--;
  };
  return {
    async run<T>(task: () => Promise<T>, priority = 0): Promise<T> {
      if (active < max) active++;
      else
        await new Promise<void>((start) => {
          const at = waiting.findIndex((w) => w.priority > priority);
          waiting.splice(at < 0 ? waiting.length : at, 0, { priority, start });
        });
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
