// The key-set judge: every problem id on generated key sets, and the facts reported for a good GitLab set.
import { beforeAll, describe, expect, it } from 'vitest';
import { judgeKeySet, modulusBits, rsaThumbprint, type KeySetProblemId } from '../../src/judge/keyset.js';
import { jwksDoc, privateJwk, testKey, type TestKey } from '../jwks/fixtures.js';

let main: TestKey;
let ci: TestKey;
let weak: TestKey;

beforeAll(async () => {
  [main, ci, weak] = await Promise.all([testKey('main'), testKey('ci'), testKey('weak', 1024)]);
});

describe('modulusBits', () => {
  it.each([
    ['AQAB', 17],
    ['AAEA', 9],
    ['gA', 8],
    ['', undefined],
    ['AAAA', undefined],
    ['not base64url!', undefined],
  ])('%j → %s', (n, bits) => expect(modulusBits(n)).toBe(bits));

  it('measures generated keys', () => {
    expect(modulusBits(main.jwk.n)).toBe(2048);
    expect(modulusBits(weak.jwk.n)).toBe(1024);
  });
});

describe('judgeKeySet', () => {
  it("passes GitLab's two-key set and reports counts, kids, sizes and thumbprints", () => {
    const j = judgeKeySet(jwksDoc(main.jwk, ci.jwk));
    expect(j.status).toBe('pass');
    expect(j.problems).toEqual([]);
    expect(j.keyCount).toBe(2);
    expect(j.kids).toEqual([main.kid, ci.kid]);
    expect(j.usable).toHaveLength(2);
    expect(j.keys[0]).toMatchObject({ index: 0, kty: 'RSA', alg: 'RS256', use: 'sig', modulusBits: 2048, rs256: true, thumbprint: main.kid });
  });

  it('does not flag one key served twice under its kid (identical material)', () => {
    const j = judgeKeySet(jwksDoc(main.jwk, { ...main.jwk }));
    expect(j.status).toBe('pass');
  });

  const cases: { name: string; doc: () => unknown; status: 'warn' | 'fail'; ids: KeySetProblemId[]; keyCount: number }[] = [
    { name: 'not an object', doc: () => [main.jwk], status: 'fail', ids: ['notObject'], keyCount: 0 },
    { name: 'no keys member', doc: () => ({ jwks: [] }), status: 'fail', ids: ['keysMissing'], keyCount: 0 },
    { name: 'keys not an array', doc: () => ({ keys: { 0: main.jwk } }), status: 'fail', ids: ['keysNotArray'], keyCount: 0 },
    { name: 'empty keys', doc: () => jwksDoc(), status: 'fail', ids: ['keysEmpty'], keyCount: 0 },
    { name: 'private material published', doc: () => jwksDoc(privateJwk(main)), status: 'fail', ids: ['privateMaterial'], keyCount: 1 },
    { name: '1024-bit key only', doc: () => jwksDoc(weak.jwk), status: 'fail', ids: ['weakModulus', 'noRs256Key'], keyCount: 1 },
    { name: 'weak key beside a good one', doc: () => jwksDoc(weak.jwk, main.jwk), status: 'fail', ids: ['weakModulus'], keyCount: 2 },
    {
      name: 'EC key only',
      doc: () =>
        jwksDoc({
          kty: 'EC',
          crv: 'P-256',
          kid: 'ec',
          x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
          y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
        }),
      status: 'fail',
      ids: ['notRsa', 'noRs256Key'],
      keyCount: 1,
    },
    { name: 'entry not an object', doc: () => jwksDoc('key', main.jwk), status: 'warn', ids: ['keyNotObject'], keyCount: 2 },
    { name: 'alg RS512', doc: () => jwksDoc({ ...main.jwk, alg: 'RS512' }), status: 'warn', ids: ['algNotRs256'], keyCount: 1 },
    { name: 'use enc', doc: () => jwksDoc({ ...main.jwk, use: 'enc' }), status: 'warn', ids: ['useNotSig'], keyCount: 1 },
    { name: 'no kid', doc: () => jwksDoc({ ...main.jwk, kid: undefined }), status: 'warn', ids: ['missingKid'], keyCount: 1 },
    { name: 'one kid, two keys', doc: () => jwksDoc(main.jwk, { ...ci.jwk, kid: main.kid }), status: 'warn', ids: ['duplicateKid'], keyCount: 2 },
    {
      name: 'modulus not base64url',
      doc: () => jwksDoc({ ...main.jwk, n: '###' }),
      status: 'fail',
      ids: ['unimportable', 'noRs256Key'],
      keyCount: 1,
    },
  ];

  it.each(cases)('$name → $status $ids', ({ doc, status, ids, keyCount }) => {
    const j = judgeKeySet(doc());
    expect(j.status).toBe(status);
    expect(j.problems.map((p) => p.id)).toEqual(ids);
    expect(j.keyCount).toBe(keyCount);
  });

  it('never counts a key with private members as usable through its private part', () => {
    const j = judgeKeySet(jwksDoc(privateJwk(main)));
    expect(j.usable).toHaveLength(1);
    expect(j.problems.find((p) => p.id === 'privateMaterial')?.names).toEqual(['d', 'p', 'q', 'dp', 'dq', 'qi']);
  });

  it('computes the RFC 7638 thumbprint GitLab uses as the kid, by hand', () => {
    expect(rsaThumbprint(main.jwk.e as string, main.jwk.n as string)).toBe(main.kid);
    // RFC 7638 section 3.1's example key.
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    expect(rsaThumbprint('AQAB', n)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});
