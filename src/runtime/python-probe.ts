// The gateway's-view probe: Python (stdlib only) that trusts and fetches GitLab as the gateway does, and the parser of its answer.

/** Marks the probe's one result line on stdout (anything else the prefix prints is ignored). */
export const RESULT_MARK = 'duo-doctor-gateway-view=';

/**
 * Run as `python3 -c PYTHON_PROBE PER_REQUEST_S BUDGET_S`. Reads AIGW_GITLAB_URL, REQUESTS_CA_BUNDLE and SSL_CERT_FILE
 * from the environment it runs in, builds `ssl.create_default_context(cafile=REQUESTS_CA_BUNDLE or SSL_CERT_FILE or None)`,
 * GETs urljoin(AIGW_GITLAB_URL, '/.well-known/openid-configuration') and then its jwks_uri with urllib (proxy variables
 * and redirects as urllib applies them), each within min(PER_REQUEST_S, what is left of BUDGET_S). Prints one
 * `RESULT_MARK{json}` line; every exception text is kept verbatim. Python 3.6+.
 */
export const PYTHON_PROBE = String.raw`
import json, os, socket, ssl, sys, time, urllib.error, urllib.parse, urllib.request

MARK = ${JSON.stringify(RESULT_MARK)}
MAX_BYTES = 1 << 20
per_request = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
deadline = time.monotonic() + (float(sys.argv[2]) if len(sys.argv) > 2 else 2 * per_request)
out = {"python": sys.version.split()[0], "openssl": ssl.OPENSSL_VERSION}

def error_of(e, kind):
    d = {"kind": kind, "type": type(e).__name__, "message": str(e)}
    if isinstance(e, ssl.SSLCertVerificationError):
        d["verifyCode"] = e.verify_code
        d["verifyMessage"] = e.verify_message
    return d

def classify(e):
    if isinstance(e, ssl.SSLError): return "tls"
    if isinstance(e, socket.gaierror): return "dns"
    if isinstance(e, ConnectionRefusedError): return "refused"
    if isinstance(e, (socket.timeout, TimeoutError)): return "timeout"
    if isinstance(e, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)): return "reset"
    if isinstance(e, OSError): return "network"
    return "other"

def untrusting():
    # The bundle did not load: an http URL is still fetched, but nothing redirected to https may pass as trusted.
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)))

def fetch(url, opener):
    step = {"url": url}
    start = time.monotonic()
    left = deadline - start
    try:
        if left <= 0:
            raise socket.timeout("no time left in duo-doctor's budget for this request")
        if opener is None and url.lower().startswith("https:"):
            step["error"] = out["bundle"]["error"]
            return step, None
        req = urllib.request.Request(url, headers={"Accept": "application/json"})
        with (opener or untrusting()).open(req, timeout=min(per_request, left)) as resp:
            step["status"] = resp.getcode()
            step["finalUrl"] = resp.geturl()
            step["contentType"] = resp.headers.get("Content-Type")
            body = resp.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as e:
        step["status"] = e.code
        step["finalUrl"] = e.geturl()
        step["error"] = error_of(e, "http")
        return step, None
    except urllib.error.URLError as e:
        reason = e.reason
        step["error"] = error_of(reason, classify(reason)) if isinstance(reason, BaseException) else {"kind": "url", "type": "URLError", "message": str(reason)}
        return step, None
    except Exception as e:
        step["error"] = error_of(e, classify(e))
        return step, None
    finally:
        step["elapsedMs"] = int((time.monotonic() - start) * 1000)
    if len(body) > MAX_BYTES:
        step["error"] = {"kind": "json", "type": "TooLarge", "message": "the body is larger than 1 MiB"}
        return step, None
    try:
        return step, json.loads(body.decode("utf-8"))
    except Exception as e:
        step["error"] = {"kind": "json", "type": type(e).__name__, "message": str(e), "bodyStart": body[:80].decode("utf-8", "replace")}
        return step, None

def main():
    env = {k: os.environ.get(k) for k in ("AIGW_GITLAB_URL", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")}
    out["env"] = env
    source = "REQUESTS_CA_BUNDLE" if env["REQUESTS_CA_BUNDLE"] else "SSL_CERT_FILE" if env["SSL_CERT_FILE"] else "default"
    bundle = out["bundle"] = {"source": source, "file": env.get(source)}
    opener = None
    try:
        context = ssl.create_default_context(cafile=env.get(source))
        bundle["loaded"] = True
        bundle["certificates"] = context.cert_store_stats().get("x509_ca", 0)
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))
    except Exception as e:
        bundle["loaded"] = False
        bundle["error"] = error_of(e, "bundle")
    base = env["AIGW_GITLAB_URL"]
    if not base:
        return
    discovery_url = urllib.parse.urljoin(base, "/.well-known/openid-configuration")
    parsed = urllib.parse.urlsplit(discovery_url)
    proxies = urllib.request.getproxies()
    if parsed.scheme in proxies and not urllib.request.proxy_bypass(parsed.hostname or ""):
        out["proxy"] = proxies[parsed.scheme]
    out["discovery"], doc = fetch(discovery_url, opener)
    if doc is None:
        return
    uri = doc.get("jwks_uri") if isinstance(doc, dict) else None
    if not isinstance(uri, str) or not uri.strip():
        out["jwksUriProblem"] = "the discovery document has no jwks_uri" if isinstance(doc, dict) else "the discovery document is not a JSON object"
        return
    out["jwksUri"] = uri
    out["jwks"], keyset = fetch(uri, opener)
    if keyset is None:
        return
    keys = keyset.get("keys") if isinstance(keyset, dict) else None
    if not isinstance(keys, list):
        out["jwks"]["error"] = {"kind": "jwks", "type": "KeySet", "message": "the document has no \"keys\" list"}
        return
    out["jwks"]["keys"] = len(keys)
    out["jwks"]["kids"] = [k.get("kid") for k in keys if isinstance(k, dict) and isinstance(k.get("kid"), str)]

try:
    main()
except Exception as e:
    out["crash"] = "%s: %s" % (type(e).__name__, e)
sys.stdout.write(MARK + json.dumps(out) + "\n")
`;

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

