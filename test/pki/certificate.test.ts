// describeCertificate and signatureAlgorithmOf: the facts reports show for each certificate.
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certLabel, certRef, describeCertificate, fingerprintPrefix, isSelfSigned } from '../../src/pki/certificate.js';
import { signatureAlgorithmOf } from '../../src/pki/der.js';
import type { LeafKind } from '../../scripts/fixtures.js';
import { useTlsFixtures } from '../tls/fixtures.js';

const fixtures = useTlsFixtures();
const leaf = (kind: LeafKind) => new X509Certificate(fixtures().served[kind].leaf.certPem);

describe('describeCertificate', () => {
  it('reads subject, issuer, SAN, dates, key and signature of a leaf', () => {
    const facts = describeCertificate(leaf('valid'));
    expect(facts).toMatchObject({
      subject: 'CN=gitlab.test, O=duo-doctor fixtures',
      issuer: 'CN=duo-doctor fixtures intermediate CA, O=duo-doctor fixtures',
      subjectCN: 'gitlab.test',
      san: ['DNS:gitlab.test', 'DNS:localhost', 'IP:127.0.0.1', 'IP:0:0:0:0:0:0:0:1'],
      signatureAlgorithm: 'sha256WithRSAEncryption',
      keyType: 'rsa',
      keyBits: 2048,
      isCA: false,
      selfIssued: false,
    });
    expect(facts.notAfter).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(facts.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(facts.pem).toContain('-----BEGIN CERTIFICATE-----');
  });

  it.each([
    ['sha1', 'sha1WithRSAEncryption', 2048],
    ['weakKey', 'sha256WithRSAEncryption', 1024],
  ] as const)('%s: %s, %i bits', (kind, algorithm, bits) => {
    const facts = describeCertificate(leaf(kind));
    expect(facts.signatureAlgorithm).toBe(algorithm);
    expect(facts.keyBits).toBe(bits);
  });

  it('tells a self-signed leaf (no keyCertSign) and a root from an issued certificate', () => {
    expect(isSelfSigned(leaf('selfSigned'))).toBe(true);
    expect(isSelfSigned(new X509Certificate(fixtures().root.certPem))).toBe(true);
    expect(isSelfSigned(leaf('valid'))).toBe(false);
  });

  it('labels a certificate by CN and fingerprint prefix', () => {
    const cert = leaf('valid');
    expect(certLabel(certRef(cert))).toBe(`"gitlab.test" (SHA-256 ${cert.fingerprint256.slice(0, 11)})`);
    expect(fingerprintPrefix('AA:BB:CC:DD:EE')).toBe('AA:BB:CC:DD');
  });
});

describe('signatureAlgorithmOf', () => {
  it.each([
    [Buffer.from([]), 'unknown'],
    [Buffer.from([0x30, 0x03, 0x30, 0x01, 0x00]), 'unknown'],
  ])('survives broken DER %#', (der, expected) => {
    expect(signatureAlgorithmOf(der)).toBe(expected);
  });
});
