// resources: memory, CPU and disk where the gateway runs, against the install guide's minimum and sizing table.
import { plural } from '../src/plural.js';
import { defineCheck, type Judgement, type Messages } from '../src/check.js';
import { notTheGateway, notTheGatewayFinding, placeLabel } from '../src/judge/runtime-place.js';
import type { GatewayPlace, NotTheGateway, ResourceFacts } from '../src/runtime/facts.js';
import { hfHomeDir, resources, runtimePlace } from '../src/runtime/host.js';

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

export const messages = {
  enough: { status: 'pass', text: (d: { memory: number; cpus: number }) => `${size(d.memory)} of memory, ${d.cpus} CPUs, enough free disk` },
  belowMinimum: {
    status: 'fail',
    text: (d: { memory: number }) => `only ${size(d.memory)} of memory: the install guide's minimum for the AI gateway is 512 MB`,
    fix: 'Raise the container\'s memory limit to at least 512 MB (8 GB for a small deployment), e.g. Kubernetes resources.limits.memory: "8Gi".',
  },
  belowSmallDeployment: {
    status: 'warn',
    text: (d: { memory: number; cpus: number }) => {
      // Name only what falls short: "4.0 GiB and 2 CPUs are below" would blame the CPUs too.
      const short = [...(d.memory < SMALL_MEMORY ? [`${size(d.memory)} of memory`] : []), ...(d.cpus < SMALL_CPUS ? [plural(d.cpus, 'CPU')] : [])];
      return `${short.join(' and ')} ${short.length > 1 ? 'are' : 'is'} below the guide's small deployment (2 vCPUs, 8 GB RAM, about 40 concurrent requests)`;
    },
    fix: 'Size the gateway by the install guide: 2 vCPUs and 8 GB RAM per ~40 concurrent requests (Kubernetes resources.requests/limits).',
  },
  lowDisk: {
    status: 'warn',
    text: (d: { dir: string; free: number }) => `only ${size(d.free)} free for ${d.dir}`,
    fix: 'Keep at least 1 GiB free where /tmp and HF_HOME live (a larger volume, or remove what fills it).',
  },
  notTheGateway,
} satisfies Messages;

/** The directories measured, and what was measured where the gateway runs (nothing on a host that is not the gateway's). */
export type Facts = { dirs: string[] } & ({ place: NotTheGateway } | { place: GatewayPlace; measured: ResourceFacts });

export function judge(facts: Facts): Judgement<typeof messages> {
  if (!('measured' in facts)) return { findings: [notTheGatewayFinding(facts.place.hostname, 'measuring memory, CPUs and disk')] };
  const { measured: m, dirs } = facts;
  const findings: Judgement<typeof messages>['findings'] = [];
  if (m.memoryBytes < MIN_MEMORY) findings.push({ id: 'belowMinimum', data: { memory: m.memoryBytes } });
  else if (m.memoryBytes < SMALL_MEMORY || m.cpus < SMALL_CPUS)
    findings.push({ id: 'belowSmallDeployment', data: { memory: m.memoryBytes, cpus: m.cpus } });
  for (const dir of dirs) {
    const free = m.diskFree[dir];
    // Stryker disable next-line ConditionalExpression: undefined < MIN_DISK is false, as the guard makes it
    if (free !== undefined && free < MIN_DISK) findings.push({ id: 'lowDisk', data: { dir, free } });
  }
  if (findings.length === 0) findings.push({ id: 'enough', data: { memory: m.memoryBytes, cpus: m.cpus } });
  const where = placeLabel(facts.place);
  return {
    findings,
    details: [
      `Memory: ${size(m.memoryBytes)} (${m.memorySource === 'cgroup' ? 'container limit' : 'host total'})` +
        (m.availableMemoryBytes !== undefined ? `, ${size(m.availableMemoryBytes)} free` : ''),
      `CPUs: ${m.cpus} (${m.cpuSource === 'cgroup' ? 'container quota' : 'host'})`,
      ...dirs.map((d) => `Free disk for ${d}: ${m.diskFree[d] === undefined ? 'unknown' : size(m.diskFree[d])}`),
      `Measured ${where}.`,
    ],
    evidence: { ...m, where },
  };
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
      'against the install guide: at least 512 MB of RAM; a small deployment is 2 vCPUs and 8 GB RAM (about 40 concurrent requests). ' +
      "Measured where the gateway runs (--exec, or this host when its environment is the gateway's); anywhere else it skips and says how.",
    failsWhen: 'Less than 512 MB of memory is available to the gateway (fail); below the small-deployment size or under 1 GiB free disk (warn).',
    fix:
      'Give the container more memory/CPU (Kubernetes resources.requests/limits, e.g. memory "8Gi", cpu "2"), or free disk space. ' +
      'For heavy use, size by the guide: 7 requests/s per 1000 active users; 160 concurrent requests per 8 vCPU / 32 GB instance.',
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const place = runtimePlace(ctx);
    if (place.kind === 'elsewhere') return { place, dirs: [ctx.settings.tmpDir] };
    const hf = await hfHomeDir(ctx);
    const dirs = [...new Set([ctx.settings.tmpDir, hf.dir])];
    return { place, dirs, measured: await resources(ctx, dirs) };
  },
  // Stryker restore all
  judge,
});
