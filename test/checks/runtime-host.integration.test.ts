// runtime-host through real --exec prefixes: one that runs sh, and broken ones that fail once, naming the prefix.
import { describe, expect, it } from 'vitest';
import check from '../../checks/runtime-host.js';
import { makeContext } from '../helpers/context.js';

describe('runtime-host through --exec', () => {
  it('passes through a prefix that really runs sh (env -i)', async () => {
    const outcome = await check.run(makeContext({ exec: 'env -i PATH=/usr/bin:/bin' }));
    expect(outcome).toMatchObject({ status: 'pass', summary: 'runtime probes run inside: env -i PATH=/usr/bin:/bin' });
  });

  it.each([
    ['a program that does not exist', 'no-such-program-duo exec gitlab-aigw', /could not start no-such-program-duo: command not found/],
    ['a prefix that fails before sh', 'sh -c "echo container not found >&2; exit 1" --', /could not run sh: container not found/],
  ])('fails once, naming the prefix, for %s', async (_name, prefix, message) => {
    const outcome = await check.run(makeContext({ exec: prefix }));
    expect(outcome.findings).toEqual([{ id: 'prefixBroken', status: 'fail' }]);
    expect(outcome.summary).toMatch(message);
    expect(outcome.summary).toContain(`--exec "${prefix}"`);
  });
});
