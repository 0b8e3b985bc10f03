// agent-platform-token: GitLab's answers to direct_access (table over judge); the runs against the reference GitLab and Duo
// Workflow Service are in the .integration test.
import { describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/agent-platform-token.js';
import { renderJudgement } from '../../src/check.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';

const failed = (status: number, message?: string): Facts => ({ access: { ok: false, status, ...(message ? { message } : {}) } });
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

describe('agent-platform-token judge', () => {
  it.each([
    ['issued', { access: { ok: true, status: 201, headerNames: [] } } as Facts, 'issued', undefined],
    [
      'signing key missing',
      failed(400, "400 Bad request - 2:Unexpected <class 'jose.exceptions.JWSError'>: Unable to parse an RSA_JWK from key: None"),
      'refused',
      'signing-key',
    ],
    [
      'TLS to plain gRPC',
      failed(
        400,
        '400 Bad request - 14:failed to connect to all addresses; last error: UNKNOWN: ipv4:10.0.0.5:50052: Ssl handshake failed: SSL_ERROR_SSL: WRONG_VERSION_NUMBER',
      ),
      'refused',
      'tls-to-plaintext',
    ],
    [
      'no listener',
      failed(400, '400 Bad request - 14:No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1'),
      'refused',
      'no-listener',
    ],
    ['token refused', failed(400, '400 Bad request - 16:Forbidden by auth provider'), 'refused', 'unauthenticated'],
    ['no unit primitive', failed(400, '400 Bad request - 7:Unauthorized to generate token'), 'refused', 'permission'],
    ['400 without a message', failed(400), 'unexpected', undefined],
    ['401', failed(401, '401 Unauthorized'), 'forbidden', undefined],
    ['403', failed(403, '403 Forbidden'), 'forbidden', undefined],
    ['404 (no such route)', failed(404, '404 Not Found'), 'routeMissing', undefined],
    ['500', failed(500, '500 Internal Server Error'), 'unexpected', undefined],
    ['GitLab unreachable', failed(0, 'could not reach GitLab'), 'unreachable', undefined],
  ] as const)('%s → %s', (_name, facts, id, cause) => {
    expect(ids(facts)).toEqual([id]);
    const first = judge(facts).findings[0] as { data?: { cause?: string } };
    if (cause) expect(first.data?.cause).toBe(cause);
  });

  it('names the missing signing key and its fix', () => {
    const out = renderJudgement(
      check.messages,
      judge(failed(400, "400 Bad request - 2:Unexpected <class 'jose.exceptions.JWSError'>: Unable to parse an RSA_JWK from key: None")),
    );
    expect(out.summary).toMatch(/DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY is not set/);
    expect(out.remediation).toMatch(/openssl genrsa/);
  });
});

describe('agent-platform-token renderings', () => {
  const bad = (grpc: string) => failed(400, `400 Bad request - ${grpc}`);
  const cases: RenderCase<Facts>[] = [
    {
      name: 'issued',
      facts: { access: { ok: true, status: 201, baseUrl: 'dws.example.com:50052', secure: true, headerNames: ['x-gitlab-instance-id'] } },
    },
    { name: 'signing key missing', facts: bad('2:Exception calling application: Expecting a PEM-formatted key. from key: None') },
    {
      name: 'TLS to plain gRPC',
      facts: bad(
        '14:failed to connect to all addresses; last error: UNKNOWN: ipv4:10.0.0.9:50052: Ssl handshake failed: SSL_ERROR_SSL: error:100000f7:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER',
      ),
    },
    { name: 'no listener', facts: bad('14:failed to connect to all addresses; last error: UNAVAILABLE: ipv4:10.0.0.9:50052: Connection refused') },
    { name: 'no HTTP/2 on the way', facts: bad('13:Received HTTP status code 502') },
    { name: 'unavailable', facts: bad('14:DNS resolution failed for dws.example.com:50052') },
    { name: "GitLab's token refused", facts: bad('16:Forbidden by auth provider') },
    { name: 'no Agent Platform in the license', facts: bad('7:Unauthorized to access duo workflow') },
    { name: 'timeout', facts: bad('4:Deadline Exceeded') },
    { name: 'another failure', facts: bad('2:Unknown error') },
    { name: 'a 400 without the gRPC prefix', facts: failed(400, 'workflow token could not be generated') },
    { name: 'a 400 without a message', facts: failed(400) },
    { name: 'a 400 with an empty gRPC error', facts: failed(400, '400 Bad request - ') },
    { name: 'forbidden (403) with a message', facts: failed(403, '403 Forbidden - Duo Agent Platform is not available') },
    { name: 'unauthorized (401), no message', facts: failed(401) },
    { name: 'route missing', facts: failed(404, '404 Not Found') },
    { name: 'GitLab unreachable', facts: failed(0, 'connect ECONNREFUSED 10.0.0.1:443') },
    { name: 'GitLab unreachable, nothing said', facts: failed(0) },
    { name: 'unexpected 500', facts: failed(500, '500 Internal Server Error') },
    { name: 'unexpected 502, no message', facts: failed(502) },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});
