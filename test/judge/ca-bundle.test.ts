// auditBundle: finding ids over the fixture bundles at the edges — empty, one certificate, many, duplicates, an expired root in a
// bundle of one's own (warn) and in the distribution's own bundle (said only), and the expiry window exactly at its limit.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/check.js';
import {
  auditBundle,
  bundleFingerprints,
  bundleMessages,
  bundleProblems,
  isDistributionBundle,
  type BundleFacts,
} from '../../src/judge/ca-bundle.js';
import { bundleFromText } from '../../src/probes/trust.js';
import { bundleFacts } from '../../src/tls/bundle-facts.js';
import type { BundleKind } from '../../scripts/fixtures.js';
import { useTlsFixtures } from '../tls/fixtures.js';

const fixtures = useTlsFixtures();
const DAY_MS = 86_400_000;
const DEBIAN = '/etc/ssl/certs/ca-certificates.crt';

/** A fixture bundle's facts, named `as` (its path as the variable names it). */
function bundle(kind: BundleKind, as?: string, realPath?: string): BundleFacts {
  const file = fixtures().bundles[kind];
  const facts = bundleFacts(bundleFromText(as ?? file, readFileSync(file, kind === 'der' ? 'latin1' : 'utf8')), ['--ca-file'], realPath);
  return facts;
}
const ids = (b: BundleFacts, now = Date.now(), days = 30) => auditBundle(b, now, days).findings.map((f) => f.id);

describe('auditBundle', () => {
  it.each([
    ['one CA certificate', () => bundle('good'), []],
    ['many: root and intermediate', () => bundle('withIntermediate'), []],
    ['many, one repeated', () => bundle('duplicate'), ['duplicate']],
    ['empty', () => bundle('empty'), ['noCertificate']],
    ['DER, not PEM', () => bundle('der'), ['noCertificate']],
    ['a truncated block', () => bundle('truncated'), ['badBlock']],
    ['a private key inside', () => bundle('privateKey'), ['privateKey']],
    ['a server certificate inside', () => bundle('leafInside'), ['serverCertificate']],
    ['an expired root among valid ones, in a bundle of your own', () => bundle('expiredCa'), ['expired']],
    ["the same expired root in the distribution's own bundle", () => bundle('expiredCa', DEBIAN), ['distributionExpired']],
    ['... reached through a symbolic link', () => bundle('expiredCa', '/etc/ssl/certs/my-link.pem', DEBIAN), ['distributionExpired']],
    ["... in certifi's bundle", () => bundle('expiredCa', '/usr/lib/python3/dist-packages/certifi/cacert.pem'), ['distributionExpired']],
    ["only expired roots, even in the distribution's bundle", () => bundle('onlyExpired', DEBIAN), ['noValidCertificate']],
    [
      'unreadable',
      () =>
        ({
          file: '/nope.pem',
          variables: ['--ca-file'],
          readError: { code: 'ENOENT', message: 'the file does not exist' },
          blocks: [],
          problems: [],
        }) as BundleFacts,
      ['unreadable'],
    ],
  ])('%s → %j', (_name, make, expected) => {
    expect(ids(make())).toEqual(expected);
  });

  describe('the expiry window at its edges (the fixture root is the only certificate)', () => {
    const notAfter = () => Date.parse(new X509Certificate(fixtures().root.certPem).validTo);
    it.each([
      ['exactly --expiry-warn-days away', 30, 30 * DAY_MS, ['expiring']],
      ['one day past the window', 30, 31 * DAY_MS, []],
      ['window 0, a day left', 0, DAY_MS, []],
      ['window 0, at the instant it expires', 0, 0, ['expiring']],
    ])('%s', (_name, days, left, expected) => {
      expect(ids(bundle('good'), notAfter() - left, days)).toEqual(expected);
    });

    it("a distribution's bundle is never warned about for expiry", () => {
      expect(ids(bundle('good', DEBIAN), notAfter() - DAY_MS, 30)).toEqual([]);
    });
  });
});

