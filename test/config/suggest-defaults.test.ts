// The small helpers of the configuration: the did-you-mean distance at its 3-edit limit, every option's default label,
// which options each command takes, and the defaults every Settings starts from.
import { describe, expect, it } from 'vitest';
import { defaultLabel, OPTIONS, optionsOf, type OptionSpec } from '../../src/config/options.js';
import { DEFAULTS, defaultSettings } from '../../src/config/settings.js';
import { closest, didYouMean } from '../../src/config/suggest.js';

describe('closest', () => {
  it.each([
    ['gitlabUrl', ['gitlabUrl'], 'gitlabUrl'],
    ['gitlabUlr', ['gatewayUrl', 'gitlabUrl'], 'gitlabUrl'],
    ['GITLABURL', ['gitlabUrl'], 'gitlabUrl'],
    ['abc', ['abcxyz'], 'abcxyz'],
    ['abc', ['abcwxyz'], undefined],
    ['', ['abc'], 'abc'],
    ['', ['abcd'], undefined],
    ['abc', ['xbc', 'abc'], 'abc'],
    ['kitten', ['sitting'], 'sitting'],
    ['flaw', ['lawn'], 'lawn'],
    ['x', [], undefined],
    ['timeot', ['concurrency', 'timeout', 'deadline'], 'timeout'],
    ['strict', ['tsrict', 'stric'], 'stric'],
  ] as [string, string[], string | undefined][])('%j among %j → %j', (name, candidates, want) => {
    expect(closest(name, candidates)).toBe(want);
  });

  it.each([
    ['gitlabUlr', ['gitlabUrl'], " (did you mean 'gitlabUrl'?)"],
    ['zzzzzzzz', ['gitlabUrl'], ''],
  ])('didYouMean %j', (name, candidates, want) => {
    expect(didYouMean(name, candidates)).toBe(want);
  });
});

describe('options', () => {
  const spec = (extra: Partial<OptionSpec>) =>
    ({ name: 'x', flag: '--x', type: 'string', help: '', parse: () => 'x', ...extra }) as unknown as OptionSpec;

  it.each([
    [{ defaultText: '60s', default: 60_000 }, '60s'],
    [{ defaultText: '', default: 1 }, ''],
    [{ default: 10_000 }, '10000'],
    [{ default: 0 }, '0'],
    [{ default: 'text' }, 'text'],
    [{ default: true }, 'true'],
    [{ default: false }, undefined],
    [{}, undefined],
  ])('defaultLabel %j → %j', (extra, want) => {
    expect(defaultLabel(spec(extra))).toBe(want);
  });

  it('each command takes the options declared for it (all of them when none is named)', () => {
    for (const command of ['check', 'serve', 'demo', 'replay'] as const) {
      const want = (OPTIONS as readonly OptionSpec[]).filter((o) => (o.commands ?? ['check', 'serve', 'demo']).includes(command)).map((o) => o.name);
      expect(optionsOf(command).map((o) => o.name)).toEqual(want);
    }
    expect(optionsOf('serve').map((o) => o.name)).toContain('intervalMs');
    expect(optionsOf('check').map((o) => o.name)).not.toContain('intervalMs');
  });
});

describe('defaultSettings', () => {
  it('starts from every default, empty lists and no environment', () => {
    // Options that only feed other settings (reports, serve's listener) have defaults but no field of their own.
    const composed = new Set(['format', 'report', 'port', 'host', 'intervalMs']);
    const carried = Object.entries(DEFAULTS).filter(([name]) => !composed.has(name));
    expect(defaultSettings()).toEqual({ ...Object.fromEntries(carried), hfHomeSource: 'default', reports: [], env: {} });
    expect(carried.map(([name]) => name)).toEqual(expect.arrayContaining(['tmpDir', 'timeoutMs', 'concurrency', 'deep', 'deepSeconds']));
    // Fresh lists each time: a caller that pushes to one must not change the option table's default.
    expect(defaultSettings().only).not.toBe(DEFAULTS.only);
    expect(DEFAULTS.timeoutMs).toBeGreaterThan(0);
  });

  it('takes overrides over the defaults', () => {
    expect(defaultSettings({ only: ['a'], concurrency: 1 })).toMatchObject({ only: ['a'], concurrency: 1, skip: [] });
  });
});
