// Fixed RunResults the reporter tests render: every status and category, evidence with a certificate chain and a
// JWKS key count, and one result full of characters XML, Markdown, TAP and Prometheus must escape.
import { summarise, type CertificateEvidence, type CheckResult, type RunResult } from '../../src/model.js';

/** A reference long enough to need wrapping in a table cell. */
export const GATEWAY_IMAGE = 'registry.gitlab.com/gitlab-org/modelops/applied-ml/code-suggestions/ai-assist/model-gateway:self-hosted-v18.1.1-ee';

const RESULTS: CheckResult[] = [
  {
    id: 'gateway-url',
    category: 'network',
    status: 'pass',
    title: 'An AI gateway URL is configured',
    summary: 'AI Gateway URL configured: http://aigw.example.com:5052',
    details: ['Source: --gateway-url'],
    durationMs: 1,
  },
  {
    id: 'gateway-auth',
    category: 'network',
    status: 'fail',
    title: 'The gateway rejects unauthenticated requests',
    summary: 'The gateway answered 200 to a request without an Authorization header: authentication is bypassed',
    details: [
      'POST http://aigw.example.com:5052/v2/code/completions without a token: HTTP 200',
      'Expected: 401 {"error":"No authorization header presented"}',
    ],
    remediation: 'Unset AIGW_AUTH__BYPASS_EXTERNAL (or set it to false) in the gateway environment and restart the gateway.',
    durationMs: 14,
    evidence: { httpStatus: 200 },
  },
  {
    id: 'license',
    category: 'license',
    status: 'warn',
    title: 'The license provides Code Suggestions and is current',
    summary: 'License expires in 12 days (2025-01-27)',
    details: ['Plan: ultimate', 'Add-on: duo_enterprise'],
    remediation: 'Renew the license before 2025-01-27: Admin > Subscription.',
    durationMs: 35,
    evidence: { expiresAt: '2025-01-27', daysLeft: 12 },
  },
  {
    id: 'system-exchange',
    category: 'system-exchange',
    status: 'error',
    title: 'A code completion makes the round trip GitLab → gateway → GitLab',
    summary: 'timed out after 10000 ms',
    details: ['The check was abandoned; the others went on.'],
    durationMs: 10002,
  },
  {
    id: 'gitlab-tls',
    category: 'tls',
    status: 'fail',
    title: 'GitLab serves a chain the gateway trusts',
    summary: 'GitLab serves its leaf without the intermediate CA',
    details: ['Presented: 1 certificate', 'Issuer not found in the CA bundle: CN=Example Intermediate CA'],
    remediation:
      "Serve the full chain: append the intermediate certificate to the file named by nginx['ssl_certificate'] and run gitlab-ctl reconfigure.",
    durationMs: 48,
    evidence: {
      chain: [
        {
          subject: 'CN=gitlab.example.com',
          notAfter: '2025-06-30T12:00:00.000Z',
          fingerprint256: 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
        },
        { subject: 'CN=Example "Quoted" CA\\Ops,O=A & B\nOU=second line', notAfter: '2030-01-01T00:00:00.000Z', fingerprint256: '01:02' },
        // Evidence a plugin wrote without the fields the type requires: the reporter must still cope.
        { subject: 'CN=no expiry recorded' } as unknown as CertificateEvidence,
      ],
    },
  },
  {
    id: 'jwks-valid',
    category: 'jwks',
    status: 'pass',
    title: 'The JWKS has usable RS256 keys with unique kids',
    summary: '2 RS256 keys, kids unique',
    details: [],
    durationMs: 0,
    evidence: { keyCount: 2 },
  },
  {
    id: 'token-verifies',
    category: 'jwks',
    status: 'skip',
    title: 'A token GitLab issues verifies against its JWKS',
    summary: "no GitLab token given (GITLAB_TOKEN or --gitlab-token-file, an administrator's personal access token)",
    details: [],
    durationMs: 0,
  },
  {
    id: 'tmp-writable',
    category: 'runtime',
    status: 'pass',
    title: '/tmp accepts writes',
    summary: '/tmp accepts a create/write/fsync/read/delete',
    details: ['Wrote and removed /tmp/.duo-doctor-probe-1234 (1 KiB)'],
    durationMs: 3,
  },
  {
    id: 'version-match',
    category: 'version',
    status: 'warn',
    title: "The gateway matches GitLab's version",
    summary: 'Gateway tag "self-hosted-v18.0.0-ee" < GitLab 18.1.1-ee | one minor behind & nightly',
    details: ['Line one\nline two with <angle> & "quotes" | pipe', 'Backslash \\ and # hash and `tick` *star* _under_'],
    remediation: `Pin the gateway image to ${GATEWAY_IMAGE} & redeploy.`,
    durationMs: 2,
  },
];

/** A single-installation run: the one every golden file renders. */
export function sampleRun(): RunResult {
  const results = structuredClone(RESULTS);
  return {
    schemaVersion: 1,
    tool: { name: 'duo-doctor', version: '0.1.0' },
    startedAt: '2025-01-15T09:30:00.000Z',
    durationMs: 10123,
    targets: { gitlab: 'https://gitlab.example.com', gateway: 'http://aigw.example.com:5052' },
    summary: summarise(results),
    results,
  };
}

/** Two installations in one run: the sample's results labelled `prod`, and a few of them labelled `staging`. */
export function multiTargetRun(): RunResult {
  const base = sampleRun();
  const prod = base.results.map((r) => ({ ...r, target: 'prod' }));
  const staging = base.results.filter((r) => ['gateway-url', 'gitlab-tls', 'jwks-valid'].includes(r.id)).map((r) => ({ ...r, target: 'staging' }));
  const results = [...prod, ...staging];
  return { ...base, targets: {}, summary: summarise(results), results };
}