describe('isDistributionBundle', () => {
  it.each([
    [{ file: DEBIAN }, true],
    [{ file: '/etc/pki/tls/certs/ca-bundle.crt' }, true],
    [{ file: '/etc/ssl/cert.pem' }, true],
    [{ file: '/srv/certs/ca-bundle.pem' }, false],
    [{ file: '/srv/certs/link.pem', realPath: '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem' }, true],
    [{ file: '/home/aigateway/app/venv/lib/python3.12/site-packages/certifi/cacert.pem' }, true],
  ])('%j → %s', (b, expected) => {
    expect(isDistributionBundle(b)).toBe(expected);
  });
});

describe('what an audit says, word for word (pinned in __renderings__/ca-bundle-audit.txt)', () => {
  // Fixtures are generated per run: fingerprints and instants are masked, days counted from a fixed offset.
  const mask = (text: string) =>
    text
      .replace(/([0-9A-F]{2}:){3}[0-9A-F]{2}/g, 'FP')
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, 'DATE')
      .replace(/"\/[^"]*\/(?=[a-zA-Z]+\.pem")/g, '"/fixtures/')
      .replace(/\/tmp\/[^\s:;"]*\//g, '/fixtures/');
  const rootNotAfter = () => Date.parse(new X509Certificate(fixtures().root.certPem).validTo);
  const rootNotBefore = () => Date.parse(new X509Certificate(fixtures().root.certPem).validFrom);
  const unreadable = (code: string): BundleFacts => ({
    file: '/certs/ca.pem',
    variables: ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE'],
    readError: { code, message: `cannot read it (${code})` },
    blocks: [],
    problems: [],
  });
  const cases: [string, () => BundleFacts, (() => number)?, number?][] = [
    ['one CA certificate', () => bundle('good')],
    ['one CA certificate, 10 days before it expires', () => bundle('good'), () => rootNotAfter() - 10 * DAY_MS],
    ['one CA certificate, the day it expires, window 0', () => bundle('good'), () => rootNotAfter(), 0],
    ['one CA certificate, before it is valid', () => bundle('good'), () => rootNotBefore() - DAY_MS],
    ['duplicate', () => bundle('duplicate')],
    ['empty', () => bundle('empty')],
    ['DER', () => bundle('der')],
    ['truncated', () => bundle('truncated')],
    ['private key', () => bundle('privateKey')],
    ['server certificate inside', () => bundle('leafInside')],
    ['an expired root among valid ones', () => bundle('expiredCa')],
    ["an expired root in the distribution's bundle", () => bundle('expiredCa', DEBIAN)],
    ['only expired roots', () => bundle('onlyExpired')],
    ['a stray line beside a certificate', () => ({ ...bundle('good'), problems: ['line 40: text outside any block', 'block 1: ignored here'] })],
    ['a file-level problem and no certificate', () => ({ ...bundle('empty'), problems: ['no PEM block at all (is it DER?)'] })],
    [
      "four expired roots in the distribution's bundle among valid ones",
      () => {
        const expired = bundle('expiredCa');
        const bad = expired.blocks.filter((b) => b.pem && Date.parse(new X509Certificate(b.pem).validTo) < Date.now());
        const copies = [0, 1, 2, 3].map((i) => ({ ...bad[0]!, index: 10 + i, line: 100 + i }));
        return { ...expired, file: DEBIAN, blocks: [...expired.blocks, ...copies] };
      },
    ],
    ...['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'EFTYPE', 'EFBIG', 'EIO'].map((code): [string, () => BundleFacts] => [
      `unreadable ${code}`,
      () => unreadable(code),
    ]),
  ];

  it('renders each case: findings, texts, fixes, the problems checks cite, the counts', async () => {
    const out = cases.map(([name, make, when, days]) => {
      const b = make();
      const now = when ? when() : Date.now();
      const { findings, stats } = auditBundle(b, now, days ?? 30);
      const problems = bundleProblems(b, now, days ?? 30).problems;
      return [
        `## ${name}`,
        ...findings.map((f) => {
          const m = bundleMessages[f.id] as Message<unknown>;
          const fix = typeof m.fix === 'function' ? m.fix(f.data) : m.fix;
          return `${f.id} (${m.status}): ${m.text(f.data)}${fix ? `\n  fix: ${fix}` : ''}`;
        }),
        `problems: ${JSON.stringify(problems)}`,
        `stats: ${JSON.stringify(stats)}`,
      ].join('\n');
    });
    // The messages no single bundle reaches here (a valid and a not-yet-valid root together; the two-variable comparison).
    const at = { at: 'SSL_CERT_FILE: /certs/ca.pem', file: '/certs/ca.pem' };
    const samples: Partial<Record<keyof typeof bundleMessages, unknown>> = {
      allLoad: { bundles: ['SSL_CERT_FILE, REQUESTS_CA_BUNDLE: /certs/ca.pem', '--ca-file: /certs/more.pem'] },
      notYetValid: { ...at, block: 'block 2 (line 30, CERTIFICATE)', cert: '"Future CA"', date: '2031-01-01T00:00:00.000Z' },
      variablesUnset: {},
      onlyOneVariable: { set: 'SSL_CERT_FILE', unset: 'REQUESTS_CA_BUNDLE' },
      sameFile: { file: '/certs/ca.pem' },
      sameCertificates: { a: '/certs/a.pem', b: '/certs/b.pem' },
      variablesDiffer: { a: '/certs/a.pem', b: '/certs/b.pem', diff: '1 only in SSL_CERT_FILE' },
    };
    for (const [id, data] of Object.entries(samples)) {
      const m = bundleMessages[id as keyof typeof bundleMessages] as Message<unknown>;
      const fix = typeof m.fix === 'function' ? m.fix(data) : m.fix;
      out.push(`## sample ${id}\n${id} (${m.status}): ${m.text(data)}${fix ? `\n  fix: ${fix}` : ''}`);
    }
    await expect(mask(`${out.join('\n\n')}\n`)).toMatchFileSnapshot(fileURLToPath(new URL('./__renderings__/ca-bundle-audit.txt', import.meta.url)));
  });

  it('reaches every message but notYetValid and the two-variable ones (rendered from samples above)', () => {
    const reached = new Set(
      cases.flatMap(([, make, when, days]) => auditBundle(make(), when ? when() : Date.now(), days ?? 30).findings.map((f) => f.id)),
    );
    expect(Object.keys(bundleMessages).filter((id) => !reached.has(id as keyof typeof bundleMessages))).toEqual([
      'allLoad',
      'notYetValid',
      'variablesUnset',
      'onlyOneVariable',
      'sameFile',
      'sameCertificates',
      'variablesDiffer',
    ]);
  });

  it('bundleFingerprints: one entry per distinct certificate, with its label', () => {
    expect([...bundleFingerprints(bundle('duplicate')).values()].length).toBe(
      new Set(
        bundle('duplicate')
          .blocks.filter((b) => b.pem)
          .map((b) => b.pem),
      ).size,
    );
    expect([...bundleFingerprints(bundle('good')).values()]).toEqual([expect.stringMatching(/^".+" \(SHA-256 ([0-9A-F]{2}:){3}[0-9A-F]{2}\)$/)]);
    expect(bundleFingerprints(bundle('empty')).size).toBe(0);
  });

  it('a block whose PEM does not parse as a certificate counts as none', () => {
    const b = bundle('good');
    const broken = { ...b, blocks: b.blocks.map((x) => ({ ...x, pem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' })) };
    expect(auditBundle(broken, Date.now(), 30).stats.certificates).toBe(0);
  });
});
