// resources: the install guide's minimum (512 MB) and small-deployment size (2 vCPUs, 8 GB), free disk, and only where the gateway runs.
import { describe, expect, it } from 'vitest';
import check, { judge, MIN_DISK, MIN_MEMORY, SMALL_CPUS, type Facts } from '../../checks/resources.js';
import type { ResourceFacts } from '../../src/runtime/facts.js';
import { makeContext } from '../helpers/context.js';

const GiB = 1024 ** 3;
const measured = (over: Partial<ResourceFacts>): ResourceFacts => ({
  memoryBytes: 16 * GiB,
  memorySource: 'host',
  cpus: 4,
  cpuSource: 'host',
  diskFree: { '/tmp': 50 * GiB },
  ...over,
});
const at = (over: Partial<ResourceFacts>): Facts => ({
  place: { kind: 'exec', prefix: 'docker exec aigw' },
  dirs: ['/tmp'],
  measured: measured(over),
});

describe('resources judge', () => {
  it.each([
    ['ample', at({}), ['enough']],
    ['exactly the minimum memory', at({ memoryBytes: MIN_MEMORY }), ['belowSmallDeployment']],
    ['one byte under the minimum', at({ memoryBytes: MIN_MEMORY - 1, memorySource: 'cgroup' }), ['belowMinimum']],
    ['zero memory', at({ memoryBytes: 0 }), ['belowMinimum']],
    ['below the small deployment', at({ memoryBytes: 4 * GiB }), ['belowSmallDeployment']],
    ['exactly the small deployment CPUs', at({ cpus: SMALL_CPUS }), ['enough']],
    ['one CPU', at({ cpus: 1 }), ['belowSmallDeployment']],
    ['exactly 1 GiB free', at({ diskFree: { '/tmp': MIN_DISK } }), ['enough']],
    ['one byte under 1 GiB free', at({ diskFree: { '/tmp': MIN_DISK - 1 } }), ['lowDisk']],
    ['disk unknown', at({ diskFree: { '/tmp': undefined } }), ['enough']],
    ['little memory and little disk', at({ memoryBytes: 100, diskFree: { '/tmp': 0 } }), ['belowMinimum', 'lowDisk']],
    ['not the gateway', { place: { kind: 'elsewhere', hostname: 'laptop' }, dirs: ['/tmp'] } as Facts, ['notTheGateway']],
  ])('%s → %j', (_name, facts, ids) => {
    expect(judge(facts).findings.map((f) => f.id)).toEqual(ids);
  });
});

describe('resources', () => {
  it("measures this host when its environment is the gateway's", async () => {
    const outcome = await check.run(makeContext({ tmpDir: '/tmp', hfHome: '/tmp', env: { AIGW_GITLAB_URL: 'https://gitlab.example' } }));
    expect(['pass', 'warn']).toContain(outcome.status);
    expect(outcome.details?.join('\n')).toMatch(/Measured this host \(.*\), whose environment is the gateway's/);
  });

  it("skips on a host that is not the gateway's, saying how to run it there", async () => {
    const outcome = await check.run(makeContext({ env: {} }));
    expect(outcome.findings).toEqual([{ id: 'notTheGateway', status: 'skip' }]);
    expect(outcome.details?.join('\n')).toContain('--exec "docker exec <container>"');
  });
});
