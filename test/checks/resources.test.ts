// resources: the install guide's minimum (512 MB) and small-deployment size (2 vCPUs, 8 GB), free disk, and only where the gateway runs.
import { describe, expect, it } from 'vitest';
import check, { judge, MIN_DISK, MIN_MEMORY, SMALL_CPUS, SMALL_MEMORY, type Facts } from '../../checks/resources.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
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
    ['exactly the small deployment memory', at({ memoryBytes: SMALL_MEMORY }), ['enough']],
    ['one byte under the small deployment memory', at({ memoryBytes: SMALL_MEMORY - 1 }), ['belowSmallDeployment']],
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

describe('resources renderings (every message, pinned in __renderings__/resources.txt)', () => {
  const MiB = 1024 ** 2;
  const cases: RenderCase<Facts>[] = [
    { name: 'not the gateway', facts: { place: { kind: 'elsewhere', hostname: 'laptop' }, dirs: ['/tmp'] } },
    {
      name: 'ample, container limits, on the gateway host, two directories',
      facts: {
        place: { kind: 'gateway-env', hostname: 'aigw-1' },
        dirs: ['/tmp', '/home/aigateway/.hf'],
        measured: measured({
          memorySource: 'cgroup',
          cpuSource: 'cgroup',
          availableMemoryBytes: 6 * GiB,
          diskFree: { '/tmp': 50 * GiB, '/home/aigateway/.hf': 2 * GiB },
        }),
      },
    },
    { name: 'exactly 1 GiB of memory, one CPU', facts: at({ memoryBytes: GiB, cpus: 1, availableMemoryBytes: 300 * MiB }) },
    { name: 'enough memory, one CPU', facts: at({ cpus: 1 }) },
    { name: 'exactly the small deployment memory, one CPU', facts: at({ memoryBytes: SMALL_MEMORY, cpus: 1 }) },
    { name: '4 GiB, 2 CPUs', facts: at({ memoryBytes: 4 * GiB, cpus: 2 }) },
    {
      name: 'under the minimum, disk unknown, low disk elsewhere',
      facts: { ...at({ memoryBytes: 256 * MiB, diskFree: { '/hf': 10 * MiB } }), dirs: ['/tmp', '/hf'] },
    },
    { name: 'low disk only', facts: at({ diskFree: { '/tmp': MIN_DISK - 1 } }) },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
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
