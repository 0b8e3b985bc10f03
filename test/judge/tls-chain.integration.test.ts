// judgeChain on chains made at test time: every problem of one chain together, roots named, expired anchors, an EC chain (openssl).
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRootCA, issueCertificate } from '../../src/pki/generate.js';
import { fingerprintPrefix } from '../../src/pki/certificate.js';
import { judgeChain, type ChainInput, type Verdict } from '../../src/judge/tls-chain.js';
import { useTlsFixtures } from '../tls/fixtures.js';

const fixtures = useTlsFixtures();
const x509 = (pem: string) => new X509Certificate(pem);
const certs = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
function judge(partial: Partial<ChainInput> & Pick<ChainInput, 'chain' | 'trust'>) {
  return judgeChain({ host: 'gitlab.test', now: Date.now(), expiryWarnDays: 30, ...partial });
}
const ids = (verdicts: Verdict[]) => verdicts.map((v) => v.id);

describe('judgeChain on chains made at test time', () => {
  it('tells a different CA with the same name in the bundle (a regenerated CA)', () => {
    const f = fixtures();
    const twin = createRootCA({ commonName: 'duo-doctor fixtures root CA', organization: 'duo-doctor fixtures' });
    const [verdict] = judge({ chain: certs(f.served.direct.chainPem), trust: [twin.certPem] }).verdicts;
    expect(verdict?.id).toBe('untrustedRoot');
    expect(verdict?.message).toMatch(/the trust store holds a CA of that name, .* but a different key signed this certificate/);
  });

  it('reports every problem of one chain together, not just the first', () => {
    const f = fixtures();
    const past = new Date(Date.now() - 86_400_000);
    const leaf = issueCertificate(
      {
        commonName: 'bad.test',
        altNames: ['bad.test'],
        notBefore: new Date(past.getTime() - 86_400_000 * 30),
        notAfter: past,
        hash: 'sha1',
        keyBits: 1024,
      },
      f.intermediate,
    );
    const result = judge({ chain: [leaf.certPem], trust: [f.root.certPem] });
    expect(ids(result.verdicts)).toEqual(['missingIntermediate', 'hostnameMismatch', 'expired', 'weakSignature', 'weakKey']);
  });

  it('names the root to add with its subject and fingerprint', () => {
    const f = fixtures();
    const [verdict] = judge({ chain: certs(f.served.valid.chainPem + f.root.certPem), trust: [] }).verdicts;
    const root = x509(f.root.certPem);
    expect(verdict?.certificate).toEqual({
      subject: 'CN=duo-doctor fixtures root CA, O=duo-doctor fixtures',
      name: 'duo-doctor fixtures root CA',
      fingerprint256: root.fingerprint256,
    });
    expect(verdict?.message).toContain(fingerprintPrefix(root.fingerprint256));
  });

  it('names a private root the server does not send when certificates known elsewhere (--ca-file) hold it', () => {
    const f = fixtures();
    const root = x509(f.root.certPem);
    const known = { where: '--ca-file /etc/ca.pem', certificates: [f.intermediate.certPem, f.root.certPem] };
    const [verdict] = judge({ chain: certs(f.served.valid.chainPem), trust: [], known }).verdicts;
    expect(verdict).toMatchObject({ id: 'untrustedRoot', certificate: { fingerprint256: root.fingerprint256 } });
    expect(verdict?.message).toMatch(
      /issued by the private root "duo-doctor fixtures root CA" .* which --ca-file \/etc\/ca\.pem holds but this trust store does not/,
    );
    // Without them the root can only be named by its issuer name.
    const [unknown] = judge({ chain: certs(f.served.valid.chainPem), trust: [] }).verdicts;
    expect(unknown?.certificate).toBeUndefined();
  });

  it('judges an expired root in the trust store as expired (it anchors the path)', () => {
    const f = fixtures();
    const leaf = issueCertificate({ commonName: 'gitlab.test', altNames: ['gitlab.test'] }, f.expiredCa);
    const result = judge({ chain: [leaf.certPem], trust: [f.expiredCa.certPem] });
    expect(ids(result.verdicts)).toEqual(['trusted', 'expired']);
    expect(result.verdicts[1]?.message).toMatch(/"duo-doctor fixtures expired root CA"/);
    expect(result.path.map((p) => p.from)).toEqual(['server', 'trust']);
  });

  it('warns (not fails) about an expired certificate the server sends but the path does not need', () => {
    const f = fixtures();
    const result = judge({ chain: certs(f.served.valid.chainPem + f.expiredCa.certPem), trust: [f.root.certPem] });
    expect(ids(result.verdicts)).toEqual(['trusted', 'expiredUnused']);
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
      const result = judge({ chain: [read('leaf.pem')], trust: [read('ca.pem')], host: 'ec.test' });
      // No SAN: the CN alone does not cover the host, as Python checks it.
      expect(ids(result.verdicts)).toEqual(['trusted', 'hostnameMismatch', 'expiring', 'expiring']);
      expect(result.verdicts[1]?.message).toMatch(/its CN matches, but clients check subjectAltName only/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
