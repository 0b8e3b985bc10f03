// Property tests of the PEM splitter and the CA bundle audit: generated and mutated bundles never throw, always yield a valid verdict.
import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import caBundle from '../../checks/ca-bundle.js';
import { createRootCA, issueCertificate } from '../../src/pki/generate.js';
import { describeBlock, isCertificateLabel, splitPem, toPem } from '../../src/probes/pem.js';
import type { BundleRead } from '../../src/probes/trust.js';
import { auditBundle, bundleMessages } from '../../src/judge/ca-bundle.js';
import { bundleFacts } from '../../src/tls/bundle-facts.js';
import { makeContext } from '../helpers/context.js';
import { expectValidOutcome, runs } from './shape.js';

const DAY_MS = 86_400_000;
const root = createRootCA({ commonName: 'fuzz root CA' });
const leaf = issueCertificate({ commonName: 'fuzz.test', altNames: ['fuzz.test'] }, root);
const expired = createRootCA({
  commonName: 'fuzz expired CA',
  notBefore: new Date(Date.now() - 90 * DAY_MS),
  notAfter: new Date(Date.now() - DAY_MS),
});
const PEMS = [root.certPem, leaf.certPem, expired.certPem, root.keyPem];
const BODY_LINES = PEMS.flatMap((p) => p.trim().split('\n').slice(1, -1));

/** A line a PEM file might hold: real base64, BEGIN/END of every kind, headers, near-misses, junk and binary. */
const pemLine = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...BODY_LINES) },
  { weight: 3, arbitrary: fc.constantFrom('-----BEGIN CERTIFICATE-----', '-----END CERTIFICATE-----') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '-----BEGIN PRIVATE KEY-----',
      '-----END PRIVATE KEY-----',
      '-----BEGIN TRUSTED CERTIFICATE-----',
      '-----END TRUSTED CERTIFICATE-----',
      '-----BEGIN X509 CRL-----',
      '-----BEGIN ',
      '-----END -----',
      '-----BEGIN certificate-----',
      'Proc-Type: 4,ENCRYPTED',
      '',
      '   ',
    ),
  },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9+/=_-]{0,80}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(...PEMS).map((p) => p.trimEnd()) },
);

/** A whole generated file: lines, a line-end style, maybe a BOM. */
const pemFile = fc
  .tuple(fc.array(pemLine, { maxLength: 60 }), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean())
  .map(([lines, eol, bom]) => `${bom ? '\uFEFF' : ''}${lines.join(eol)}`);

/** A good bundle damaged in a few places: characters deleted, inserted or replaced, the file cut short. */
const mutatedBundle = fc
  .tuple(
    fc.subarray(PEMS, { minLength: 1 }),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('delete', 'insert', 'replace', 'cut'), fc.string({ unit: 'binary', minLength: 1, maxLength: 8 })), {
      maxLength: 6,
    }),
  )
  .map(([pems, edits]) => {
    let text = pems.join('');
    for (const [at, kind, s] of edits) {
      const i = text.length ? at % text.length : 0;
      if (kind === 'delete') text = text.slice(0, i) + text.slice(i + s.length);
      else if (kind === 'insert') text = text.slice(0, i) + s + text.slice(i);
      else if (kind === 'replace') text = text.slice(0, i) + s + text.slice(i + s.length);
      else text = text.slice(0, i);
    }
    return text;
  });

/** The invariants of splitPem's answer for `text`. */
function expectWellFormedSplit(text: string): ReturnType<typeof splitPem> {
  const split = splitPem(text);
  const lineCount = text.split(/\r\n|\n|\r/).length;
  split.blocks.forEach((b, i) => {
    expect(b.index).toBe(i + 1);
    expect(b.line).toBeGreaterThanOrEqual(1);
    expect(b.line).toBeLessThanOrEqual(lineCount);
    expect(b.label.length).toBeLessThanOrEqual(64);
    if (b.ok) {
      expect(b.problem).toBeUndefined();
      expect(b.der?.length).toBeGreaterThan(0);
      if (isCertificateLabel(b.label) && b.label !== 'TRUSTED CERTIFICATE') expect(() => new X509Certificate(b.der as Buffer)).not.toThrow();
    } else {
      expect(b.problem).toBeTruthy();
      expect(split.problems.some((p) => p.startsWith(`${describeBlock(b)}: `))).toBe(true);
    }
  });
  if (split.blocks.length === 0) expect(split.problems.length).toBeGreaterThan(0);
  for (const p of split.problems) {
    expect(p).not.toMatch(/[\r\n]/);
    expect(p.length).toBeLessThan(400);
  }
  return split;
}

/** The ca-bundle check's verdict on `text`, read as if from --ca-file (the memo is seeded: no file needed). */
async function judge(text: string) {
  const file = '/fuzz/ca-bundle.pem';
  const ctx = makeContext({ caFile: file });
  const { blocks, problems } = splitPem(text);
  const read: BundleRead = {
    file,
    size: text.length,
    blocks,
    problems,
    certificates: blocks.filter((b) => b.ok && b.der && isCertificateLabel(b.label)).map((b) => toPem(b.der as Buffer)),
  };
  await ctx.memo(`bundle:${file}`, async () => read);
  return caBundle.run(ctx);
}

describe('splitPem and the bundle audit under generated input', () => {
  it('any text: never throws, every block numbered and either loaded or named with its problem', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), pemFile), (text) => void expectWellFormedSplit(text)),
      { numRuns: runs(3_000) },
    );
  });

  it('damaged bundles: the audit never throws and its counts match the blocks', () => {
    fc.assert(
      fc.property(mutatedBundle, (text) => {
        const { blocks, problems } = expectWellFormedSplit(text);
        const { findings, stats } = auditBundle(bundleFacts({ file: '/f.pem', blocks, problems, certificates: [] }, ['--ca-file']), Date.now(), 30);
        expect(stats.blocks).toBe(blocks.length);
        expect(stats.badBlocks.length).toBe(blocks.filter((b) => !b.ok).length);
        for (const f of findings) expect(Object.keys(bundleMessages)).toContain(f.id);
        if (stats.badBlocks.length || stats.privateKeys) expect(findings.some((f) => bundleMessages[f.id].status === 'fail')).toBe(true);
      }),
      { numRuns: runs(2_000) },
    );
  });

  it('generated and damaged bundles through the ca-bundle check: always a valid outcome', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(pemFile, mutatedBundle), async (text) => expectValidOutcome(await judge(text))),
      { numRuns: runs(1_000) },
    );
  });

  // Any code point, lone surrogates included; here, not in the unit tier: fast-check takes seconds to set that alphabet up.
  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.constantFrom('', '-----BEGIN CERTIFICATE-----\n', '-----END CERTIFICATE-----\n'),
        (s, marker) => {
          const result = splitPem(marker + s + marker);
          expect(Array.isArray(result.blocks)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any DER a certificate block holds comes back unchanged through toPem', () => {
    fc.assert(
      fc.property(fc.constantFrom(root.certPem, leaf.certPem, expired.certPem), fc.constantFrom('\n', '\r\n'), (pem, eol) => {
        const der = Buffer.from(new X509Certificate(pem).raw);
        const { blocks } = splitPem(toPem(der).replace(/\n/g, eol));
        expect(blocks.map((b) => [b.ok, b.der?.equals(der)])).toEqual([[true, true]]);
      }),
      { numRuns: runs(100) },
    );
  });
});
