// Release versions: multi-digit parts, and half-open ranges whose bounds may not parse.
import { describe, expect, it } from 'vitest';
import { compareVersions, formatVersion, inRange, parseGatewayTag, parseVersion } from '../../src/judge/versions.js';

const v = (text: string) => parseVersion(text)!;

describe('parseVersion', () => {
  it.each([
    ['18.6.10-ee', { major: 18, minor: 6, patch: 10 }],
    ['self-hosted-v18.10.2-ee', { major: 18, minor: 10, patch: 2 }],
    ['latest', undefined],
  ])('%s', (text, want) => expect(parseVersion(text)).toEqual(want));
});

describe('inRange [introduced, fixed)', () => {
  const range = { introduced: '18.1.6', fixed: '18.6.2' };
  it.each([
    ['the first affected version', '18.1.6', true],
    ['one before it', '18.1.5', false],
    ['the last affected patch', '18.6.1', true],
    ['the fixed version itself', '18.6.2', false],
    ['a later minor', '18.7.0', false],
  ])('%s (%s)', (_name, version, want) => expect(inRange(v(version), range)).toBe(want));

  it.each([
    ['a fixed bound that does not parse', { introduced: '18.1.6', fixed: 'unreleased' }],
    ['an introduced bound that does not parse', { introduced: 'all', fixed: '18.6.2' }],
  ])('never matches with %s', (_name, r) => expect(inRange(v('18.2.0'), r)).toBe(false));

  it('orders by major, then minor, then patch', () => {
    expect(Math.sign(compareVersions(v('18.10.0'), v('18.9.9')))).toBe(1);
    expect(compareVersions(v('18.6.2'), v('18.6.2'))).toBe(0);
  });
});

describe('parseGatewayTag', () => {
  it.each([
    [
      'a full reference with a registry port and a digest',
      ' registry:5000/ai/model-gateway:self-hosted-v18.6.0-ee@sha256:abc ',
      { kind: 'release', tag: 'self-hosted-v18.6.0-ee' },
    ],
    ['a bare tag', '18.6.0', { kind: 'release', tag: '18.6.0' }],
    ['a reference without a tag', 'registry:5000/ai/model-gateway', { kind: 'unreadable', tag: 'model-gateway' }],
    ['nightly', 'img:nightly-2026', { kind: 'floating', tag: 'nightly-2026', nightly: true }],
    ['latest', 'img:latest', { kind: 'floating', tag: 'latest', nightly: false }],
  ])('%s', (_name, value, want) => expect(parseGatewayTag(value)).toMatchObject(want));
});

describe('versions at the edges', () => {
  it.each([
    ['18.6.0', { major: 18, minor: 6, patch: 0 }],
    ['v18.6.0', { major: 18, minor: 6, patch: 0 }],
    ['self-hosted-v18.6.0-ee', { major: 18, minor: 6, patch: 0 }],
    ['gitlab 18.6.10', { major: 18, minor: 6, patch: 10 }],
    ['.18.6.0', undefined],
    ['1.2', undefined],
    ['', undefined],
  ])('parseVersion %j', (text, want) => expect(parseVersion(text)).toEqual(want));

  it('formats as X.Y.Z', () => expect(formatVersion({ major: 18, minor: 10, patch: 3 })).toBe('18.10.3'));

  it.each([
    ['17.9.9', '18.0.0', -1],
    ['18.5.9', '18.6.0', -1],
    ['18.6.1', '18.6.2', -1],
    ['18.6.2', '18.6.1', 1],
    ['19.0.0', '18.99.99', 1],
  ])('compareVersions %s vs %s has sign %s', (a, b, sign) => expect(Math.sign(compareVersions(v(a), v(b)))).toBe(sign));

  it.each([
    ['LATEST', { kind: 'floating', tag: 'LATEST', nightly: false }],
    ['img:Nightly', { kind: 'floating', tag: 'Nightly', nightly: true }],
    ['img:18.6.0@sha256:abc', { kind: 'release', tag: '18.6.0', version: { major: 18, minor: 6, patch: 0 } }],
    ['ai/model-gateway:v18.7.1', { kind: 'release', tag: 'v18.7.1', version: { major: 18, minor: 7, patch: 1 } }],
    ['img:main', { kind: 'unreadable', tag: 'main' }],
    ['', { kind: 'unreadable', tag: '' }],
  ])('parseGatewayTag %j', (value, want) => expect(parseGatewayTag(value)).toEqual(want));
});
