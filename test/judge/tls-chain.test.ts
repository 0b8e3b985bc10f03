// judgeChain: every verdict against the generated fixture chains (PEM strings in), all reported together; the expiry window at its
// edges. Chains made at test time (and an EC chain from openssl): tls-chain.integration.test.ts.
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { judgeChain, type ChainInput, type Verdict } from '../../src/judge/tls-chain.js';
import type { TlsFixtures } from '../../scripts/fixtures.js';
import { useTlsFixtures } from '../tls/fixtures.js';

const fixtures = useTlsFixtures();
const DAY_MS = 86_400_000;
/** Splits a PEM chain into certificates. */
const certs = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

function judge(partial: Partial<ChainInput> & Pick<ChainInput, 'chain' | 'trust'>) {
  return judgeChain({ host: 'gitlab.test', now: Date.now(), expiryWarnDays: 30, ...partial });
}
const ids = (verdicts: Verdict[]) => verdicts.map((v) => v.id);

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
  {
    name: 'valid chain to a private root in the bundle',
    chain: (f) => f.served.valid.chainPem,
    trust: (f) => [f.root.certPem],
    expected: ['trusted'],
    trusted: true,
    says: [/private root "duo-doctor fixtures root CA"/],
  },
  {
    name: 'valid chain reached by IP address (IP SAN)',
    chain: (f) => f.served.valid.chainPem,
    trust: (f) => [f.root.certPem],
    host: '127.0.0.1',
    expected: ['trusted'],
    trusted: true,
  },
  {
    name: 'valid chain reached by IPv6 literal in brackets',
    chain: (f) => f.served.valid.chainPem,
    trust: (f) => [f.root.certPem],
    host: '[::1]',
    expected: ['trusted'],
    trusted: true,
  },
  {
    name: 'leaf issued directly by the root, root in the bundle',
    chain: (f) => f.served.direct.chainPem,
    trust: (f) => [f.root.certPem],
    expected: ['trusted'],
    trusted: true,
  },
  {
    name: 'public root, as the system roots hold it',
    chain: (f) => f.served.valid.chainPem,
    trust: (f) => [f.root.certPem],
    system: (f) => [f.root.certPem],
    expected: ['trusted'],
    trusted: true,
    says: [/the public root/],
  },
  {
    name: 'missing intermediate, root in the bundle',
    chain: (f) => f.served.missingIntermediate.chainPem,
    trust: (f) => [f.root.certPem],
    expected: ['missingIntermediate'],
    trusted: false,
    says: [
      /sends only its own certificate "gitlab.test" \(SHA-256 [0-9A-F:]{11}\) but not its issuer "duo-doctor fixtures intermediate CA", which the trust store does not hold either: the server omits the intermediate CA/,
    ],
  },
  {
    name: 'missing intermediate that the bundle happens to hold',
    chain: (f) => f.served.missingIntermediate.chainPem,
    trust: (f) => [f.root.certPem, f.intermediate.certPem],
    expected: ['trusted', 'intermediateNotSent'],
    trusted: true,
    says: [/private root/, /does not send the intermediate "duo-doctor fixtures intermediate CA"/],
  },
  {
    name: 'private CA, no bundle (system roots only), root not sent',
    chain: (f) => f.served.direct.chainPem,
    trust: () => [],
    expected: ['untrustedRoot'],
    trusted: false,
    says: [/issued by "duo-doctor fixtures root CA", which is neither sent by the server nor in the trust store: a private CA/],
  },
  {
    name: 'private CA, intermediate sent, root not in the store',
    chain: (f) => f.served.valid.chainPem,
    trust: () => [],
    expected: ['untrustedRoot'],
    trusted: false,
    says: [/"duo-doctor fixtures intermediate CA" .* is issued by "duo-doctor fixtures root CA"/],
  },
  {
    name: 'private root sent by the server but not trusted: named with its fingerprint',
    chain: (f) => f.served.valid.chainPem + f.root.certPem,
    trust: () => [],
    expected: ['untrustedRoot'],
    trusted: false,
    says: [/ends at the root "duo-doctor fixtures root CA" \(SHA-256 [0-9A-F]{2}(:[0-9A-F]{2}){3}\)/],
  },
  {
    name: 'public root left out of a bundle that replaces the system roots',
    chain: (f) => f.served.direct.chainPem,
    trust: (f) => [f.expiredCa.certPem],
    system: (f) => [f.root.certPem],
    expected: ['untrustedRoot'],
    trusted: false,
    says: [/issued by the public root "duo-doctor fixtures root CA".*a CA bundle replaces the system roots/],
  },

  {
    name: 'self-signed leaf, not trusted',
    chain: (f) => f.served.selfSigned.chainPem,
    trust: (f) => [f.root.certPem],
    expected: ['selfSignedLeaf'],
    trusted: false,
    says: [/is self-signed, and the trust store does not hold it/],
  },
  {
    name: 'self-signed leaf, even when the bundle holds it',
    chain: (f) => f.served.selfSigned.chainPem,
    trust: (f) => [f.served.selfSigned.leaf.certPem],
    expected: ['selfSignedLeaf'],
    trusted: true,
    says: [/holds it as its own anchor/],
  },
  {
    name: 'expired leaf',
    chain: (f) => f.served.expired.chainPem,
    trust: (f) => [f.root.certPem],
    expected: ['trusted', 'expired'],
    trusted: true,
    says: [/./, /"gitlab.test" \(SHA-256 .*\) expired on \d{4}-/],
  },
  {
    name: 'not yet valid leaf',
    chain: (f) => f.served.notYetValid.chainPem,
    trust: (f) => [f.root.certPem],
    expected: ['trusted', 'notYetValid'],
    trusted: true,
  },
  {
    name: 'not yet valid leaf, as said',
    chain: (f) => f.served.notYetValid.chainPem,
    trust: (f) => [f.root.certPem],
    expected: ['trusted', 'notYetValid'],
    trusted: true,
    says: [/./, /^"gitlab\.test" \(SHA-256 [0-9A-F:]+\) is not valid before \d{4}-\d\d-\d\dT[\d:.]+Z$/],
  },
  {
    name: 'a host with a trailing dot is the same host',
    chain: (f) => f.served.valid.chainPem,
    trust: (f) => [f.root.certPem],
    host: 'gitlab.test.',
    expected: ['trusted'],
    trusted: true,
  },
  {
    name: 'an IPv6 literal in brackets the certificate does not cover, named without brackets',
    chain: (f) => f.served.valid.chainPem,
    trust: (f) => [f.root.certPem],
    host: '[2001:db8::5]',
    expected: ['trusted', 'hostnameMismatch'],
    trusted: true,
    says: [/./, /does not cover 2001:db8::5: its subjectAltName lists /],
  },
  {
    name: 'leaf expiring within 30 days',
    chain: (f) => f.served.expiring.chainPem,
    trust: (f) => [f.root.certPem],
    expected: ['trusted', 'expiring'],
    trusted: true,
    says: [/./, /^"gitlab\.test" \(SHA-256 [0-9A-F:]+\) expires in (9|10) days, on \d{4}-\d\d-\d\dT[\d:.]+Z$/],
  },
  {
    name: 'leaf expiring, outside a 5-day window',
    chain: (f) => f.served.expiring.chainPem,
    trust: (f) => [f.root.certPem],
    expiryWarnDays: 5,
    expected: ['trusted'],
    trusted: true,
  },
  {
    name: 'wrong host',
    chain: (f) => f.served.wrongHost.chainPem,
    trust: (f) => [f.root.certPem],
    expected: ['trusted', 'hostnameMismatch'],
    trusted: true,
    says: [/./, /^"wrong\.test" \(SHA-256 [0-9A-F:]+\) does not cover gitlab\.test: its subjectAltName lists DNS:wrong\.test$/],
  },
  {
    name: 'host not covered by IP',
    chain: (f) => f.served.valid.chainPem,
    trust: (f) => [f.root.certPem],
    host: '10.1.2.3',
    expected: ['trusted', 'hostnameMismatch'],
    trusted: true,
  },
  {
    name: 'SHA-1 signature',
    chain: (f) => f.served.sha1.chainPem,
    trust: (f) => [f.root.certPem],
    expected: ['trusted', 'weakSignature'],
    trusted: true,
    says: [/./, /^".+" \(SHA-256 [0-9A-F:]+\) is signed with sha1WithRSAEncryption$/],
  },
  {
    name: '1024-bit RSA key',
    chain: (f) => f.served.weakKey.chainPem,
    trust: (f) => [f.root.certPem],
    expected: ['trusted', 'weakKey'],
    trusted: true,
    says: [/./, /^".+" \(SHA-256 [0-9A-F:]+\) has a 1024-bit RSA key$/],
  },
  { name: 'no certificate at all', chain: () => '', trust: (f) => [f.root.certPem], expected: ['noCertificate'], trusted: false },
];

