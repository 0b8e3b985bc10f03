// gateway-container: the gateway's container can bind its ports — the API, the metrics server, and the Duo Workflow
// Service's beside it are distinct, and no listener outside the container (`--network host`, a pod's sidecar) holds
// one — and its image runs natively, not under emulation of another architecture.
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { errorMessage } from '../src/error-message.js';
import { envLookup } from '../src/judge/pydantic-bool.js';
import { notTheGateway, notTheGatewayFinding, placeLabel } from '../src/judge/runtime-place.js';
import type { ContainerFacts, GatewayPlace, NotTheGateway } from '../src/runtime/facts.js';
import { containerFacts, gatewayEnv, runtimePlace } from '../src/runtime/host.js';

/** The variables that decide which ports the image's services bind (values are port numbers and switches, never secrets). */
export const PORT_VARIABLES = [
  'AIGW_FASTAPI__API_PORT',
  'AIGW_FASTAPI__METRICS_PORT',
  'DISABLE_AI_GATEWAY',
  'ENABLE_DUO_WORKFLOW_SERVICE',
  'PORT',
  'PROMETHEUS_METRICS__ADDR',
  'PROMETHEUS_METRICS__PORT',
] as const;
type PortVariable = (typeof PORT_VARIABLES)[number];

export type Facts =
  | { place: NotTheGateway }
  | {
      place: GatewayPlace;
      /** The port variables that are set, by canonical name. */
      env: Partial<Record<PortVariable, string>>;
      /** Inside a container (--exec): what it shows of itself. */
      container?: ContainerFacts;
      containerError?: string;
    };

/** One server of the image that binds a port: what it is, the variable that sets it, and the port. */
export interface Binder {
  server: string;
  variable: string;
  port: number;
}

type Clash = { a: string; b: string; port: number; variable: string };
type Held = { server: string; port: number; variable: string };
type Emulation = { machine: string; cpu: string; platform: string };

const RESTART = 'then restart the container';
const DOCS = 'GitLab docs: administration/gitlab_duo_self_hosted/troubleshooting.md';

