// Several installations in one run: concurrent under one cap, each with its own probe cache, results labelled by target.
// On a fake clock: the probes' 100 ms pass without being waited for, and the elapsed time read is exact.
import { describe, expect, it } from 'vitest';
import { defineCheck } from '../../src/check.js';
import { defaultSettings } from '../../src/config/settings.js';
import { runAll } from '../../src/runner/installations.js';
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
});
