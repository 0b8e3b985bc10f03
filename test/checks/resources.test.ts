// resources: the install guide's minimum (512 MB) and small-deployment size (2 vCPUs, 8 GB), and free disk.
import { describe, expect, it } from 'vitest';
import check, { judgeResources } from '../../checks/resources.js';
import type { ResourceFacts } from '../../src/runtime/facts.js';
import { makeContext } from '../helpers/context.js';

const GiB = 1024 ** 3;
const facts = (over: Partial<ResourceFacts>): ResourceFacts => ({
  memoryBytes: 16 * GiB,
  memorySource: 'host',
  cpus: 4,
  cpuSource: 'host',
  diskFree: { '/tmp': 50 * GiB },
  ...over,
});

describe('resources', () => {
  it.each([
    ['ample', {}, 'pass', /16\.0 GiB of memory, 4 CPUs/],
    ['below the minimum', { memoryBytes: 256 * 1024 ** 2, memorySource: 'cgroup' as const }, 'fail', /only 256 MiB of memory: .*512 MB/],
    ['below the small deployment', { memoryBytes: 4 * GiB }, 'warn', /below the guide's small deployment/],
    ['one CPU', { cpus: 1 }, 'warn', /1 CPU\(s\)/],
    ['little disk', { diskFree: { '/tmp': 200 * 1024 ** 2 } }, 'warn', /only 200 MiB free for \/tmp/],
  ] as const)('%s → %s', (_name, over, status, summary) => {
    const outcome = judgeResources(facts(over), ['/tmp'], 'this host');
    expect(outcome.status).toBe(status);
    expect(outcome.summary).toMatch(summary);
    if (status !== 'pass') expect(outcome.remediation).toBeTruthy();
  });

  it('measures this host for real', async () => {
    const outcome = await check.run(makeContext({ tmpDir: '/tmp', hfHome: '/tmp' }));
    expect(['pass', 'warn']).toContain(outcome.status);
    expect(outcome.details?.join('\n')).toMatch(/Measured on this host/);
  });
});
