// agent-platform-service: each layer's failure from duo-doctor's measurement and GitLab's own call (tables over judge); the
// runs against the reference Duo Workflow Service are in the .integration test.
import { describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/agent-platform-service.js';
import { renderJudgement } from '../../src/check.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
import type { ServiceMeasurement } from '../../src/probes/duo-workflow/service.js';

const A = 'dws:50052';
const TLS_OK = { ok: true, ms: 2, alpn: 'h2' } as const;
const m = (more: Partial<ServiceMeasurement>): ServiceMeasurement => ({
  address: A,
  secure: true,
  secureSource: 'gitlab',
  withToken: true,
  tcp: { ok: true, ms: 1 },
  ...more,
});
const facts = (measured: ServiceMeasurement, more: Partial<Facts> = {}): Facts => ({ address: A, gitlab: { ok: true, tools: 4 }, measured, ...more });
/** duo-doctor's finding: the last one (after GitLab's). */
const measuredId = (f: Facts) => judge(f).findings.at(-1)?.id;

describe("agent-platform-service judge: duo-doctor's layers", () => {
  it.each([
    ['ListTools answers over TLS', m({ tls: TLS_OK, call: { ok: true, ms: 5, tools: ['a', 'b'] } }), 'listed'],
    ['ListTools answers in plaintext', m({ secure: false, preface: { kind: 'http2' }, call: { ok: true, ms: 5, tools: [] } }), 'listed'],
    ['refused port', m({ tcp: { ok: false, ms: 1, code: 'ECONNREFUSED', message: 'refused' } }), 'noListener'],
    ['timed-out port', m({ tcp: { ok: false, ms: 10, code: 'ETIMEDOUT', message: 'timeout' } }), 'unreachable'],
    [
      'TLS to plain gRPC',
      m({ tls: { ok: false, ms: 1, code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number', plaintextPeer: true, untrusted: false } }),
      'tlsToPlaintext',
    ],
    [
      'TLS with no h2 on offer (nginx listen ssl, no http2)',
      m({
        tls: { ok: false, ms: 1, code: 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL', message: 'alert 120', plaintextPeer: false, untrusted: false },
      }),
      'http2Refused',
    ],
    ['TLS negotiating http/1.1', m({ tls: { ...TLS_OK, alpn: 'http/1.1' } }), 'http2Refused'],
    ['TLS negotiating nothing', m({ tls: { ...TLS_OK, alpn: null } }), 'http2Refused'],
    [
      'TLS handshake failing otherwise',
      m({ tls: { ok: false, ms: 1, code: 'ECONNRESET', message: 'socket hang up', plaintextPeer: false, untrusted: false } }),
      'tlsFailed',
    ],
    [
      'untrusted certificate',
      m({
        tls: {
          ok: false,
          ms: 2,
          code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
          message: 'unable to verify the first certificate',
          plaintextPeer: false,
          untrusted: true,
        },
      }),
      'tlsUntrusted',
    ],
    [
      'plaintext to a TLS port with an untrusted certificate',
      m({
        secure: false,
        preface: { kind: 'closed' },
        tls: { ok: false, ms: 2, code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'x', plaintextPeer: false, untrusted: true },
      }),
      'plaintextToTls',
    ],
    ['plaintext to a TLS port', m({ secure: false, preface: { kind: 'closed' }, tls: TLS_OK }), 'plaintextToTls'],
    [
      'plaintext to an HTTP/1.1 server',
      m({
        secure: false,
        preface: { kind: 'http1', statusLine: 'HTTP/1.1 400 Bad Request' },
        tls: { ok: false, ms: 1, message: 'x', plaintextPeer: true, untrusted: false },
      }),
      'http2Refused',
    ],
    [
      'HTTP/2 without gRPC behind (proxy_pass)',
      m({ tls: TLS_OK, call: { ok: false, ms: 3, code: 13, codeName: 'INTERNAL', details: 'Received HTTP status code 502' } }),
      'notGrpc',
    ],
    [
      'token refused',
      m({ tls: TLS_OK, call: { ok: false, ms: 3, code: 16, codeName: 'UNAUTHENTICATED', details: 'Forbidden by auth provider' } }),
      'callRefused',
    ],
    ['permission denied', m({ tls: TLS_OK, call: { ok: false, ms: 3, code: 7, codeName: 'PERMISSION_DENIED', details: 'no' } }), 'callRefused'],
    [
      'no token to send: the service asks for one',
      m({
        withToken: false,
        tls: TLS_OK,
        call: { ok: false, ms: 3, code: 16, codeName: 'UNAUTHENTICATED', details: 'No authorization header presented' },
      }),
      'answersWithoutToken',
    ],
    ['unimplemented', m({ tls: TLS_OK, call: { ok: false, ms: 3, code: 12, codeName: 'UNIMPLEMENTED', details: 'Method not found' } }), 'callFailed'],
    ['deadline', m({ tls: TLS_OK, call: { ok: false, ms: 3, code: 4, codeName: 'DEADLINE_EXCEEDED', details: 'Deadline exceeded' } }), 'callFailed'],
  ] as const)('%s → %s', (_name, measured, id) => {
    expect(measuredId(facts(measured))).toBe(id);
  });
});

describe("agent-platform-service judge: GitLab's call and its usage billing", () => {
  const ok = m({ tls: TLS_OK, call: { ok: true, ms: 5, tools: ['a'] } });
  it.each([
    ['operational', { ok: true, tools: 4 } as const, 'gitlabOperational', 'pass'],
    [
      'not operational (TLS to plain)',
      { ok: false, status: 400, message: '400 Bad request - 14:...WRONG_VERSION_NUMBER' } as const,
      'gitlabNotOperational',
      'fail',
    ],
    ["not asked (404: an older GitLab): duo-doctor's call alone", { ok: false, status: 404, message: '404 Not Found' } as const, 'listed', 'pass'],
  ])('%s', (_name, gitlab, id, status) => {
    const j = judge(facts(ok, { gitlab }));
    expect(j.findings[0]?.id).toBe(id);
    expect(renderJudgement(check.messages, j).status).toBe(status);
  });

  it("uses GitLab's probe wording for the address", () => {
    expect(renderJudgement(check.messages, judge(facts(ok))).summary).toMatch(/^GitLab Duo Workflow Service at dws:50052 is operational\./);
  });

  it('fails on a failing usage-billing probe, and says so when GitLab has none', () => {
    const blocked = judge(
      facts(ok, { billing: { success: false, text: 'The cloud GitLab Duo Agent Platform service at cloud.gitlab.com:443 is not reachable.' } }),
    );
    expect(blocked.findings.map((f) => f.id)).toContain('billingBlocked');
    expect(judge(facts(ok, { billing: { success: true, text: 'reachable for usage billing' } })).findings.map((f) => f.id)).not.toContain(
      'billingBlocked',
    );
    expect(judge(facts(ok)).details?.join('\n')).toMatch(/cannot be measured from outside GitLab/);
  });
});

describe('agent-platform-service renderings', () => {
  const call = (code: number, codeName: string, details: string) => ({ ok: false, ms: 4, code, codeName, details }) as const;
  const listed = m({ tls: TLS_OK, call: { ok: true, ms: 5, tools: ['read_file', 'list_dir', 'grep'] } });
  const plain = (more: Partial<ServiceMeasurement>) => m({ secure: false, ...more });
  const tlsDown = (more: Record<string, unknown>) =>
    m({ tls: { ok: false, ms: 2, message: 'x', plaintextPeer: false, untrusted: false, ...more } as ServiceMeasurement['tls'] });
  const BILLING_DOWN = { success: false, text: 'The cloud GitLab Duo Agent Platform service at cloud.gitlab.com:443 is not reachable.' };
  const cases: RenderCase<Facts>[] = [
    { name: 'operational both ways, TLS, billing probe fine', facts: facts(listed, { billing: { success: true, text: 'reachable' } }) },
    {
      name: 'operational, one tool, no billing probe',
      facts: facts(m({ tls: TLS_OK, call: { ok: true, ms: 5, tools: ['read_file'] } }), { gitlab: { ok: true, tools: 1 } }),
    },
    {
      name: 'GitLab: not operational (TLS to plain), here: plain bytes',
      facts: facts(
        m({
          tls: { ok: false, ms: 1, code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number', plaintextPeer: true, untrusted: false },
        }),
        {
          gitlab: { ok: false, status: 400, message: '400 Bad request - 14 UNAVAILABLE: ... SSL routines::wrong version number' },
        },
      ),
    },
    { name: 'GitLab: 400 without a message', facts: facts(listed, { gitlab: { ok: false, status: 400 } }) },
    { name: 'GitLab not asked (404)', facts: facts(listed, { gitlab: { ok: false, status: 404, message: '404 Not Found' } }) },
    { name: 'GitLab not asked (401, no message)', facts: facts(listed, { gitlab: { ok: false, status: 401 } }) },
    {
      name: 'plaintext as the service serves, no token, billing blocked',
      facts: facts(plain({ secureSource: 'service', withToken: false, preface: { kind: 'http2' }, call: { ok: true, ms: 3, tools: [] } }), {
        billing: BILLING_DOWN,
      }),
    },
    { name: 'nothing listens', facts: facts(m({ tcp: { ok: false, ms: 1, code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.9:50052' } })) },
    { name: 'TCP times out', facts: facts(m({ tcp: { ok: false, ms: 5000, code: 'ETIMEDOUT', message: 'connect ETIMEDOUT 10.0.0.9:50052' } })) },
    { name: 'TLS: no handshake made', facts: facts(m({})) },
    { name: 'TLS fails with a code', facts: facts(tlsDown({ code: 'ECONNRESET', message: 'socket hang up ' })) },
    {
      name: 'TLS fails without a code',
      facts: facts(tlsDown({ message: ' Client network socket disconnected before secure TLS connection was established' })),
    },
    {
      name: 'TLS untrusted, a code',
      facts: facts(tlsDown({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate', untrusted: true })),
    },
    { name: 'TLS untrusted, no code', facts: facts(tlsDown({ message: 'self-signed certificate', untrusted: true })) },
    {
      name: 'TLS refuses h2 (in the message)',
      facts: facts(tlsDown({ message: 'error:0A000460:SSL routines::tlsv1 alert no application protocol' })),
    },
    { name: 'TLS refuses h2 (in the code)', facts: facts(tlsDown({ code: 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL', message: 'alert 120' })) },
    { name: 'TLS negotiates http/1.1', facts: facts(m({ tls: { ...TLS_OK, alpn: 'http/1.1' } })) },
    { name: 'TLS negotiates nothing', facts: facts(m({ tls: { ...TLS_OK, alpn: null } })) },
    { name: 'plaintext to a TLS port', facts: facts(plain({ preface: { kind: 'tls' }, tls: TLS_OK })) },
    {
      name: 'plaintext to a TLS port, untrusted',
      facts: facts(
        plain({
          preface: { kind: 'closed' },
          tls: { ok: false, ms: 2, code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'x', plaintextPeer: false, untrusted: true },
        }),
      ),
    },
    {
      name: 'plaintext to HTTP/1.1',
      facts: facts(
        plain({
          preface: { kind: 'http1', statusLine: 'HTTP/1.1 400 Bad Request' },
          tls: { ok: false, ms: 1, message: 'x', plaintextPeer: true, untrusted: false },
        }),
      ),
    },
    { name: 'plaintext, other bytes', facts: facts(plain({ preface: { kind: 'other', firstBytes: '53 53 48 2d' } })) },
    {
      name: 'plaintext, the port closes',
      facts: facts(plain({ preface: { kind: 'closed' }, tls: { ok: false, ms: 1, message: 'x', plaintextPeer: false, untrusted: false } })),
    },
    { name: 'plaintext, no preface answer', facts: facts(plain({})) },
    {
      name: 'plaintext, a TLS alert',
      facts: facts(plain({ preface: { kind: 'tls' }, tls: { ok: false, ms: 1, message: 'x', plaintextPeer: false, untrusted: false } })),
    },
    { name: 'no call made', facts: facts(m({ tls: TLS_OK })) },
    { name: 'HTTP/2 without gRPC', facts: facts(m({ tls: TLS_OK, call: call(13, 'INTERNAL', 'Received HTTP status code 502') })) },
    {
      name: 'no token: the service asks for one',
      facts: facts(m({ withToken: false, tls: TLS_OK, call: call(16, 'UNAUTHENTICATED', 'No authorization header presented') })),
    },
    {
      name: 'plaintext, no token: the service asks for one',
      facts: facts(plain({ withToken: false, preface: { kind: 'http2' }, call: call(16, 'UNAUTHENTICATED', 'No authorization header presented') })),
    },
    { name: 'token refused', facts: facts(m({ tls: TLS_OK, call: call(16, 'UNAUTHENTICATED', 'Forbidden by auth provider') })) },
    {
      name: 'permission denied, no token',
      facts: facts(m({ withToken: false, tls: TLS_OK, call: call(7, 'PERMISSION_DENIED', 'Unauthorized to access duo workflow') })),
    },
    {
      name: 'service error: signing key',
      facts: facts(m({ tls: TLS_OK, call: call(2, 'UNKNOWN', 'JWKError: Could not deserialize key data: RSA_JWK from key: None') })),
    },
    { name: 'deadline', facts: facts(m({ tls: TLS_OK, call: call(4, 'DEADLINE_EXCEEDED', 'Deadline exceeded') })) },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});
