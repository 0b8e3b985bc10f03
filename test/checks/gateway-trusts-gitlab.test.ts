// gateway-trusts-gitlab: its judge over Python's runs as gather reports them (the bundle as read where the gateway runs,
// GitLab's chain as served here): finding ids, the renderings of every message, and the analysis against real chains.
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/gateway-trusts-gitlab.js';
import { describeCertificate } from '../../src/pki/certificate.js';
import type { TlsFacts } from '../../src/probes/tls.js';
import type { GatewayViewResult } from '../../src/runtime/gateway-view.js';
import { DISCOVERY, ERRORS, GITLAB, JWKS, NO_VIEW, answered, failed, ran, view } from '../helpers/gateway-view.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
import { useTlsFixtures } from '../tls/fixtures.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const at = (result: GatewayViewResult, f: Partial<Facts> = {}): Facts => ({ result, now: NOW, expiryWarnDays: 30, ...f });
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

const FILE = '/certs/ca-bundle.pem';
const MALFORMED = '-----BEGIN CERTIFICATE-----\nMIIBnotbase64!!\n-----END CERTIFICATE-----\n';
/** Python could not load REQUESTS_CA_BUNDLE: discovery fails with the bundle's error. */
const unloadable = (error = ERRORS.pemLib, v: Parameters<typeof view>[0] = {}) =>
  ran(
    view({
      bundle: { source: 'REQUESTS_CA_BUNDLE', file: FILE, loaded: false, error },
      discovery: failed(DISCOVERY, error),
      jwks: undefined,
      jwksUri: undefined,
      ...v,
    }),
  );
/** Python rejected GitLab's certificate at discovery. */
const rejected = (v: Parameters<typeof view>[0] = {}) =>
  ran(view({ discovery: failed(DISCOVERY, ERRORS.verify), jwks: undefined, jwksUri: undefined, ...v }));
