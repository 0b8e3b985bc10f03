// auditBundle: finding ids over the fixture bundles at the edges — empty, one certificate, many, duplicates, an expired root in a
// bundle of one's own (warn) and in the distribution's own bundle (said only), and the expiry window exactly at its limit.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditBundle, isDistributionBundle, type BundleFacts } from '../../src/judge/ca-bundle.js';
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