describe('judgeChain', () => {
  it.each(cases)('$name', ({ chain, trust, host, expiryWarnDays, system, expected, trusted, says }) => {
    const f = fixtures();
    const result = judge({
      chain: certs(chain(f)),
      trust: trust(f),
      ...(system ? { systemRoots: system(f) } : {}),
      ...(host ? { host } : {}),
      ...(expiryWarnDays !== undefined ? { expiryWarnDays } : {}),
    });
    expect(ids(result.verdicts)).toEqual(expected);
    expect(result.trusted).toBe(trusted);
    (says ?? []).forEach((pattern, i) => expect(result.verdicts[i]?.message).toMatch(pattern));
  });
});

describe('the expiry window (--expiry-warn-days) at its edges', () => {
  const notAfter = () => Date.parse(new X509Certificate(fixtures().served.valid.leaf.certPem).validTo);
  const at = (now: number, expiryWarnDays: number) =>
    ids(judge({ chain: certs(fixtures().served.valid.chainPem), trust: [fixtures().root.certPem], now, expiryWarnDays }).verdicts);
  it.each([
    ['exactly the window away', 30, 30 * DAY_MS, ['trusted', 'expiring']],
    ['one day past the window', 30, 31 * DAY_MS, ['trusted']],
    ['one millisecond past the window', 30, 30 * DAY_MS + 1, ['trusted']],
    ['window 0, a day left', 0, DAY_MS, ['trusted']],
    ['window 0, at the very instant it expires', 0, 0, ['trusted', 'expiring']],
    ['one millisecond after it expired', 30, -1, ['trusted', 'expired']],
  ])('%s (window %i days)', (_name, days, left, expected) => {
    expect(at(notAfter() - left, days)).toEqual(expected);
  });

  it('says whole days left, rounded down', () => {
    const [, expiring] = judge({
      chain: certs(fixtures().served.valid.chainPem),
      trust: [fixtures().root.certPem],
      now: notAfter() - 10.5 * DAY_MS,
    }).verdicts;
    expect(expiring).toMatchObject({ id: 'expiring', daysLeft: 10 });
  });
});

describe('a self-signed leaf', () => {
  it('is anchored when the trust store holds that very certificate, and not otherwise', () => {
    const f = fixtures();
    const held = judge({ chain: certs(f.served.selfSigned.chainPem), trust: [f.served.selfSigned.leaf.certPem] }).verdicts[0];
    const notHeld = judge({ chain: certs(f.served.selfSigned.chainPem), trust: [f.root.certPem] }).verdicts[0];
    expect([held?.anchored, notHeld?.anchored]).toEqual([true, false]);
  });
});