export const messages = {
  notTheGateway,
  portsFree: {
    status: 'pass',
    text: (d: { ports: string; listeners: boolean }) =>
      `the gateway's ports (${d.ports}) are distinct${d.listeners ? ' and held by nothing outside its container' : ''}`,
  },
  portNotANumber: {
    status: 'fail',
    text: (d: { variable: string; value: string }) =>
      `${d.variable}=${JSON.stringify(d.value)} is not a port number: the server that reads it does not start`,
    fix: (d: { variable: string; value: string }) => `Set ${d.variable} to a free port number (e.g. 8083), or remove it; ${RESTART}.`,
  },
  portsClash: {
    status: 'fail',
    text: (d: Clash) =>
      `${d.a} and ${d.b} both bind port ${d.port} in the gateway's container: the second fails "Address already in use" and does not start`,
    fix: (d: Clash) => `Give each its own port, e.g. ${d.variable}=<a free port>; ${RESTART}.`,
  },
  heldOutside: {
    status: 'fail',
    text: (d: Held) =>
      `port ${d.port} (${d.server}) is held by a listener outside the gateway's container — the host's (--network host) or another ` +
      "container's in its network: the gateway cannot bind it and does not start",
    fix: (d: Held) =>
      `Move the gateway off port ${d.port} (${d.variable}=<a free port>; the docs use -e AIGW_FASTAPI__METRICS_PORT=8083 with --network host), ` +
      `or stop what holds it on the host; ${RESTART} (${DOCS}, "LLM server is not available inside the AI Gateway container").`,
  },
  emulated: {
    status: 'warn',
    text: (d: Emulation) =>
      `the image runs as ${d.machine} on an ${d.cpu} CPU: it is emulated (qemu, Rosetta), which makes the gateway slow and is known to crash it`,
    fix: (d: Emulation) =>
      `Run the image built for the host: docker run --platform ${d.platform} ... (multi-arch since the gateway's arm64 images; the FIPS image is amd64 only — ` +
      `run it on an amd64 host); ${RESTART}.`,
  },
  containerUnread: {
    status: 'skip',
    text: (d: { error: string }) => `the container's listeners and architecture could not be read: ${d.error}`,
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

/** A port as the gateway's settings and os.environ readers parse it; NaN when it is not a number. */
const port = (value: string) => (/^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN);

/**
 * The servers the image starts and the port each binds (scripts/run.sh: the gateway unless DISABLE_AI_GATEWAY, the Duo
 * Workflow Service when ENABLE_DUO_WORKFLOW_SERVICE; its metrics only with both PROMETHEUS_METRICS__ADDR and __PORT).
 */
export function binders(env: Partial<Record<PortVariable, string>>): (Binder & { value: string })[] {
  const list: [string, PortVariable, string][] = [];
  if (!env.DISABLE_AI_GATEWAY) {
    list.push(['the gateway API', 'AIGW_FASTAPI__API_PORT', env.AIGW_FASTAPI__API_PORT ?? '5000']);
    list.push(['the gateway metrics server', 'AIGW_FASTAPI__METRICS_PORT', env.AIGW_FASTAPI__METRICS_PORT ?? '8082']);
  }
  if (env.ENABLE_DUO_WORKFLOW_SERVICE) {
    list.push(['the Duo Workflow Service', 'PORT', env.PORT ?? '50052']);
    if (env.PROMETHEUS_METRICS__ADDR && env.PROMETHEUS_METRICS__PORT)
      list.push(['the Duo Workflow Service metrics server', 'PROMETHEUS_METRICS__PORT', env.PROMETHEUS_METRICS__PORT]);
  }
  return list.map(([server, variable, value]) => ({ server, variable, value, port: port(value) }));
}

/** x86_64/amd64 → x86, aarch64/arm64 → arm, anything else unknown. */
export function machineFamily(machine: string): 'x86' | 'arm' | 'unknown' {
  if (/^(x86_64|amd64|i[3-6]86)$/.test(machine)) return 'x86';
  if (/^(aarch64|arm64|armv\d+l?)$/.test(machine)) return 'arm';
  return 'unknown';
}

function portFindings(all: (Binder & { value: string })[], container: ContainerFacts | undefined): Finding[] {
  const findings: Finding[] = all
    .filter((b) => Number.isNaN(b.port))
    .map((b) => ({ id: 'portNotANumber' as const, data: { variable: b.variable, value: b.value } }));
  const valid = all.filter((b) => !Number.isNaN(b.port));
  valid.forEach((b, i) => {
    const first = valid.findIndex((o) => o.port === b.port);
    if (first < i) {
      const a = valid[first] as Binder;
      findings.push({ id: 'portsClash', data: { a: a.server, b: b.server, port: b.port, variable: b.variable } });
    }
  });
  const outside = new Set(container?.listeners.filter((l) => !l.held).map((l) => l.port));
  for (const b of valid)
    if (outside.has(b.port)) findings.push({ id: 'heldOutside', data: { server: b.server, port: b.port, variable: b.variable } });
  return findings;
}

/** Pure: the ports the image's servers bind, what else listens in the container's network, and its architecture. */
export function judge(f: Facts): Judgement<typeof messages> {
  if (!('env' in f)) return { findings: [notTheGatewayFinding(f.place.hostname, 'reading the container')] };
  const all = binders(f.env);
  const findings = portFindings(all, f.container);
  const c = f.container;
  const family = c && machineFamily(c.machine);
  if (c && c.cpu !== 'unknown' && family !== 'unknown' && family !== c.cpu)
    findings.push({ id: 'emulated', data: { machine: c.machine, cpu: c.cpu, platform: c.cpu === 'arm' ? 'linux/arm64' : 'linux/amd64' } });
  if (f.containerError !== undefined) findings.push({ id: 'containerUnread', data: { error: f.containerError } });
  const ports = all.map((b) => `${b.server} ${b.value}`).join(', ');
  if (!findings.some((x) => messages[x.id].status !== 'skip')) findings.unshift({ id: 'portsFree', data: { ports, listeners: c !== undefined } });
  const details = [`Read ${placeLabel(f.place)}: ${ports || 'no server of the image runs (DISABLE_AI_GATEWAY set, no Duo Workflow Service)'}.`];
  if (c)
    details.push(`Machine ${c.machine || '?'}, CPU ${c.cpu}; listening: ${[...new Set(c.listeners.map((l) => l.port))].join(', ') || 'nothing'}.`);
  else details.push('Not inside a container (no --exec): what else listens beside the gateway and its architecture are not read.');
  return {
    findings,
    details,
    evidence: { ports: all.map(({ server, port: p }) => ({ server, port: p })), ...(c ? { machine: c.machine, cpu: c.cpu } : {}) },
  };
}

export default defineCheck({
  id: 'gateway-container',
  title: "The gateway's container binds its ports and runs natively",
  category: 'runtime',
  dependsOn: ['runtime-host'],
  tags: ['ci', 'oncall', 'pre-upgrade'],
  explain: {
    checks:
      "From the gateway's environment: the ports its image's servers bind — the API (AIGW_FASTAPI__API_PORT, default 5000; the self-hosted image sets 5052), " +
      'the metrics server (AIGW_FASTAPI__METRICS_PORT, default 8082), and with ENABLE_DUO_WORKFLOW_SERVICE the Duo Workflow Service (PORT, default 50052) and its ' +
      'metrics (PROMETHEUS_METRICS__PORT) — are numbers and distinct. Inside the container (--exec): no listener on those ports is held by a process outside ' +
      "it (another listener of the host under --network host, or a pod's sidecar), and `uname -m` matches the CPU /proc/cpuinfo reports (else the image is emulated).",
    failsWhen:
      'Two servers share a port, a port is not a number, or something outside the container holds one (fail: the gateway does not start); the image runs under emulation (warn).',
    fix: "Give each server its own free port (with --network host: -e AIGW_FASTAPI__METRICS_PORT=8083); run the image built for the host's architecture.",
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const place = runtimePlace(ctx);
    if (place.kind === 'elsewhere') return { place };
    const raw = await gatewayEnv(ctx);
    const env: Partial<Record<PortVariable, string>> = {};
    for (const name of PORT_VARIABLES) {
      // pydantic-settings matches AIGW_* in any case; the Duo Workflow Service and run.sh read os.environ exactly.
      const found = name.startsWith('AIGW_') ? envLookup(raw, name)?.value : raw[name];
      if (found !== undefined) env[name] = found;
    }
    try {
      const container = await containerFacts(ctx);
      return { place, env, ...(container ? { container } : {}) };
    } catch (error) {
      return { place, env, containerError: errorMessage(error) };
    }
  },
  // Stryker restore all
  judge,
});
