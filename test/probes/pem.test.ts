// splitPem: every way a PEM bundle breaks, with the block index and line OpenSSL-based clients would choke on.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeBlock, isPrivateKeyLabel, splitPem, toPem } from '../../src/probes/pem.js';
import { bundleCases } from './pem-cases.js';
import { useTlsFixtures } from '../tls/fixtures.js';

const fixtures = useTlsFixtures();

/** 1-based line numbers of every BEGIN line in `text`. */
function beginLines(text: string): number[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .flatMap((l, i) => (l.startsWith('-----BEGIN ') ? [i + 1] : []));
}

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
    {
      name: 'a malformed BEGIN line',
      text: () => `-----BEGIN CERTIFICATE\n${body().join('\n')}\n-----END CERTIFICATE-----\n`,
      ok: 0,
      problem: /^line 1: malformed BEGIN line "-----BEGIN CERTIFICATE": OpenSSL skips it, and the block after it is lost$/,
    },
    {
      name: 'a malformed BEGIN line before a good block',
      text: () => `-----BEGIN CERT\n${body().join('\n')}\n-----END CERT-----\n${cert()}`,
      ok: 1,
      problem: /^line 1: malformed BEGIN line/,
    },
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
      text: () =>
        `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n${body().join('\n')}\n-----END RSA PRIVATE KEY-----\n`,
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