/** How Python loaded the CA bundle. `source` 'default' = no variable set: OpenSSL's default paths. */
export interface ProbeBundle {
  source: 'REQUESTS_CA_BUNDLE' | 'SSL_CERT_FILE' | 'default';
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
  env: { AIGW_GITLAB_URL?: string; REQUESTS_CA_BUNDLE?: string; SSL_CERT_FILE?: string };
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

const ERROR_KINDS = new Set<ProbeError['kind']>(['tls', 'bundle', 'dns', 'refused', 'timeout', 'reset', 'network', 'url', 'http', 'json', 'jwks', 'other']);

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
  return { url: v.url, elapsedMs: num(v.elapsedMs) ?? 0, ...fields(v, ['finalUrl', 'contentType'], str), ...fields(v, ['status'], num), ...(error ? { error } : {}) };
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
  const source = b.source === 'REQUESTS_CA_BUNDLE' || b.source === 'SSL_CERT_FILE' ? b.source : 'default';
  const bundleError = probeError(b.error);
  const discovery = probeStep(raw.discovery);
  const jwksStep = probeStep(raw.jwks);
  const jwks = jwksStep && isObject(raw.jwks)
    ? { ...jwksStep, ...fields(raw.jwks, ['keys'], num), ...(Array.isArray(raw.jwks.kids) ? { kids: raw.jwks.kids.filter((k): k is string => typeof k === 'string') } : {}) }
    : undefined;
  const view: GatewayView = {
    python: str(raw.python) ?? '?',
    openssl: str(raw.openssl) ?? '?',
    env: fields(raw.env, ['AIGW_GITLAB_URL', 'REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE'], (v) => str(v) || undefined),
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
