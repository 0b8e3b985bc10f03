// gateway-exposure: what is reachable around the TLS proxy — the gateway's own ports in plain http on the same host, and
// the API documentation the self-hosted image turns on (docker/self_hosted/Dockerfile: AIGW_FASTAPI__DOCS_URL="/docs",
// AIGW_FASTAPI__OPENAPI_URL="/openapi.json", AIGW_FASTAPI__API_PORT=5052; the Duo Workflow Service listens on 50052).
import { redactUrl } from '../src/redact.js';
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { gatewayEndpoint } from '../src/probes/gateway.js';
import { describeAnswer, gatewayBase, rawGet, type ProbeAnswer } from '../src/probes/security.js';

/** The gateway's port (AIGW_FASTAPI__API_PORT in the self-hosted image) and the Duo Workflow Service's gRPC port. */
export const DEFAULT_DIRECT_PORTS = [5052, 50052] as const;
/** The documentation paths the self-hosted image serves. */
export const DOC_PATHS = ['/docs', '/openapi.json'] as const;

export interface PortFacts {
  port: number;
  answer: ProbeAnswer;
}

export interface DocFacts {
  path: string;
  answer: ProbeAnswer;
}

export interface Facts {
  url?: string;
  /** The gateway URL's host, the only host probed. */
  host?: string;
  https: boolean;
  ports: PortFacts[];
  docs: DocFacts[];
}

const PORT_FIX =
  "Publish only the proxy: bind the gateway's ports to loopback or a private network (`docker run -p 127.0.0.1:5052:5052 …`, or no " +
  '-p at all when the proxy shares its Docker network; in Kubernetes a ClusterIP Service behind the Ingress), or firewall them, so ' +
  'that every request goes through the TLS proxy and its Host validation.';
const DOCS_FIX =
  "Turn the API documentation off: set AIGW_FASTAPI__DOCS_URL= and AIGW_FASTAPI__OPENAPI_URL= (empty) in the gateway's environment " +
  'and restart it (the self-hosted image sets them to /docs and /openapi.json), or refuse those paths at the proxy ' +
  '(nginx: `location ~ ^/(docs|openapi\\.json|redoc)$ { return 404; }`).';

export const messages = {
  noGateway: { status: 'skip', text: () => 'No AI gateway URL (see gateway-url)' },
  notBehindTls: {
    status: 'skip',
    text: (d: { url: string }) => `The gateway URL ${d.url} is plain http: there is no TLS proxy in front to go around`,
  },
  directPortOpen: {
    status: 'warn',
    text: (d: { host: string; ports: PortFacts[] }) =>
      `The gateway's own port${d.ports.length > 1 ? 's' : ''} ${d.ports.map((p) => `${d.host}:${p.port} (${describeAnswer(p.answer)})`).join(', ')} ` +
      `answer${d.ports.length > 1 ? '' : 's'} directly in plain http, around the https proxy`,
    fix: PORT_FIX,
  },
  directPortsClosed: {
    status: 'pass',
    text: (d: { host: string; ports: number[] }) =>
      `Nothing answers on ${d.ports.map((p) => `${d.host}:${p}`).join(', ')} from here: only the proxy is reachable`,
  },
  docsServed: {
    status: 'warn',
    text: (d: { paths: string[] }) =>
      `${d.paths.join(' and ')} ${d.paths.length > 1 ? 'are' : 'is'} served without a token: the gateway's API is published to anyone who reaches it`,
    fix: DOCS_FIX,
  },
  docsNotServed: {
    status: 'pass',
    text: (d: { docs: DocFacts[] }) =>
      `API documentation not served without a token (${d.docs.map((x) => `${x.path}: ${describeAnswer(x.answer)}`).join(', ')})`,
  },
} satisfies Messages;

/** Pure: open direct ports and documentation answered 200 are warnings; everything else passes. */
export function judge(f: Facts): Judgement<typeof messages> {
  if (!f.url || !f.host) return { findings: [{ id: 'noGateway' }] };
  const findings: FindingOf<typeof messages>[] = [];
  if (!f.https) findings.push({ id: 'notBehindTls', data: { url: f.url } });
  else {
    const open = f.ports.filter((p) => p.answer.connected);
    findings.push(
      open.length
        ? { id: 'directPortOpen', data: { host: f.host, ports: open } }
        : { id: 'directPortsClosed', data: { host: f.host, ports: f.ports.map((p) => p.port) } },
    );
  }
  const served = f.docs.filter((d) => d.answer.status === 200);
  findings.push(served.length ? { id: 'docsServed', data: { paths: served.map((d) => d.path) } } : { id: 'docsNotServed', data: { docs: f.docs } });
  return {
    findings,
    evidence: {
      openPorts: f.ports.filter((p) => p.answer.connected).map((p) => p.port),
      docsServed: served.map((d) => d.path),
    },
  };
}

export default defineCheck({
  id: 'gateway-exposure',
  title: 'Only the proxy is exposed: no direct gateway port, no API documentation',
  category: 'security',
  tags: ['oncall', 'pre-upgrade', 'security'],
  needs: ['gateway'],
  messages,
  explain: {
    checks:
      'When the gateway URL is https (a TLS proxy in front), connects to the same host — never another — on ports 5052 (the ' +
      'gateway) and 50052 (the Duo Workflow Service) in plain http and sends GET /monitoring/healthz (unauthenticated by design). ' +
      'Then GET <gateway URL>/docs and GET <gateway URL>/openapi.json without a token. No credential is sent; nothing changes.',
    failsWhen:
      'Warns when a direct port accepts a connection from here, and when /docs or /openapi.json answers 200 without a token ' +
      '(the real gateway authenticates them, so a 200 also means authentication is bypassed or a proxy serves them).',
    fix: `${PORT_FIX}\n${DOCS_FIX}`,
  },
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const url = await gatewayBase(ctx);
    if (!url) return { https: false, ports: [], docs: [] };
    const parsed = new URL(url);
    const https = parsed.protocol === 'https:';
    const ownPort = Number(parsed.port) || (https ? 443 : 80);
    const candidates = (ctx.settings.gatewayDirectPorts ?? DEFAULT_DIRECT_PORTS).filter((p) => p !== ownPort);
    const [ports, docs] = await Promise.all([
      https
        ? Promise.all(
            candidates.map(async (port) => ({ port, answer: await rawGet(ctx, `http://${parsed.hostname}:${port}/monitoring/healthz`, []) })),
          )
        : Promise.resolve([]),
      Promise.all(DOC_PATHS.map(async (path) => ({ path, answer: await rawGet(ctx, gatewayEndpoint(url, path), []) }))),
    ]);
    return { url: redactUrl(url), host: parsed.hostname, https, ports, docs };
  },
  // Stryker restore all
  judge,
});
