// resources: memory, CPU and disk where the gateway runs, against the install guide's minimum and sizing table.
import { defineCheck } from '../src/check.js';
import type { CheckOutcome } from '../src/model.js';
import type { ResourceFacts } from '../src/runtime/facts.js';
import { hfHomeDir, resources, runtimeHost } from '../src/runtime/host.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
/** The install guide: "a minimum of 512 MB of RAM". */
export const MIN_MEMORY = 512 * MiB;
/** The guide's small deployment: 2 vCPUs and 8 GB RAM handle about 40 concurrent requests. */
export const SMALL_MEMORY = 8 * 1000 ** 3 * 0.95; // "8 GB" machines report a little less than 8e9 usable bytes
export const SMALL_CPUS = 2;
/** Free space below which the HuggingFace cache and temporary files are at risk (our margin; the guide names none). */
export const MIN_DISK = 1 * GiB;

const size = (bytes: number) => (bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${Math.round(bytes / MiB)} MiB`);

/** The verdict on measured resources (pure, for tests). */
export function judgeResources(facts: ResourceFacts, dirs: readonly string[], where: string): CheckOutcome {
  const details = [
    `Memory: ${size(facts.memoryBytes)} (${facts.memorySource === 'cgroup' ? 'container limit' : 'host total'})` +
      (facts.availableMemoryBytes !== undefined ? `, ${size(facts.availableMemoryBytes)} free` : ''),
    `CPUs: ${facts.cpus} (${facts.cpuSource === 'cgroup' ? 'container quota' : 'host'})`,
    ...dirs.map((d) => `Free disk for ${d}: ${facts.diskFree[d] === undefined ? 'unknown' : size(facts.diskFree[d]!)}`),
    `Measured on ${where}.`,
  ];
  const evidence = { ...facts, where };
  if (facts.memoryBytes < MIN_MEMORY) {
    return {
      status: 'fail',
      summary: `only ${size(facts.memoryBytes)} of memory: the install guide's minimum for the AI gateway is 512 MB`,
      details,
      remediation: 'Raise the container\'s memory limit to at least 512 MB (8 GB for a small deployment), e.g. Kubernetes resources.limits.memory: "8Gi".',
      evidence,
    };
  }
  const warnings: string[] = [];
  if (facts.memoryBytes < SMALL_MEMORY || facts.cpus < SMALL_CPUS) {
    warnings.push(
      `${size(facts.memoryBytes)} and ${facts.cpus} CPU(s) are below the guide's small deployment (2 vCPUs, 8 GB RAM, about 40 concurrent requests)`,
    );
  }
  for (const d of dirs) {
    const free = facts.diskFree[d];
    if (free !== undefined && free < MIN_DISK) warnings.push(`only ${size(free)} free for ${d}`);
  }
  if (warnings.length) {
    return {
      status: 'warn',
      summary: warnings.join('; '),
      details,
      remediation:
        'Size the gateway by the install guide: 2 vCPUs and 8 GB RAM per ~40 concurrent requests (Kubernetes resources.requests/limits), and keep at least 1 GiB free where /tmp and HF_HOME live.',
      evidence,
    };
  }
  return { status: 'pass', summary: `${size(facts.memoryBytes)} of memory, ${facts.cpus} CPUs, enough free disk`, details, evidence };
}

export default defineCheck({
  id: 'resources',
  title: 'The gateway has the memory, CPU and disk the install guide asks for',
  category: 'runtime',
  dependsOn: ['runtime-host'],
  tags: ['pre-upgrade', 'oncall'],
  explain: {
    checks:
      "Memory and CPUs as the gateway's process sees them (cgroup limits first, then the host), and free disk where /tmp and HF_HOME live, " +
      "against the install guide: at least 512 MB of RAM; a small deployment is 2 vCPUs and 8 GB RAM (about 40 concurrent requests).",
    failsWhen: 'Less than 512 MB of memory is available to the gateway (fail); below the small-deployment size or under 1 GiB free disk (warn).',
    fix:
      'Give the container more memory/CPU (Kubernetes resources.requests/limits, e.g. memory "8Gi", cpu "2"), or free disk space. ' +
      'For heavy use, size by the guide: 7 requests/s per 1000 active users; 160 concurrent requests per 8 vCPU / 32 GB instance.',
  },
  async run(ctx) {
    const [host, hf] = await Promise.all([runtimeHost(ctx), hfHomeDir(ctx)]);
    const dirs = [...new Set([ctx.settings.tmpDir, hf.dir])];
    return judgeResources(await resources(ctx, dirs), dirs, host.label);
  },
});
