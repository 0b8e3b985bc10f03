// A counting semaphore: at most `max` tasks hold a slot at once; the rest wait in arrival order.

export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
}

/** A limiter allowing `max` concurrent tasks (Infinity = no limit). */
export function createLimiter(max: number): Limiter {
  if (!(max >= 1)) throw new RangeError(`concurrency must be at least 1, got ${max}`);
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
      active++;
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
