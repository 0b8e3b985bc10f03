// Several installations in one run: concurrent under one cap, each with its own probe cache, results labelled by target.
// On a fake clock: the probes' 100 ms pass without being waited for, and the elapsed time read is exact.
import { beforeEach, describe, expect, it } from 'vitest';
import { testCheck } from '../helpers/check.js';
import { defineCheck } from '../../src/check.js';
import { defaultSettings } from '../../src/config/settings.js';
import { runAll } from '../../src/runner/installations.js';
import { FLEET_CONCURRENCY } from '../../src/runner/limit.js';
import { onFakeClock } from '../helpers/clock.js';

const probeCalls: string[] = [];
const check = defineCheck({
  id: 'url-check',
  title: 'Fails for the broken installation',
  category: 'network',
  tags: ['ci'],
  needs: ['gitlab'],
  explain: { checks: 'x', failsWhen: 'x', fix: 'x' },
  async run(ctx) {
    const url = await ctx.memo('probe', async () => {
      probeCalls.push(ctx.settings.gitlabUrl!);
      await new Promise((r) => setTimeout(r, 100));
      return ctx.settings.gitlabUrl!;
    });
    return url.includes('broken') ? { status: 'fail', summary: `${url} is broken` } : { status: 'pass', summary: `${url} is fine` };
  },
});

describe('runAll', () => {
  // Each test counts its own probe calls, in whatever order the tests run (--sequence.shuffle).
  beforeEach(() => {
    probeCalls.length = 0;
  });

  it('runs each installation concurrently with its own probes, labelling every result', async () => {
    const base = defaultSettings();
    const settings = defaultSettings({
      installations: [
        { name: 'prod', settings: { ...base, gitlabUrl: 'https://gitlab.example.com' } },
        { name: 'staging', settings: { ...base, gitlabUrl: 'https://broken.example.com' } },
      ],
    });
    const { value: run, elapsedMs } = await onFakeClock(() => runAll([check], settings));
    expect(elapsedMs).toBeLessThan(200);
    expect(probeCalls.sort()).toEqual(['https://broken.example.com', 'https://gitlab.example.com']);
    expect(run.results.map((r) => [r.target, r.status])).toEqual([
      ['prod', 'pass'],
      ['staging', 'fail'],
    ]);
    expect(run.summary).toMatchObject({ pass: 1, fail: 1 });
    expect(run.installations).toEqual([
      { name: 'prod', gitlab: 'https://gitlab.example.com' },
      { name: 'staging', gitlab: 'https://broken.example.com' },
    ]);
    expect(run.targets).toEqual({});
  });

  it('shares one concurrency cap across installations', async () => {
    const base = defaultSettings();
    const settings = defaultSettings({
      concurrency: 1,
      installations: ['a', 'b', 'c'].map((name) => ({ name, settings: { ...base, gitlabUrl: `https://${name}.example.com` } })),
    });
    const { elapsedMs } = await onFakeClock(() => runAll([check], settings));
    expect(elapsedMs).toBeGreaterThanOrEqual(300);
  });

  // A fleet without --concurrency: a bounded number of checks in flight, and the earlier installations served first, so
  // installations end (and free what they hold) one after another rather than all at the very end.
  it.each([
    ['no --concurrency', Number.POSITIVE_INFINITY, FLEET_CONCURRENCY],
    ['--concurrency 3', 3, 3],
  ])('with %s, a fleet keeps at most its cap in flight, earlier installations first', async (_name, concurrency, cap) => {
    let inFlight = 0;
    let peak = 0;
    const started: string[] = [];
    const finished: { url: string; started: number }[] = [];
    const slow = (id: string, dependsOn?: string[]) =>
      testCheck(
        id,
        async (ctx) => {
          if (id === 'a') started.push(ctx.settings.gitlabUrl!);
          peak = Math.max(peak, ++inFlight);
          await new Promise((r) => setTimeout(r, 5));
          inFlight--;
          if (id === 'd') finished.push({ url: ctx.settings.gitlabUrl!, started: started.length });
          return { status: 'pass', summary: 'ok' };
        },
        { tags: ['ci'], ...(dependsOn ? { dependsOn } : {}) },
      );
    const registry = [slow('a'), slow('b'), slow('c'), slow('d', ['a'])];
    const urls = Array.from({ length: 2 * cap + 2 }, (_, i) => `https://site-${String(i + 1).padStart(2, '0')}.example.com`);
    const installations = urls.map((gitlabUrl, i) => ({ name: `site-${i + 1}`, settings: defaultSettings({ gitlabUrl }) }));
    await onFakeClock(() => runAll(registry, defaultSettings({ concurrency, installations })));
    expect(peak).toBe(cap);
    expect(started).toEqual(urls);
    // The first installation was done before the last one began.
    expect(finished[0]!.url).toBe(urls[0]);
    expect(finished[0]!.started).toBeLessThan(urls.length);
  });
});
