// The run-wide signal (the --deadline, or the caller's: serve shutting down) and what runAll adds around the runs:
// --strict, several installations' missing inputs and abort merged under their names. Fake timers or none.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testCheck } from '../helpers/check.js';
import { defaultSettings, type Settings } from '../../src/config/settings.js';
import { runAll, runSignal } from '../../src/runner/installations.js';
import { RunAborted } from '../../src/runner/run.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('runSignal', () => {
  it('without a deadline or an outer signal, never aborts', () => {
    vi.useFakeTimers();
    const { signal, dispose } = runSignal(undefined, undefined);
    vi.advanceTimersByTime(10 ** 9);
    expect(signal.aborted).toBe(false);
    dispose();
  });

  it.each([
    [1500, "the run's deadline (--deadline 1.5 s) passed"],
    [1, "the run's deadline (--deadline 0.001 s) passed"],
  ])('aborts exactly at a %s ms deadline, naming it, not a millisecond before', (deadlineMs, message) => {
    vi.useFakeTimers();
    const { signal, dispose } = runSignal(deadlineMs, undefined);
    vi.advanceTimersByTime(deadlineMs - 1);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(RunAborted);
    expect((signal.reason as Error).message).toBe(message);
    dispose();
  });

  it('a disposed deadline never fires', () => {
    vi.useFakeTimers();
    const { signal, dispose } = runSignal(100, undefined);
    dispose();
    vi.advanceTimersByTime(1000);
    expect(signal.aborted).toBe(false);
  });

  it.each([
    ['a RunAborted, kept as it is', () => new RunAborted('serve is shutting down'), 'serve is shutting down'],
    ['another error, its message', () => new Error('SIGTERM'), 'SIGTERM'],
    ['no error at all', () => 'just a string', 'the run was aborted'],
  ])('follows an outer signal that aborts later with %s', (_name, reason, message) => {
    const outer = new AbortController();
    const { signal, dispose } = runSignal(undefined, outer.signal);
    expect(signal.aborted).toBe(false);
    const why = reason();
    outer.abort(why);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(RunAborted);
    expect((signal.reason as Error).message).toBe(message);
    if (why instanceof RunAborted) expect(signal.reason).toBe(why);
    dispose();
  });

  it('is aborted at once when the outer signal already is', () => {
    const outer = new AbortController();
    outer.abort(new RunAborted('already'));
    const { signal, dispose } = runSignal(undefined, outer.signal);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('already');
    dispose();
  });

  it('no longer follows the outer signal once disposed', () => {
    const outer = new AbortController();
    const { signal, dispose } = runSignal(undefined, outer.signal);
    dispose();
    outer.abort(new RunAborted('late'));
    expect(signal.aborted).toBe(false);
  });

  it('takes many listeners without a warning (every running check listens)', () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const { signal, dispose } = runSignal(undefined, undefined);
    for (let i = 0; i < 50; i++) signal.addEventListener('abort', () => undefined);
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        process.off('warning', onWarning);
        dispose();
        expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
        resolve();
      }),
    );
  });
});

const check = testCheck;
const passes = check('passes', async () => ({ status: 'pass', summary: 'fine' }));
const needsToken = check('needs-token', async () => ({ status: 'pass', summary: 'fine' }), { needs: ['token'] });

describe('runAll', () => {
  it.each([
    [true, { strict: true }],
    [false, {}],
  ])('strict %s → %j on the run', async (strict, want) => {
    const run = await runAll([passes], defaultSettings({ strict }));
    expect(run.strict === undefined ? {} : { strict: run.strict }).toEqual(want);
  });

  it('an empty list of installations is a single-target run', async () => {
    const run = await runAll([passes], defaultSettings({ installations: [], gitlabUrl: 'https://gitlab.example.com' }));
    expect(run.installations).toBeUndefined();
    expect(run.targets).toEqual({ gitlab: 'https://gitlab.example.com' });
    expect(run.results.map((r) => r.target)).toEqual([undefined]);
  });

  it("merges each installation's missing inputs under its name, and passes each one's facts on with its name", async () => {
    const base = defaultSettings();
    const installations: Settings['installations'] = [
      { name: 'with-token', settings: { ...base, gitlabToken: 'glpat-aaaa' } },
      { name: 'without', settings: base },
    ];
    const facts: [string, unknown, string | undefined][] = [];
    const reporting = check('reports-facts', async (ctx) => (ctx.onFacts?.('reports-facts', { n: 1 }), { status: 'pass', summary: 'ok' }));
    const run = await runAll([needsToken, reporting], defaultSettings({ installations, strict: true }), {
      onFacts: (id, f, target) => facts.push([id, f, target]),
    });
    expect(run.missingInputs).toEqual([expect.objectContaining({ input: 'token', checks: ['needs-token'], target: 'without' })]);
    expect(facts.sort()).toEqual([
      ['reports-facts', { n: 1 }, 'with-token'],
      ['reports-facts', { n: 1 }, 'without'],
    ]);
    expect(run.results.map((r) => [r.target, r.id, r.status])).toEqual([
      ['with-token', 'needs-token', 'pass'],
      ['with-token', 'reports-facts', 'pass'],
      ['without', 'needs-token', 'skip'],
      ['without', 'reports-facts', 'pass'],
    ]);
    expect(run.strict).toBe(true);
    expect(run.aborted).toBeUndefined();
  });

  it('no missing input in any installation: no missingInputs at all', async () => {
    const base = defaultSettings();
    const run = await runAll([passes], defaultSettings({ installations: [{ name: 'a', settings: base }] }));
    expect(run).not.toHaveProperty('missingInputs');
    expect(run).not.toHaveProperty('aborted');
  });

  it('an outer signal aborted before the start: every installation says so, and the run is marked aborted', async () => {
    const base = defaultSettings();
    const outer = new AbortController();
    outer.abort(new RunAborted('serve is shutting down'));
    const run = await runAll(
      [passes],
      defaultSettings({
        installations: [
          { name: 'a', settings: base },
          { name: 'b', settings: base },
        ],
      }),
      { signal: outer.signal },
    );
    expect(run.aborted).toBe('serve is shutting down');
    expect(run.results.map((r) => [r.target, r.status, r.summary])).toEqual([
      ['a', 'error', 'serve is shutting down before passes started'],
      ['b', 'error', 'serve is shutting down before passes started'],
    ]);
  });
});
