// The concurrency limiter: the cap at its edges, arrival order, a slot freed by a failing task. No timers: each task
// finishes when the test resolves it.
import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../src/runner/limit.js';

/** A task the test finishes by hand, recording when it started. */
function gate(started: string[], name: string) {
  let finish!: (value: string) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return {
    task: () => {
      started.push(name);
      return done;
    },
    finish: () => finish(name),
    fail: () => fail(new Error(`${name} failed`)),
  };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createLimiter', () => {
  it.each([0, -1, 0.5, Number.NaN])('refuses a cap of %s', (max) => {
    expect(() => createLimiter(max)).toThrow(new RangeError(`concurrency must be at least 1, got ${max}`));
  });

  it.each([1, Infinity])('accepts a cap of %s', (max) => {
    expect(() => createLimiter(max)).not.toThrow();
  });

  it('runs at most the cap at once, the rest in arrival order, each freed slot taken by the next', async () => {
    const started: string[] = [];
    const limiter = createLimiter(2);
    const gates = ['a', 'b', 'c', 'd'].map((n) => gate(started, n));
    const results = gates.map((g) => limiter.run(g.task));
    await settle();
    expect(started).toEqual(['a', 'b']);
    gates[1]!.finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    gates[0]!.finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    gates[2]!.finish();
    gates[3]!.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a cap of one runs one task at a time', async () => {
    const started: string[] = [];
    const limiter = createLimiter(1);
    const [a, b] = [gate(started, 'a'), gate(started, 'b')];
    const results = [limiter.run(a.task), limiter.run(b.task)];
    await settle();
    expect(started).toEqual(['a']);
    a.finish();
    await settle();
    expect(started).toEqual(['a', 'b']);
    b.finish();
    await Promise.all(results);
  });

  it('a failing task passes its error on and frees its slot', async () => {
    const started: string[] = [];
    const limiter = createLimiter(1);
    const [a, b] = [gate(started, 'a'), gate(started, 'b')];
    const first = limiter.run(a.task);
    const second = limiter.run(b.task);
    a.fail();
    await expect(first).rejects.toThrow('a failed');
    await settle();
    expect(started).toEqual(['a', 'b']);
    b.finish();
    expect(await second).toBe('b');
  });

  it('after a burst, the cap is whole again', async () => {
    const started: string[] = [];
    const limiter = createLimiter(2);
    const burst = ['a', 'b', 'c'].map((n) => gate(started, n));
    const done = burst.map((g) => limiter.run(g.task));
    burst.forEach((g) => g.finish());
    await Promise.all(done);
    const next = ['d', 'e', 'f'].map((n) => gate(started, n));
    const more = next.map((g) => limiter.run(g.task));
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e']);
    next.forEach((g) => g.finish());
    await Promise.all(more);
  });
});
