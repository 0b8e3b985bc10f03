// Certificates from src/pki/generate.ts, read back and verified with node:crypto's X509Certificate.
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildChain, createRootCA, createSelfSignedLeaf, issueCertificate } from '../../src/pki/generate.js';

const x509 = (pem: string) => new X509Certificate(pem);

describe('pki', () => {
  it('creates a self-signed root CA', () => {
    const root = createRootCA({ commonName: 'Test Root', organization: 'Acme' });
    const cert = x509(root.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toContain('CN=Test Root');
    expect(cert.subject).toContain('O=Acme');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.toLegacyObject().serialNumber).toMatch(/^[0-7][0-9A-F]+$/i);
  });

  it('issues a leaf with SAN (DNS and IP), serverAuth, CA:false, signed by its issuer', () => {
    const root = createRootCA({ commonName: 'Root' });
    const leaf = issueCertificate({ commonName: 'gitlab.test', altNames: ['gitlab.test', '127.0.0.1', '::1'] }, root);
    const cert = x509(leaf.certPem);
    const rootCert = x509(root.certPem);
    expect(cert.ca).toBe(false);
    expect(cert.verify(rootCert.publicKey)).toBe(true);
    expect(cert.checkIssued(rootCert)).toBe(true);
    expect(cert.checkHost('gitlab.test')).toBe('gitlab.test');
    expect(cert.checkHost('other.test')).toBeUndefined();
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBeDefined();
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    // The key belongs to the certificate.
    expect(createPublicKey(createPrivateKey(leaf.keyPem)).export({ type: 'spki', format: 'pem' })).toBe(
      cert.publicKey.export({ type: 'spki', format: 'pem' }),
    );
  });

  it('links key identifiers: the leaf names its issuer through authorityKeyIdentifier', () => {
    const chain = buildChain({ host: 'gw.test', withIntermediate: true });
    const [leaf, inter, root] = [chain.leaf, chain.intermediate!, chain.root].map((i) => x509(i.certPem));
    expect(leaf!.checkIssued(inter!)).toBe(true);
    expect(inter!.checkIssued(root!)).toBe(true);
    expect(leaf!.checkIssued(root!)).toBe(false);
    expect(inter!.ca).toBe(true);
    expect(inter!.verify(root!.publicKey)).toBe(true);
    expect(leaf!.verify(inter!.publicKey)).toBe(true);
    expect(chain.chainPem).toBe(chain.leaf.certPem + chain.intermediate!.certPem);
  });

  it('a chain without intermediate is served as the leaf alone', () => {
    const chain = buildChain({ host: 'localhost' });
    expect(chain.intermediate).toBeUndefined();
    expect(chain.chainPem).toBe(chain.leaf.certPem);
    expect(x509(chain.leaf.certPem).checkHost('localhost')).toBe('localhost');
  });

  it('honours dates, altNames override and sha1', () => {
    const expired = new Date(Date.now() - 86_400_000);
    const chain = buildChain({
      host: 'gitlab.test',
      leaf: { notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: expired, altNames: ['wrong.test'], hash: 'sha1' },
    });
    const cert = x509(chain.leaf.certPem);
    expect(new Date(cert.validTo).getTime()).toBeLessThan(Date.now());
    expect(cert.checkHost('gitlab.test')).toBeUndefined();
    expect(cert.checkHost('wrong.test')).toBe('wrong.test');
    expect(cert.verify(x509(chain.root.certPem).publicKey)).toBe(true);
  });

  it('creates a self-signed leaf that is not a CA', () => {
    const leaf = createSelfSignedLeaf({ commonName: 'self.test', altNames: ['self.test'] });
    const cert = x509(leaf.certPem);
    expect(cert.ca).toBe(false);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkHost('self.test')).toBe('self.test');
  });

  it('never gives an issuer and its subject the same key', () => {
    for (let i = 0; i < 8; i++) {
      const chain = buildChain({ host: 'h.test', withIntermediate: i % 2 === 0 });
      const keys = [chain.root, chain.intermediate, chain.leaf].filter(Boolean).map((c) => c!.keyPem);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });
});
