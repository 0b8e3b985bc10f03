// Property tests of the certificate judge: any chain, trust list, host and clock gives consistent verdicts and a valid TLS outcome.
import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRootCA, createSelfSignedLeaf, issueCertificate } from '../../src/pki/generate.js';
import type { TlsFacts } from '../../src/probes/tls.js';
import { describeCertificate, isSelfSigned } from '../../src/pki/certificate.js';
import { renderJudgement } from '../../src/check.js';
import { judgeChain, type VerdictId } from '../../src/judge/tls-chain.js';
import { endpointMessages, judgeEndpoint } from '../../src/judge/tls-endpoint.js';
import { expectValidOutcome, runs } from './shape.js';

const DAY_MS = 86_400_000;
const now = Date.now();
// The twin is made right after the root, so the key pool gives it a different key under the same name (a regenerated CA).
const root = createRootCA({ commonName: 'fuzz root CA' });
const twin = createRootCA({ commonName: 'fuzz root CA' });
const other = createRootCA({ commonName: 'fuzz other CA' });
const intermediate = issueCertificate({ commonName: 'fuzz intermediate CA', isCA: true }, root);
const POOL = [
  root,
  twin,
  other,
  intermediate,
  issueCertificate({ commonName: 'gitlab.fuzz.test', altNames: ['gitlab.fuzz.test', '127.0.0.1', '::1'] }, intermediate),
  issueCertificate({ commonName: 'direct.fuzz.test', altNames: ['*.fuzz.test'] }, root),
  issueCertificate(
    { commonName: 'expired.fuzz.test', altNames: ['expired.fuzz.test'], notBefore: new Date(now - 60 * DAY_MS), notAfter: new Date(now - DAY_MS) },
    root,
  ),
  issueCertificate({ commonName: 'sha1.fuzz.test', altNames: ['sha1.fuzz.test'], hash: 'sha1' }, root),
  issueCertificate({ commonName: 'cn-only.fuzz.test' }, other),
  createSelfSignedLeaf({ commonName: 'self.fuzz.test', altNames: ['self.fuzz.test'] }),
].map((issued) => new X509Certificate(issued.certPem));

const VERDICTS: readonly VerdictId[] = [
  'trusted',
  'noCertificate',
  'selfSignedLeaf',
  'untrustedRoot',
  'missingIntermediate',
  'intermediateNotSent',
  'expired',
  'expiredUnused',
  'notYetValid',
  'notYetValidUnused',
  'expiring',
  'hostnameMismatch',
  'weakSignature',
  'weakKey',
];
/** The verdicts that mean the client refuses the connection. */
const FAILING: readonly VerdictId[] = [
  'noCertificate',
  'selfSignedLeaf',
  'untrustedRoot',
  'missingIntermediate',
  'expired',
  'notYetValid',
  'hostnameMismatch',
];
const pems = (certs: readonly X509Certificate[]) => certs.map((c) => c.toString());

const certs = fc.constantFrom(...POOL);
const input = fc.record({
  chain: fc.array(certs, { maxLength: 5 }),
  trust: fc.subarray(POOL),
  systemRoots: fc.subarray(POOL),
  host: fc.oneof(
    fc.constantFrom('127.0.0.1', '::1', '[::1]', 'gitlab.fuzz.test', 'GITLAB.FUZZ.TEST.', 'a.fuzz.test', 'fuzz.test', '', '*'),
    fc.domain(),
    fc.ipV4(),
    fc.ipV6(),
    fc.string({ maxLength: 30 }),
  ),
  now: fc.date({ min: new Date('1970-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
  expiryWarnDays: fc.integer({ min: 0, max: 100_000 }),
});

describe('the certificate judge under generated chains', () => {
  it('judgeChain: never throws; verdicts known, one line each; trusted agrees with its verdict; the path starts at the leaf', () => {
    fc.assert(
      fc.property(input, (i) => {
        const j = judgeChain({ ...i, chain: pems(i.chain), trust: pems(i.trust), systemRoots: pems(i.systemRoots), now: i.now.getTime() });
        expect(j.verdicts.length).toBeGreaterThan(0);
        for (const v of j.verdicts) {
          expect(VERDICTS).toContain(v.id);
          expect(v.message).toMatch(/^[^\n]+$/);
        }
        const leaf = i.chain[0];
        if (!leaf) {
          expect(j.verdicts.map((v) => v.id)).toEqual(['noCertificate']);
          return;
        }
        expect(j.path[0]?.certificate.fingerprint256).toBe(leaf.fingerprint256);
        expect(j.path.length).toBeLessThanOrEqual(11);
        expect(j.verdicts.some((v) => v.id === 'trusted')).toBe(j.trusted && !isSelfSigned(leaf));
        if (!j.trusted) expect(j.verdicts.some((v) => FAILING.includes(v.id))).toBe(true);
      }),
      { numRuns: runs(2_000) },
    );
  });

  it('judgeEndpoint: any handshake facts and trust give a valid check outcome', () => {
    fc.assert(
      fc.property(
        input,
        fc.constantFrom('gateway', 'gitlab') as fc.Arbitrary<'gateway' | 'gitlab'>,
        fc.option(
          fc.constantFrom('dns', 'refused', 'unreachable', 'timeout', 'reset', 'not-tls', 'tls', 'other') as fc.Arbitrary<
            NonNullable<TlsFacts['failure']>['kind']
          >,
        ),
        (i, client, failure) => {
          const facts: TlsFacts = {
            host: i.host,
            port: 443,
            ok: failure === null,
            ...(failure === null ? { protocol: 'TLSv1.3' } : { failure: { kind: failure, message: `handshake failed (${failure})` } }),
            chain: i.chain.map(describeCertificate),
            handshakeMs: 3,
          };
          const trust = {
            source: { kind: '--ca-file' as const, file: '/fuzz/ca.pem' },
            certificates: pems(i.trust),
            systemRoots: false,
            problems: [],
          };
          const endpoint = { scheme: 'https' as const, host: i.host, port: 443 };
          const judged = judgeEndpoint(
            { url: 'https://fuzz', endpoint, handshake: facts, trust, now: i.now.getTime(), expiryWarnDays: i.expiryWarnDays },
            'GitLab',
            client,
          );
          expectValidOutcome(renderJudgement(endpointMessages(client), judged as never));
        },
      ),
      { numRuns: runs(1_000) },
    );
  });
});
