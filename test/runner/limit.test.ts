// The concurrency limiter: the cap at its edges, arrival order, priorities, a slot freed by a failing task, a freed slot
// never taken by a newcomer. No timers: each task finishes when the test resolves it.
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

  it('hands each freed slot to the lowest priority number waiting, the earliest of equals first', async () => {
    const started: string[] = [];
    const limiter = createLimiter(2);
    const [a, b, late1, early, late2, c] = ['a', 'b', 'late1', 'early', 'late2', 'c'].map((n) => gate(started, n));
    const runs = [
      limiter.run(a!.task, 5),
      limiter.run(b!.task, 5),
      limiter.run(late1!.task, 2),
      limiter.run(early!.task, 1),
      limiter.run(late2!.task, 2),
      limiter.run(c!.task),
    ];
    await settle();
    expect(started).toEqual(['a', 'b']);
    for (const [finished, next] of [
      [a, 'c'],
      [b, 'early'],
      [c, 'late1'],
      [early, 'late2'],
    ] as const) {
      finished!.finish();
      await settle();
      expect(started.at(-1)).toBe(next);
    }
    late1!.finish();
    late2!.finish();
    await Promise.all(runs);
  });

  // Whatever microtask a newcomer arrives on after the slot is freed, the waiting task keeps it (a newcomer taking it
  // put two tasks in one slot, seen at 2 microtasks).
  it.each([0, 1, 2, 3, 4, 5, 6])('never runs two tasks in one slot: a task arriving %s microtasks after the release waits', async (hops) => {
    const limiter = createLimiter(1);
    let inFlight = 0;
    let peak = 0;
    const counted = (work: () => Promise<unknown>) => async () => {
      peak = Math.max(peak, ++inFlight);
      await work();
      inFlight--;
    };
    const [first, waiting, newcomer] = ['first', 'waiting', 'newcomer'].map((n) => gate([], n));
    const runs = [limiter.run(counted(first!.task)), limiter.run(counted(waiting!.task))];
    await settle();
    first!.finish();
    for (let i = 0; i < hops; i++) await Promise.resolve();
    runs.push(limiter.run(counted(newcomer!.task)));
    await settle();
    waiting!.finish();
    await settle();
    newcomer!.finish();
    await Promise.all(runs);
    expect(peak).toBe(1);
  });
});
