// splitPem: every way a PEM bundle breaks, with the block index and line OpenSSL-based clients would choke on.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeBlock, isPrivateKeyLabel, splitPem, toPem } from '../../src/probes/pem.js';
import type { BundleKind } from '../../scripts/fixtures.js';
import { has } from '../helpers/capabilities.js';
import { useTlsFixtures } from '../tls/fixtures.js';

const fixtures = useTlsFixtures();

/** 1-based line numbers of every BEGIN line in `text`. */
function beginLines(text: string): number[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .flatMap((l, i) => (l.startsWith('-----BEGIN ') ? [i + 1] : []));
}

interface BundleCase {
  kind: BundleKind;
  ok: number;
  /** Index of each bad block and a pattern for its problem. */
  bad: [number, RegExp][];
  problems?: RegExp;
  /** What Python's ssl.create_default_context(cafile=) says: loads, or the error it raises. */
  python: 'loads' | 'PEM lib' | 'NO_CERTIFICATE_OR_CRL_FOUND';
}

const bundleCases: BundleCase[] = [
  { kind: 'good', ok: 1, bad: [], python: 'loads' },
  { kind: 'withIntermediate', ok: 2, bad: [], python: 'loads' },
  { kind: 'truncated', ok: 1, bad: [[2, /truncated|not a multiple of 4/]], python: 'PEM lib' },
  { kind: 'missingEnd', ok: 1, bad: [[2, /no END line: the block is truncated/]], python: 'PEM lib' },
  { kind: 'garbageBetween', ok: 2, bad: [], python: 'loads' },
  { kind: 'privateKey', ok: 2, bad: [], python: 'loads' },
  { kind: 'der', ok: 0, bad: [], problems: /binary, not PEM.*DER/, python: 'NO_CERTIFICATE_OR_CRL_FOUND' },
  { kind: 'crlf', ok: 2, bad: [], python: 'loads' },
  { kind: 'bom', ok: 1, bad: [], python: 'loads' },
  { kind: 'empty', ok: 0, bad: [], problems: /empty/, python: 'NO_CERTIFICATE_OR_CRL_FOUND' },
  { kind: 'badBase64', ok: 1, bad: [[2, /invalid base64 character "-" at line \d+ \(base64url/]], python: 'PEM lib' },
  { kind: 'nestedBegin', ok: 1, bad: [[1, /no END line before the next BEGIN at line \d+/]], python: 'PEM lib' },
  { kind: 'leafInside', ok: 2, bad: [], python: 'loads' },
  { kind: 'duplicate', ok: 3, bad: [], python: 'loads' },
];

describe('splitPem on the fixture bundles', () => {
  it.each(bundleCases)('$kind: $ok good block(s), bad ones named with index and line', ({ kind, ok, bad, problems }) => {
    const text = readFileSync(fixtures().bundles[kind]).toString('utf8');
    const result = splitPem(text);
    expect(result.blocks.filter((b) => b.ok)).toHaveLength(ok);
    const lines = beginLines(text);
    const badBlocks = result.blocks.filter((b) => !b.ok);
    expect(badBlocks.map((b) => b.index)).toEqual(bad.map(([i]) => i));
    for (const [index, pattern] of bad) {
      const block = badBlocks.find((b) => b.index === index)!;
      expect(block.problem).toMatch(pattern);
      expect(block.line).toBe(lines[index - 1]);
      expect(result.problems).toContain(`${describeBlock(block)}: ${block.problem}`);
    }
    if (problems) expect(result.problems.join('\n')).toMatch(problems);
    if (!problems && bad.length === 0) expect(result.problems).toEqual([]);
    for (const b of result.blocks.filter((x) => x.ok)) expect(b.der?.length).toBeGreaterThan(100);
  });

  const python = has('python3');
  it.skipIf(!python).each(bundleCases)("agrees with Python's ssl about $kind", ({ kind, bad, problems, python: expected }) => {
    const script = 'import ssl,sys\ntry:\n  ssl.create_default_context(cafile=sys.argv[1]); print("loads")\nexcept ssl.SSLError as e: print(e)';
    const said = execFileSync('python3', ['-c', script, fixtures().bundles[kind]]).toString();
    expect(said).toContain(expected);
    // What we call a fail is exactly what Python refuses.
    expect(bad.length > 0 || problems !== undefined).toBe(expected !== 'loads');
  });
});

describe('splitPem on hand-made text', () => {
  const cert = () => fixtures().root.certPem;
  const body = () => cert().trim().split('\n').slice(1, -1);

  const cases: { name: string; text: () => string; ok: number; labels?: string[]; problem?: RegExp }[] = [
    { name: 'one certificate', text: cert, ok: 1, labels: ['CERTIFICATE'] },
    { name: 'whitespace only', text: () => ' \n\t\n', ok: 0, problem: /empty/ },
    { name: 'text without any block', text: () => 'hello\nworld\n', ok: 0, problem: /no PEM block found/ },
    { name: 'a private key', text: () => fixtures().root.keyPem, ok: 1, labels: ['PRIVATE KEY'] },
    { name: 'old CR-only line ends', text: () => cert().replace(/\n/g, '\r'), ok: 1 },
    { name: 'trailing spaces on lines', text: () => cert().replace(/\n/g, '  \n'), ok: 1 },
    {
      name: 'END label differs from BEGIN',
      text: () => cert().replace('-----END CERTIFICATE-----', '-----END PRIVATE KEY-----'),
      ok: 0,
      problem: /does not match BEGIN CERTIFICATE/,
    },
    { name: 'an END line without BEGIN', text: () => `${cert()}-----END CERTIFICATE-----\n`, ok: 1, problem: /line \d+: END line without a BEGIN/ },
    { name: 'a malformed BEGIN line', text: () => `-----BEGIN CERTIFICATE\n${body().join('\n')}\n-----END CERTIFICATE-----\n`, ok: 0, problem: /^line 1: malformed BEGIN line "-----BEGIN CERTIFICATE": OpenSSL skips it, and the block after it is lost$/ },
    { name: 'a malformed BEGIN line before a good block', text: () => `-----BEGIN CERT\n${body().join('\n')}\n-----END CERT-----\n${cert()}`, ok: 1, problem: /^line 1: malformed BEGIN line/ },
    { name: 'an empty body', text: () => '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n', ok: 0, problem: /empty body/ },
    {
      name: 'padding in the middle (two bodies merged)',
      text: () => `-----BEGIN CERTIFICATE-----\nAAA=\nAAAA\n-----END CERTIFICATE-----\n`,
      ok: 0,
      problem: /padding \(=\) in the middle/,
    },
    {
      name: 'a body that is not DER',
      text: () => `-----BEGIN CERTIFICATE-----\n${Buffer.from('hello world, not DER!').toString('base64')}\n-----END CERTIFICATE-----\n`,
      ok: 0,
      problem: /not DER/,
    },
    {
      name: 'stray bytes after the DER',
      text: () => toPem(Buffer.concat([new X509Certificate(cert()).raw, Buffer.from([0, 0, 0])])),
      ok: 0,
      problem: /3 stray bytes/,
    },
    {
      name: 'RFC 1421 headers in an encrypted key',
      text: () => `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n${body().join('\n')}\n-----END RSA PRIVATE KEY-----\n`,
      ok: 1,
      labels: ['RSA PRIVATE KEY'],
    },
  ];

  it.each(cases)('$name', ({ text, ok, labels, problem }) => {
    const result = splitPem(text());
    expect(result.blocks.filter((b) => b.ok)).toHaveLength(ok);
    if (labels) expect(result.blocks.map((b) => b.label)).toEqual(labels);
    if (problem) expect(result.problems.join('\n')).toMatch(problem);
    else expect(result.problems).toEqual([]);
  });

  it('never throws on arbitrary input', async () => {
    const fc = await import('fast-check');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.constantFrom('', '-----BEGIN CERTIFICATE-----\n', '-----END CERTIFICATE-----\n'), (s, marker) => {
        const result = splitPem(marker + s + marker);
        expect(Array.isArray(result.blocks)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips DER through toPem', () => {
    const der = new X509Certificate(cert()).raw;
    expect(splitPem(toPem(der)).blocks[0]?.der?.equals(der)).toBe(true);
  });

  it.each([
    ['PRIVATE KEY', true],
    ['RSA PRIVATE KEY', true],
    ['EC PRIVATE KEY', true],
    ['ENCRYPTED PRIVATE KEY', true],
    ['OPENSSH PRIVATE KEY', true],
    ['PUBLIC KEY', false],
    ['CERTIFICATE', false],
  ])('isPrivateKeyLabel(%s) = %s', (label, expected) => {
    expect(isPrivateKeyLabel(label)).toBe(expected);
  });
});
