// The runner: dependencies, needs, timeouts, crash isolation, order, concurrency, selection and memoisation.
import { describe, expect, it } from 'vitest';
import { type CheckDefinition } from '../../src/check.js';
import { defaultSettings, type Settings } from '../../src/config/settings.js';
import type { CheckOutcome } from '../../src/model.js';
import { runChecks } from '../../src/runner/run.js';
import { UsageError } from '../../src/config/errors.js';
import { onFakeClock } from '../helpers/clock.js';
import { testCheck } from '../helpers/check.js';

const check = testCheck;
const outcome = (status: CheckOutcome['status']) => async (): Promise<CheckOutcome> => ({ status, summary: status });
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

function settings(overrides: Partial<Settings> = {}): Settings {
  return defaultSettings(overrides);
}

describe('runChecks', () => {
  it.each([
    ['fail', 'depends on a, which failed'],
    ['error', 'depends on a, which errored'],
    ['skip', 'depends on a, which was skipped'],
  ] as const)('skips a dependent of a check that ends %s, naming it', async (status, reason) => {
    const run = await runChecks([check('a', outcome(status)), check('b', outcome('pass'), { dependsOn: ['a'] })], settings());
    expect(run.results[1]).toMatchObject({ id: 'b', status: 'skip', summary: reason });
  });

  it('runs a dependent of a passing or warning check', async () => {
    const run = await runChecks([check('a', outcome('warn')), check('b', outcome('pass'), { dependsOn: ['a'] })], settings());
    expect(run.results.map((r) => r.status)).toEqual(['warn', 'pass']);
  });

  it.each([
    ['gateway', {}, 'no gateway URL given'],
    ['gitlab', {}, 'no GitLab URL given'],
    ['token', { gitlabUrl: 'https://gitlab.example.com' }, 'no GitLab token given'],
  ] as const)('skips a check whose target %s is missing', async (need, overrides, reason) => {
    const run = await runChecks([check('a', outcome('pass'), { needs: [need] })], settings(overrides));
    expect(run.results[0]!.status).toBe('skip');
    expect(run.results[0]!.summary).toContain(reason);
  });

  it('counts the gateway as given when GitLab and a token can tell its URL', async () => {
    const run = await runChecks(
      [check('a', outcome('pass'), { needs: ['gateway'] })],
      settings({ gitlabUrl: 'https://gitlab.example.com', gitlabToken: 'glpat-x' }),
    );
    expect(run.results[0]!.status).toBe('pass');
  });

  it('times out a hung check while the others finish, and aborts its signal', async () => {
    let aborted = false;
    const hung = check('hung', (ctx) => {
      ctx.signal.addEventListener('abort', () => (aborted = true));
      return new Promise<never>(() => {});
    });
    const { value: run, elapsedMs } = await onFakeClock(() => runChecks([hung, check('ok', outcome('pass'))], settings({ timeoutMs: 150 })));
    expect(elapsedMs).toBeLessThan(5_000);
    expect(run.results[0]).toMatchObject({ status: 'error', summary: 'timed out after 150 ms' });
    expect(run.results[1]!.status).toBe('pass');
    expect(aborted).toBe(true);
  });

  it('turns a throwing check into an error with its message, no stack, and goes on', async () => {
    const run = await runChecks(
      [
        check('boom', async () => {
          throw new TypeError('cannot read x of undefined');
        }),
        check('after', outcome('pass')),
      ],
      settings(),
    );
    expect(run.results[0]).toMatchObject({ status: 'error', summary: 'check crashed: cannot read x of undefined' });
    expect(JSON.stringify(run)).not.toMatch(/\n\s+at /);
    expect(run.results[1]!.status).toBe('pass');
  });

  it('rejects a check result that is not an outcome', async () => {
    const run = await runChecks([check('bad', async () => ({ status: 'great' }) as unknown as CheckOutcome)], settings());
    expect(run.results[0]!.status).toBe('error');
  });

  it('lists results in registry order whatever order they finish in', async () => {
    const checks = [40, 5, 25, 0].map((ms, i) => check(`c${i}`, async () => (await sleep(ms), { status: 'pass', summary: '' })));
    const run = await runChecks(checks, settings());
    expect(run.results.map((r) => r.id)).toEqual(['c0', 'c1', 'c2', 'c3']);
  });

  it('runs independent checks concurrently: ten 200 ms checks take well under 2 s', async () => {
    const checks = Array.from({ length: 10 }, (_, i) => check(`w${i}`, async () => (await sleep(200), { status: 'pass', summary: '' })));
    const { elapsedMs } = await onFakeClock(() => runChecks(checks, settings()));
    expect(elapsedMs).toBeLessThan(1_000);
  });

  it('honours --concurrency', async () => {
    let active = 0;
    let peak = 0;
    const checks = Array.from({ length: 6 }, (_, i) =>
      check(`c${i}`, async () => {
        peak = Math.max(peak, ++active);
        await sleep(20);
        active--;
        return { status: 'pass', summary: '' };
      }),
    );
    await runChecks(checks, settings({ concurrency: 2 }));
    expect(peak).toBe(2);
  });

  it('--only pulls in dependencies so verdicts do not change with the selection', async () => {
    const registry = [check('a', outcome('fail')), check('b', outcome('pass'), { dependsOn: ['a'] }), check('c', outcome('pass'))];
    const run = await runChecks(registry, settings({ only: ['b'] }));
    expect(run.results.map((r) => [r.id, r.status])).toEqual([
      ['a', 'fail'],
      ['b', 'skip'],
    ]);
  });

  it('selects by tag and skips by id; a dependent of a skipped check says so', async () => {
    const registry = [
      check('a', outcome('pass'), { tags: ['ci'] }),
      check('b', outcome('pass'), { tags: ['ci'], dependsOn: ['a'] }),
      check('c', outcome('pass'), { tags: ['deep'] }),
    ];
    const run = await runChecks(registry, settings({ only: ['ci'], skip: ['a'] }));
    expect(run.results.map((r) => [r.id, r.status, r.summary])).toEqual([['b', 'skip', 'depends on a, which this run excludes (--skip)']]);
  });

  it('rejects unknown ids in --only and --skip', async () => {
    await expect(runChecks([check('a', outcome('pass'))], settings({ only: ['nope'] }))).rejects.toThrow(UsageError);
    await expect(runChecks([check('a', outcome('pass'))], settings({ skip: ['nope'] }))).rejects.toThrow(/--skip nope/);
  });

  it('memoises probes across checks: one gather per key per run', async () => {
    let gathers = 0;
    const probe = (ctx: Parameters<CheckDefinition['run']>[0]) =>
      ctx.memo('probe:x', async () => {
        gathers++;
        await sleep(10);
        return 42;
      });
    const registry = ['a', 'b', 'c'].map((id) => check(id, async (ctx) => ({ status: 'pass', summary: String(await probe(ctx)) })));
    const run = await runChecks(registry, settings());
    expect(gathers).toBe(1);
    expect(run.results.map((r) => r.summary)).toEqual(['42', '42', '42']);
  });

  it('summarises by status and redacts credentials in targets', async () => {
    const run = await runChecks(
      [check('a', outcome('pass')), check('b', outcome('warn')), check('c', outcome('fail'))],
      settings({ gitlabUrl: 'https://root:secret@gitlab.example.com' }),
    );
    expect(run.summary).toEqual({ pass: 1, warn: 1, fail: 1, skip: 0, error: 0 });
    expect(run.targets.gitlab).toBe('https://REDACTED:REDACTED@gitlab.example.com/');
    expect(run.schemaVersion).toBe(1);
  });
});
