// The bench's translation of a stack's settings into the CLI's flags: every setting a scenario can give, or a loud refusal.
import { describe, expect, it } from 'vitest';
import { cliTarget } from '../../bench/target.js';
import type { Stack } from '../../src/reference/scenarios.js';

const stack = (settingsOverrides: Stack['settingsOverrides']) => ({ settingsOverrides }) as Stack;

describe('cliTarget', () => {
  it.each([
    ['a value flag', { tmpDir: '/t' }, ['--tmp-dir', '/t'], {}],
    ['a switch takes no value', { deep: true, deepSeconds: 3 }, ['--deep', '--deep-seconds', '3'], {}],
    ['an --exec prefix with spaces stays one argument', { exec: 'unshare -rn env -i A=b' }, ['--exec', 'unshare -rn env -i A=b'], {}],
    [
      'the token and environment go to the environment',
      { gitlabToken: 'glpat-x', env: { AIGW_A: '1' } },
      [],
      { GITLAB_TOKEN: 'glpat-x', AIGW_A: '1' },
    ],
    ['settings without a flag are left out', { gatewayUrlSource: 'flag' as const, gatewayDirectPorts: [1] }, [], {}],
  ])('%s', (_name, overrides, args, env) => {
    expect(cliTarget(stack(overrides))).toEqual({ args, env });
  });

  it('throws on a setting it cannot translate', () => {
    expect(() => cliTarget(stack({ timeoutMs: 5 }))).toThrow(/cannot pass the stack setting timeoutMs/);
  });
});
