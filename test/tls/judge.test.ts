// judgeChain: every verdict against generated chains, all reported together; EC chains judged with node:crypto alone.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRootCA, issueCertificate } from '../../src/pki/generate.js';
import { fingerprintPrefix } from '../../src/tls/certificate.js';
import { judgeChain, type JudgeInput, type Verdict } from '../../src/tls/judge.js';
import type { TlsFixtures } from '../../scripts/fixtures.js';
import { useTlsFixtures } from './fixtures.js';

const fixtures = useTlsFixtures();
const x509 = (pem: string) => new X509Certificate(pem);
/** Splits a PEM chain into certificates. */
const certs = (pem: string) => (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(x509);

function judge(partial: Partial<JudgeInput> & Pick<JudgeInput, 'chain' | 'trust'>) {
  return judgeChain({ host: 'gitlab.test', now: new Date(), expiryWarnDays: 30, ...partial });
}
const summary = (verdicts: Verdict[]) => verdicts.map((v) => `${v.severity}:${v.id}`);

interface Case {
  name: string;
  chain: (f: TlsFixtures) => string;
  trust: (f: TlsFixtures) => string[];
  host?: string;
  expiryWarnDays?: number;
  /** System roots the judge is told about (to tell public roots from private ones). */
  system?: (f: TlsFixtures) => string[];
  expected: string[];
  trusted: boolean;
  /** Patterns the messages must match, in order of the verdicts. */
  says?: RegExp[];
}

const cases: Case[] = [
  { name: 'valid chain to a private root in the bundle', chain: (f) => f.served.valid.chainPem, trust: (f) => [f.root.certPem], expected: ['pass:trusted'], trusted: true, says: [/private root "duo-doctor fixtures root CA"/] },
  { name: 'valid chain reached by IP address (IP SAN)', chain: (f) => f.served.valid.chainPem, trust: (f) => [f.root.certPem], host: '127.0.0.1', expected: ['pass:trusted'], trusted: true },
  { name: 'valid chain reached by IPv6 literal in brackets', chain: (f) => f.served.valid.chainPem, trust: (f) => [f.root.certPem], host: '[::1]', expected: ['pass:trusted'], trusted: true },
  { name: 'leaf issued directly by the root, root in the bundle', chain: (f) => f.served.direct.chainPem, trust: (f) => [f.root.certPem], expected: ['pass:trusted'], trusted: true },
  {
    name: 'public root, as the system roots hold it',
    chain: (f) => f.served.valid.chainPem,
    trust: (f) => [f.root.certPem],
    system: (f) => [f.root.certPem],
    expected: ['pass:trusted'],
    trusted: true,
    says: [/the public root/],
  },
  {
    name: 'missing intermediate, root in the bundle',
    chain: (f) => f.served.missingIntermediate.chainPem,
    trust: (f) => [f.root.certPem],
    expected: ['fail:missing-intermediate'],
    trusted: false,
    says: [/sends only its own certificate "gitlab.test" \(SHA-256 [0-9A-F:]{11}\) but not its issuer "duo-doctor fixtures intermediate CA", which the trust store does not hold either: the server omits the intermediate CA/],
  },
  {
    name: 'missing intermediate that the bundle happens to hold',
    chain: (f) => f.served.missingIntermediate.chainPem,
    trust: (f) => [f.root.certPem, f.intermediate.certPem],
    expected: ['pass:trusted', 'warn:missing-intermediate'],
    trusted: true,
    says: [/private root/, /does not send the intermediate "duo-doctor fixtures intermediate CA"/],
  },
  {
    name: 'private CA, no bundle (system roots only), root not sent',
    chain: (f) => f.served.direct.chainPem,
    trust: () => [],
    expected: ['fail:untrusted-root'],
    trusted: false,
    says: [/issued by "duo-doctor fixtures root CA", which is neither sent by the server nor in the trust store: a private CA/],
  },
  {
    name: 'private CA, intermediate sent, root not in the store',
    chain: (f) => f.served.valid.chainPem,
    trust: () => [],
    expected: ['fail:untrusted-root'],
    trusted: false,
    says: [/"duo-doctor fixtures intermediate CA" .* is issued by "duo-doctor fixtures root CA"/],
  },
  {
    name: 'private root sent by the server but not trusted: named with its fingerprint',
    chain: (f) => f.served.valid.chainPem + f.root.certPem,
    trust: () => [],
    expected: ['fail:untrusted-root'],
    trusted: false,
    says: [/ends at the root "duo-doctor fixtures root CA" \(SHA-256 [0-9A-F]{2}(:[0-9A-F]{2}){3}\)/],
  },
  {
    name: 'public root left out of a bundle that replaces the system roots',
    chain: (f) => f.served.direct.chainPem,
    trust: (f) => [f.expiredCa.certPem],
    system: (f) => [f.root.certPem],
    expected: ['fail:untrusted-root'],
    trusted: false,
    says: [/issued by the public root "duo-doctor fixtures root CA".*a CA bundle replaces the system roots/],
  },
  {
    name: 'a different CA with the same name in the bundle',
    chain: (f) => f.served.direct.chainPem,
    trust: () => [createRootCA({ commonName: 'duo-doctor fixtures root CA', organization: 'duo-doctor fixtures' }).certPem],
    expected: ['fail:untrusted-root'],
    trusted: false,
    says: [/the trust store holds a CA of that name, .* but a different key signed this certificate/],
  },
  { name: 'self-signed leaf, not trusted', chain: (f) => f.served.selfSigned.chainPem, trust: (f) => [f.root.certPem], expected: ['fail:self-signed-leaf'], trusted: false, says: [/is self-signed, and the trust store does not hold it/] },
  {
    name: 'self-signed leaf, even when the bundle holds it',
    chain: (f) => f.served.selfSigned.chainPem,
    trust: (f) => [f.served.selfSigned.leaf.certPem],
    expected: ['fail:self-signed-leaf'],
    trusted: true,
    says: [/holds it as its own anchor/],
  },
  { name: 'expired leaf', chain: (f) => f.served.expired.chainPem, trust: (f) => [f.root.certPem], expected: ['pass:trusted', 'fail:expired'], trusted: true, says: [/./, /"gitlab.test" \(SHA-256 .*\) expired on \d{4}-/] },
  { name: 'not yet valid leaf', chain: (f) => f.served.notYetValid.chainPem, trust: (f) => [f.root.certPem], expected: ['pass:trusted', 'fail:not-yet-valid'], trusted: true },
  { name: 'leaf expiring within 30 days', chain: (f) => f.served.expiring.chainPem, trust: (f) => [f.root.certPem], expected: ['pass:trusted', 'warn:expiring'], trusted: true, says: [/./, /expires in (9|10) day/] },
  { name: 'leaf expiring, outside a 5-day window', chain: (f) => f.served.expiring.chainPem, trust: (f) => [f.root.certPem], expiryWarnDays: 5, expected: ['pass:trusted'], trusted: true },
  {
    name: 'wrong host',
    chain: (f) => f.served.wrongHost.chainPem,
    trust: (f) => [f.root.certPem],
    expected: ['pass:trusted', 'fail:hostname-mismatch'],
    trusted: true,
    says: [/./, /"wrong.test" .* does not cover gitlab.test: its subjectAltName lists DNS:wrong.test/],
  },
  { name: 'host not covered by IP', chain: (f) => f.served.valid.chainPem, trust: (f) => [f.root.certPem], host: '10.1.2.3', expected: ['pass:trusted', 'fail:hostname-mismatch'], trusted: true },
  { name: 'SHA-1 signature', chain: (f) => f.served.sha1.chainPem, trust: (f) => [f.root.certPem], expected: ['pass:trusted', 'warn:weak-signature'], trusted: true, says: [/./, /signed with sha1WithRSAEncryption/] },
  { name: '1024-bit RSA key', chain: (f) => f.served.weakKey.chainPem, trust: (f) => [f.root.certPem], expected: ['pass:trusted', 'warn:weak-key'], trusted: true, says: [/./, /has a 1024-bit RSA key/] },
  { name: 'no certificate at all', chain: () => '', trust: (f) => [f.root.certPem], expected: ['fail:no-certificate'], trusted: false },
];

describe('judgeChain', () => {
  it.each(cases)('$name', ({ chain, trust, host, expiryWarnDays, system, expected, trusted, says }) => {
    const f = fixtures();
    const result = judge({
      chain: certs(chain(f)),
      trust: trust(f).map(x509),
      ...(system ? { systemRoots: system(f).map(x509) } : {}),
      ...(host ? { host } : {}),
      ...(expiryWarnDays !== undefined ? { expiryWarnDays } : {}),
    });
    expect(summary(result.verdicts)).toEqual(expected);
    expect(result.trusted).toBe(trusted);
    (says ?? []).forEach((pattern, i) => expect(result.verdicts[i]?.message).toMatch(pattern));
  });

  it('reports every problem of one chain together, not just the first', () => {
    const f = fixtures();
    const past = new Date(Date.now() - 86_400_000);
    const leaf = issueCertificate(
      { commonName: 'bad.test', altNames: ['bad.test'], notBefore: new Date(past.getTime() - 86_400_000 * 30), notAfter: past, hash: 'sha1', keyBits: 1024 },
      f.intermediate,
    );
    const result = judge({ chain: [x509(leaf.certPem)], trust: [x509(f.root.certPem)] });
    expect(summary(result.verdicts)).toEqual([
      'fail:missing-intermediate',
      'fail:hostname-mismatch',
      'fail:expired',
      'warn:weak-signature',
      'warn:weak-key',
    ]);
  });

  it('names the root to add with its subject and fingerprint', () => {
    const f = fixtures();
    const [verdict] = judge({ chain: certs(f.served.valid.chainPem + f.root.certPem), trust: [] }).verdicts;
    const root = x509(f.root.certPem);
    expect(verdict?.certificate).toEqual({ subject: 'CN=duo-doctor fixtures root CA, O=duo-doctor fixtures', name: 'duo-doctor fixtures root CA', fingerprint256: root.fingerprint256 });
    expect(verdict?.message).toContain(fingerprintPrefix(root.fingerprint256));
  });

  it('names a private root the server does not send when certificates known elsewhere (--ca-file) hold it', () => {
    const f = fixtures();
    const root = x509(f.root.certPem);
    const known = { where: '--ca-file /etc/ca.pem', certificates: [x509(f.intermediate.certPem), root] };
    const [verdict] = judge({ chain: certs(f.served.valid.chainPem), trust: [], known }).verdicts;
    expect(verdict).toMatchObject({ id: 'untrusted-root', severity: 'fail', certificate: { fingerprint256: root.fingerprint256 } });
    expect(verdict?.message).toMatch(/issued by the private root "duo-doctor fixtures root CA" .* which --ca-file \/etc\/ca\.pem holds but this trust store does not/);
    // Without them the root can only be named by its issuer name.
    const [unknown] = judge({ chain: certs(f.served.valid.chainPem), trust: [] }).verdicts;
    expect(unknown?.certificate).toBeUndefined();
  });

  it('judges an expired root in the trust store as expired (it anchors the path)', () => {
    const f = fixtures();
    const leaf = issueCertificate({ commonName: 'gitlab.test', altNames: ['gitlab.test'] }, f.expiredCa);
    const result = judge({ chain: [x509(leaf.certPem)], trust: [x509(f.expiredCa.certPem)] });
    expect(summary(result.verdicts)).toEqual(['pass:trusted', 'fail:expired']);
    expect(result.verdicts[1]?.message).toMatch(/"duo-doctor fixtures expired root CA"/);
    expect(result.path.map((p) => p.from)).toEqual(['server', 'trust']);
  });

  it('warns (not fails) about an expired certificate the server sends but the path does not need', () => {
    const f = fixtures();
    const result = judge({ chain: certs(f.served.valid.chainPem + f.expiredCa.certPem), trust: [x509(f.root.certPem)] });
    expect(summary(result.verdicts)).toEqual(['pass:trusted', 'warn:expired']);
    expect(result.verdicts[1]?.message).toMatch(/"duo-doctor fixtures expired root CA" .* \(sent by the server but not needed for the path\)/);
  });

  it('judges an EC chain (which node-forge cannot parse) with node:crypto', () => {
    const dir = mkdtempSync(join(tmpdir(), 'duo-doctor-ec-'));
    try {
      const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
      const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
      openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=EC root', '-days', '30');
      openssl('req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=ec.test');
      openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '20');
      const read = (n: string) => readFileSync(join(dir, n), 'utf8');
      const result = judge({ chain: [x509(read('leaf.pem'))], trust: [x509(read('ca.pem'))], host: 'ec.test' });
      // No SAN: the CN alone does not cover the host, as Python checks it.
      expect(summary(result.verdicts)).toEqual(['pass:trusted', 'fail:hostname-mismatch', 'warn:expiring', 'warn:expiring']);
      expect(result.verdicts[1]?.message).toMatch(/its CN matches, but clients check subjectAltName only/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
