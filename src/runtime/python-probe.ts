// The gateway's-view probe: Python (stdlib only, python-probe.py beside this file) that trusts and fetches GitLab as the
// gateway does, and the parser of its answer.
import pythonProbe from './python-probe.py?raw';

/** Marks the probe's one result line on stdout (anything else the prefix prints is ignored); python-probe.py's MARK. */
export const RESULT_MARK = 'duo-doctor-gateway-view=';

/**
 * Run as `python3 -c PYTHON_PROBE PER_REQUEST_S BUDGET_S`. Reads AIGW_GITLAB_URL and the CA variables from the
 * environment it runs in, GETs urljoin(AIGW_GITLAB_URL, '/.well-known/openid-configuration') and then its jwks_uri with
 * Python requests when it imports (as the gateway does), else with urllib under requests' CA rules (REQUESTS_CA_BUNDLE,
 * CURL_CA_BUNDLE, certifi), each within min(PER_REQUEST_S, what is left of BUDGET_S). Prints one `RESULT_MARK{json}`
 * line; every exception text is kept verbatim. Python 3.6+.
 */
export const PYTHON_PROBE: string = pythonProbe;

/** Why a request (or loading the bundle) failed, as Python said it. */
export interface ProbeError {
  /** tls: ssl.SSLError (verification included); bundle: the CA file did not load; http: a non-2xx answer; json: not a JSON body. */
  kind: 'tls' | 'bundle' | 'dns' | 'refused' | 'timeout' | 'reset' | 'network' | 'url' | 'http' | 'json' | 'jwks' | 'other';
  /** Python's exception class, e.g. SSLCertVerificationError. */
  type: string;
  /** `str(exception)`, verbatim. */
  message: string;
  verifyCode?: number;
  verifyMessage?: string;
  /** json: the start of the body that did not parse. */
  bodyStart?: string;
}

/** One GET as urllib did it. */
export interface ProbeStep {
  url: string;
  /** After redirects, when an answer came. */
  finalUrl?: string;
  status?: number;
  contentType?: string;
  elapsedMs: number;
  error?: ProbeError;
}

/**
 * The bundle requests verifies with and how OpenSSL loaded it. `certifi`: no variable set, requests' own bundle;
 * `default`: neither requests nor certifi is installed, so OpenSSL's default paths stand in.
 */
export interface ProbeBundle {
  source: 'REQUESTS_CA_BUNDLE' | 'CURL_CA_BUNDLE' | 'certifi' | 'default';
  file?: string;
  loaded: boolean;
  /** CA certificates in the store after loading (0 for default paths loaded lazily from a directory). */
  certificates?: number;
  error?: ProbeError;
}

/** Everything the probe reports. */
export interface GatewayView {
  python: string;
  openssl: string;
  /** "requests 2.32.5", or urllib with requests' rules reproduced. */
  client: string;
  env: { AIGW_GITLAB_URL?: string; REQUESTS_CA_BUNDLE?: string; CURL_CA_BUNDLE?: string; SSL_CERT_FILE?: string };
  bundle: ProbeBundle;
  /** The proxy urllib uses for the discovery URL (may hold credentials: redact before printing). */
  proxy?: string;
  discovery?: ProbeStep;
  jwksUri?: string;
  jwksUriProblem?: string;
  jwks?: ProbeStep & { keys?: number; kids?: string[] };
  /** The probe itself raised (a bug, or a Python too old): its exception. */
  crash?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Copies the listed keys whose values pass `pick` (absent and null keys are left out, as optional properties). */
function fields<T>(o: Json, keys: readonly string[], pick: (v: unknown) => T | undefined): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of keys) {
    const v = pick(o[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

const ERROR_KINDS = new Set<ProbeError['kind']>([
  'tls',
  'bundle',
  'dns',
  'refused',
  'timeout',
  'reset',
  'network',
  'url',
  'http',
  'json',
  'jwks',
  'other',
]);

function probeError(v: unknown): ProbeError | undefined {
  if (!isObject(v)) return undefined;
  const kind = ERROR_KINDS.has(v.kind as ProbeError['kind']) ? (v.kind as ProbeError['kind']) : 'other';
  return {
    kind,
    type: str(v.type) ?? 'Exception',
    message: str(v.message) ?? '',
    ...fields(v, ['verifyCode'], num),
    ...fields(v, ['verifyMessage', 'bodyStart'], str),
  };
}

function probeStep(v: unknown): ProbeStep | undefined {
  if (!isObject(v) || typeof v.url !== 'string') return undefined;
  const error = probeError(v.error);
  return {
    url: v.url,
    elapsedMs: num(v.elapsedMs) ?? 0,
    ...fields(v, ['finalUrl', 'contentType'], str),
    ...fields(v, ['status'], num),
    ...(error ? { error } : {}),
  };
}

/** The probe's answer, or why there is none (no result line, unparseable JSON). */
export type ProbeAnswer = { ok: true; view: GatewayView } | { ok: false; reason: string };

/** The last lines of stderr, for saying why a run printed nothing. */
function tail(stderr: string): string {
  return stderr.trim().split('\n').slice(-3).join(' ').trim();
}

/** Parses what `python3 -c PYTHON_PROBE` printed. Never throws. */
export function parseProbeOutput(stdout: string, stderr: string, code: number): ProbeAnswer {
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (!line) return { ok: false, reason: `the Python probe printed no result (exit code ${code}${tail(stderr) ? `: ${tail(stderr)}` : ''})` };
  let raw: unknown;
  try {
    raw = JSON.parse(line.slice(RESULT_MARK.length));
  } catch (error) {
    return { ok: false, reason: `the Python probe's result is not JSON: ${(error as Error).message}` };
  }
  if (!isObject(raw) || !isObject(raw.bundle) || !isObject(raw.env)) {
    const crash = isObject(raw) ? str(raw.crash) : undefined;
    return { ok: false, reason: crash ? `the Python probe crashed: ${crash}` : 'the Python probe answered without its bundle and env facts' };
  }
  const b = raw.bundle;
  const source = b.source === 'REQUESTS_CA_BUNDLE' || b.source === 'CURL_CA_BUNDLE' || b.source === 'certifi' ? b.source : 'default';
  const bundleError = probeError(b.error);
  const discovery = probeStep(raw.discovery);
  const jwksStep = probeStep(raw.jwks);
  const jwks =
    jwksStep && isObject(raw.jwks)
      ? {
          ...jwksStep,
          ...fields(raw.jwks, ['keys'], num),
          ...(Array.isArray(raw.jwks.kids) ? { kids: raw.jwks.kids.filter((k): k is string => typeof k === 'string') } : {}),
        }
      : undefined;
  const view: GatewayView = {
    python: str(raw.python) ?? '?',
    openssl: str(raw.openssl) ?? '?',
    client: str(raw.client) ?? '?',
    env: fields(raw.env, ['AIGW_GITLAB_URL', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'SSL_CERT_FILE'], (v) => str(v) || undefined),
    bundle: {
      source,
      loaded: b.loaded === true,
      ...fields(b, ['file'], (v) => str(v) || undefined),
      ...fields(b, ['certificates'], num),
      ...(bundleError ? { error: bundleError } : {}),
    },
    ...fields(raw, ['proxy', 'jwksUri', 'jwksUriProblem', 'crash'], str),
    ...(discovery ? { discovery } : {}),
    ...(jwks ? { jwks } : {}),
  };
  return { ok: true, view };
}