const chainFailed: TlsFacts = {
  host: 'gitlab.example.com',
  port: 443,
  ok: false,
  failure: { kind: 'refused', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.7:443' },
  chain: [],
  handshakeMs: 1,
};

describe('gateway-trusts-gitlab renderings', () => {
  const cases: RenderCase<Facts>[] = [
    ...NO_VIEW.map(({ name, result }) => ({ name, facts: at(result) })),
    { name: 'verified with REQUESTS_CA_BUNDLE', facts: at(ran(view())) },
    {
      name: "verified with certifi's roots, redirected",
      facts: at(
        ran(
          view({
            env: { AIGW_GITLAB_URL: GITLAB },
            bundle: { source: 'certifi', file: '/usr/lib/python3/site-packages/certifi/cacert.pem', loaded: true, certificates: 145 },
            discovery: answered(DISCOVERY, { finalUrl: 'https://gitlab-2.example.com:8443/.well-known/openid-configuration' }),
          }),
        ),
      ),
    },
    {
      name: "verified with OpenSSL's default store",
      facts: at(ran(view({ env: { AIGW_GITLAB_URL: GITLAB }, bundle: { source: 'default', loaded: true, certificates: 0 } }))),
    },
    { name: 'verified by the key set only', facts: at(ran(view({ discovery: failed(DISCOVERY, ERRORS.reset) }))) },
    {
      name: 'plain http',
      facts: at(
        ran(
          view({
            env: { AIGW_GITLAB_URL: 'http://root:secret@gitlab.example.com' },
            discovery: answered('http://gitlab.example.com/.well-known/openid-configuration'),
            jwks: { ...answered('http://gitlab.example.com/oauth/discovery/keys'), keys: 1 },
          }),
        ),
      ),
    },
    {
      name: 'no connection',
      facts: at(ran(view({ discovery: failed(DISCOVERY, ERRORS.dns), jwks: undefined, jwksUri: undefined }))),
    },
    { name: 'no step ran at all', facts: at(ran(view({ discovery: undefined, jwks: undefined, jwksUri: undefined }))) },
    { name: 'bundle with a malformed block', facts: at(unloadable(), { bundle: { file: FILE, text: MALFORMED } }) },
    { name: 'empty bundle', facts: at(unloadable(ERRORS.noCert), { bundle: { file: FILE, text: '' } }) },
    {
      name: 'bundle missing there',
      facts: at(unloadable(ERRORS.missing), { bundle: { file: FILE, readError: { code: 'ENOENT', message: 'the file does not exist' } } }),
    },
    { name: 'bundle unread, no reason', facts: at(unloadable(ERRORS.missing), { bundle: { file: FILE } }) },
    {
      name: 'CURL_CA_BUNDLE not loaded, bundle not read',
      facts: at(
        unloadable(ERRORS.noCert, {
          env: { AIGW_GITLAB_URL: GITLAB, CURL_CA_BUNDLE: FILE },
          bundle: { source: 'CURL_CA_BUNDLE', file: FILE, loaded: false, error: ERRORS.noCert },
        }),
      ),
    },
    {
      name: 'bundle not loaded, TLS error at discovery',
      facts: at(
        ran(
          view({
            bundle: { source: 'REQUESTS_CA_BUNDLE', file: FILE, loaded: false, error: ERRORS.pemLib },
            discovery: failed(DISCOVERY, ERRORS.verify),
            jwks: undefined,
          }),
        ),
        { bundle: { file: FILE, text: MALFORMED } },
      ),
    },
    { name: 'untrusted, no chain fetched here', facts: at(rejected()) },
    {
      name: 'untrusted, SSL_CERT_FILE names another bundle',
      facts: at(
        rejected({
          env: { AIGW_GITLAB_URL: GITLAB, SSL_CERT_FILE: '/certs/private-ca.pem' },
          bundle: { source: 'certifi', file: '/certifi/cacert.pem', loaded: true, certificates: 145 },
        }),
      ),
    },
    { name: 'untrusted, chain unfetchable here', facts: at(rejected(), { chain: chainFailed }) },
    {
      name: 'untrusted at the key set, URL unparsable',
      facts: at(ran(view({ jwks: failed('https://gitlab.example.com:99999/keys', ERRORS.verify) })), { chain: { ...chainFailed, ok: true } }),
    },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});

describe('gateway-trusts-gitlab judge', () => {
  it.each([
    ['SSL_CERT_FILE is the bundle requests reads', rejected({ env: { AIGW_GITLAB_URL: GITLAB, SSL_CERT_FILE: FILE } }), false],
    ['SSL_CERT_FILE names another file', rejected({ env: { AIGW_GITLAB_URL: GITLAB, SSL_CERT_FILE: '/other.pem' } }), true],
    ['SSL_CERT_FILE unset', rejected(), false],
  ] as [string, GatewayViewResult, boolean][])('sslCertFileOnly: %s', (_name, result, only) => {
    const [finding] = judge(at(result)).findings;
    expect(finding).toMatchObject({ id: 'untrusted', data: { sslCertFileOnly: only } });
  });

  it.each([
    ['a bundle error at discovery', unloadable(), 'bundleUnloadable'],
    ['a TLS error while the bundle loaded', rejected(), 'untrusted'],
    ['a TLS error at the key set only', ran(view({ jwks: failed(JWKS, ERRORS.verify) })), 'untrusted'],
    [
      'a network error at discovery, the bundle unloaded',
      ran(view({ bundle: { source: 'REQUESTS_CA_BUNDLE', file: FILE, loaded: false }, discovery: failed(DISCOVERY, ERRORS.dns), jwks: undefined })),
      'noConnection',
    ],
    ['an https answer without status', ran(view({ discovery: answered(DISCOVERY, { status: undefined }), jwks: undefined })), 'noConnection'],
    [
      'http discovery redirected to https',
      ran(view({ discovery: answered('http://gitlab.example.com/.well-known/openid-configuration', { finalUrl: DISCOVERY }), jwks: undefined })),
      'verified',
    ],
    [
      'https discovery redirected to http',
      ran(view({ discovery: answered(DISCOVERY, { finalUrl: 'http://gitlab.example.com/.well-known/openid-configuration' }), jwks: undefined })),
      'noConnection',
    ],
    [
      'a bundle error while Python reports the bundle loaded',
      ran(view({ discovery: failed(DISCOVERY, ERRORS.pemLib), jwks: undefined })),
      'bundleUnloadable',
    ],
    [
      'http GitLab URL, discovery over http, the key set over https unreachable',
      ran(
        view({
          env: { AIGW_GITLAB_URL: 'http://gitlab.example.com' },
          discovery: answered('http://gitlab.example.com/.well-known/openid-configuration'),
          jwks: failed(JWKS, ERRORS.dns),
        }),
      ),
      'noConnection',
    ],
  ] as [string, GatewayViewResult, string][])('%s', (_name, result, id) => {
    expect(ids(at(result))).toEqual([id]);
  });

  it("says '?' for a bundle Python did not load without saying why", () => {
    const [finding] = judge(at(unloadable(ERRORS.noCert, { bundle: { source: 'REQUESTS_CA_BUNDLE', file: FILE, loaded: false } }))).findings;
    expect(finding).toMatchObject({ id: 'bundleUnloadable', data: { message: '?' } });
  });

  it("names the variable a CURL_CA_BUNDLE audit reports as REQUESTS_CA_BUNDLE's", () => {
    const result = unloadable(ERRORS.noCert, {
      env: { AIGW_GITLAB_URL: GITLAB, CURL_CA_BUNDLE: FILE },
      bundle: { source: 'CURL_CA_BUNDLE', file: FILE, loaded: false, error: ERRORS.noCert },
    });
    const details = (judge(at(result, { bundle: { file: FILE, text: '' } })).findings[0] as { details?: string[] }).details ?? [];
    expect(details[1]).toMatch(/^ {2}REQUESTS_CA_BUNDLE: /);
  });

  it('ends at the view when there is none, with nothing else', () => {
    for (const { result } of NO_VIEW) expect(judge(at(result))).not.toHaveProperty('evidence');
  });
});

describe("gateway-trusts-gitlab against GitLab's served chain", () => {
  const fixtures = useTlsFixtures();
  const served = (kind: 'valid' | 'expired' | 'expiring'): TlsFacts => {
    const pem = fixtures().served[kind].chainPem;
    return {
      host: '127.0.0.1',
      port: 8443,
      ok: true,
      protocol: 'TLSv1.3',
      chain: (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((p) =>
        describeCertificate(new X509Certificate(p)),
      ),
      handshakeMs: 2,
    };
  };
  const facts = (source: 'certifi' | 'REQUESTS_CA_BUNDLE', text: string | undefined, chain: TlsFacts): Facts =>
    at(
      rejected({
        discovery: failed('https://127.0.0.1:8443/.well-known/openid-configuration', ERRORS.verify),
        bundle: { source, file: FILE, loaded: true, certificates: 1 },
      }),
      { ...(text === undefined ? {} : { bundle: { file: FILE, text } }), chain, now: Date.now() },
    );

  it.each<[string, () => Facts]>([
    ["certifi's bundle", () => facts('certifi', undefined, served('valid'))],
    ["certifi's bundle, whatever file was read", () => facts('certifi', fixtures().root.certPem, served('valid'))],
  ])("judges the chain against certifi's roots (Node's copy) and says the fix: the private root is missing (%s)", (_name, f) => {
    const j = judge(f());
    expect(j.findings).toMatchObject([{ id: 'untrusted' }]);
    const finding = j.findings[0] as unknown as { data: { fixes: string[] }; details: string[] };
    expect(finding.details[0]).toMatch(
      /^duo-doctor's analysis \(the chain 127\.0\.0\.1:8443 serves to this machine, judged against Node's copy of the public roots, as certifi holds them\): /,
    );
    expect(finding.details.length).toBeGreaterThan(1);
    expect(finding.details.slice(1).every((d) => d.startsWith('  '))).toBe(true);
    expect(finding.data.fixes).toHaveLength(1);
  });

  it("judges the chain against OpenSSL's default store as against certifi's roots", () => {
    const f = facts('certifi', undefined, served('valid'));
    const result = f.result as Extract<GatewayViewResult, { kind: 'ran' }>;
    const j = judge({ ...f, result: { ...result, view: { ...result.view, bundle: { source: 'default', loaded: true, certificates: 0 } } } });
    expect((j.findings[0] as unknown as { details: string[] }).details[0]).toMatch(/judged against Node's copy of the public roots/);
  });

  it('carries the fix of a chain judged untrusted, and not of one that only warns', () => {
    const fixesOf = (f: Facts) => (judge(f).findings[0] as unknown as { data: { fixes: string[] } }).data.fixes;
    expect(fixesOf(facts('REQUESTS_CA_BUNDLE', fixtures().root.certPem, served('expiring')))).toEqual([]);
    expect(fixesOf(facts('REQUESTS_CA_BUNDLE', fixtures().root.certPem, served('expired')))).toHaveLength(1);
  });

  it('judges the chain against the same bundle: the private root in it trusts the chain, no fix of its own', () => {
    const j = judge(facts('REQUESTS_CA_BUNDLE', fixtures().root.certPem, served('valid')));
    const finding = j.findings[0] as unknown as { data: { fixes: string[] }; details: string[] };
    expect(finding.details[0]).toMatch(/judged against the same bundle\): /);
    expect(finding.data.fixes).toEqual([]);
  });
});
