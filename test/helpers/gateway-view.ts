// Probe runs as gather would produce them for the gateway's-view checks (gateway-trusts-gitlab, gateway-fetches-jwks):
// Python's view of GitLab's discovery and key set, from inside the gateway's container, for their judge tables.
import type { GatewayViewResult } from '../../src/runtime/gateway-view.js';
import type { GatewayView, ProbeError, ProbeStep } from '../../src/runtime/python-probe.js';

export const WHERE = 'inside docker exec gitlab-aigw';
export const GITLAB = 'https://gitlab.example.com';
export const DISCOVERY = `${GITLAB}/.well-known/openid-configuration`;
export const JWKS = `${GITLAB}/oauth/discovery/keys`;

/** Python's own errors, verbatim as the probe reports them. */
export const ERRORS = {
  verify: {
    kind: 'tls',
    type: 'SSLCertVerificationError',
    message: '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1000)',
    verifyCode: 20,
    verifyMessage: 'unable to get local issuer certificate',
  },
  pemLib: { kind: 'bundle', type: 'SSLError', message: '[X509] PEM lib (_ssl.c:4000)' },
  noCert: { kind: 'bundle', type: 'SSLError', message: '[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found (_ssl.c:4000)' },
  missing: { kind: 'bundle', type: 'FileNotFoundError', message: '[Errno 2] No such file or directory' },
  dns: { kind: 'dns', type: 'ConnectionError', message: 'Failed to resolve gitlab.example.com ([Errno -2] Name or service not known)' },
  refused: { kind: 'refused', type: 'ConnectionError', message: '[Errno 111] Connection refused' },
  timeout: { kind: 'timeout', type: 'ConnectTimeout', message: 'timed out' },
  reset: { kind: 'reset', type: 'ConnectionError', message: '[Errno 104] Connection reset by peer' },
} satisfies Record<string, ProbeError>;

/** A GET that answered `status` (200 unless said). */
export const answered = (url: string, s: Partial<ProbeStep> = {}): ProbeStep => ({
  url,
  finalUrl: url,
  status: 200,
  contentType: 'application/json',
  elapsedMs: 12,
  ...s,
});
/** A GET that failed with `error`. */
export const failed = (url: string, error: ProbeError, s: Partial<ProbeStep> = {}): ProbeStep => ({ url, elapsedMs: 15, error, ...s });

/** Python's view: REQUESTS_CA_BUNDLE loaded, discovery and key set fetched (3 keys), unless overridden. */
export function view(v: Partial<GatewayView> = {}): GatewayView {
  return {
    python: '3.11.7',
    openssl: 'OpenSSL 3.0.15 3 Sep 2024',
    client: 'requests 2.32.5',
    env: { AIGW_GITLAB_URL: GITLAB, REQUESTS_CA_BUNDLE: '/certs/ca-bundle.pem' },
    bundle: { source: 'REQUESTS_CA_BUNDLE', file: '/certs/ca-bundle.pem', loaded: true, certificates: 2 },
    discovery: answered(DISCOVERY),
    jwksUri: JWKS,
    jwks: { ...answered(JWKS), keys: 3, kids: ['kid-oidc', 'kid-cc-1', 'kid-cc-2'] },
    ...v,
  };
}

/** The probe's run of `v` inside the gateway's container. */
export const ran = (v: GatewayView, perRequestS = 10): GatewayViewResult => ({ kind: 'ran', where: WHERE, view: v, perRequestS });

/** The runs that give no view: each ends the judgement before Python's verdict. */
export const NO_VIEW: { name: string; result: GatewayViewResult }[] = [
  { name: 'not the gateway host', result: { kind: 'not-the-gateway', hostname: 'ops-box' } },
  { name: 'no python3', result: { kind: 'no-python', where: WHERE, detail: 'sh: 1: python3: not found' } },
  { name: 'probe broken', result: { kind: 'broken', where: WHERE, reason: 'the Python probe printed no result (exit code 1)' } },
  { name: 'AIGW_GITLAB_URL unset', result: ran(view({ env: {} })) },
];
