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

describe('judgeKeySet, whole verdicts', () => {
  it.each([
    ['not an object', null, 'notObject'],
    ['a list', [], 'notObject'],
    ['no keys member', {}, 'keysMissing'],
    ['keys not a list', { keys: {} }, 'keysNotArray'],
    ['no key', { keys: [] }, 'keysEmpty'],
  ])('%s: a failure and nothing else', (_name, doc, id) => {
    expect(judgeKeySet(doc)).toEqual({ status: 'fail', keyCount: 0, kids: [], keys: [], problems: [{ id, severity: 'fail' }], usable: [] });
  });

  it('a good key: every public fact, its thumbprint, usable', () => {
    const { kty: _k, ...rest } = main.jwk;
    const v = judgeKeySet({ keys: [{ ...rest, kty: 'RSA', kid: 'k1', alg: 'RS256', use: 'sig' }] });
    expect(v).toEqual({
      status: 'pass',
      keyCount: 1,
      kids: ['k1'],
      keys: [
        {
          index: 0,
          kid: 'k1',
          kty: 'RSA',
          alg: 'RS256',
          use: 'sig',
          modulusBits: 2048,
          thumbprint: rsaThumbprint(main.jwk.e!, main.jwk.n!),
          rs256: true,
        },
      ],
      problems: [],
      usable: [0],
    });
  });

  it('members that are not strings are not reported; a key without kid is labelled by its index', () => {
    const v = judgeKeySet({ keys: [{ n: main.jwk.n, e: main.jwk.e, kty: 'RSA', kid: 7, alg: 1, use: false }] });
    expect(v.keys[0]).toEqual({ index: 0, kty: 'RSA', modulusBits: 2048, thumbprint: rsaThumbprint(main.jwk.e!, main.jwk.n!), rs256: true });
    expect(v.problems).toEqual([{ id: 'missingKid', severity: 'warn', key: 'key 0' }]);
    expect(v.status).toBe('warn');
  });

  it.each([
    ['no kty', {}, [{ id: 'notRsa', severity: 'warn', key: 'key 0 (kid a)', value: '(missing)' }]],
    ['EC', { kty: 'EC' }, [{ id: 'notRsa', severity: 'warn', key: 'key 0 (kid a)', value: 'EC' }]],
    ['RS512', { kty: 'RSA', alg: 'RS512' }, [{ id: 'algNotRs256', severity: 'warn', key: 'key 0 (kid a)', value: 'RS512' }]],
    ['use enc', { kty: 'RSA', use: 'enc' }, [{ id: 'useNotSig', severity: 'warn', key: 'key 0 (kid a)', value: 'enc' }]],
    ['no n', { kty: 'RSA', n: undefined }, [{ id: 'unimportable', severity: 'warn', key: 'key 0 (kid a)', value: 'no valid modulus n (base64url)' }]],
    [
      'e not base64url',
      { kty: 'RSA', e: 'AQ+B' },
      [{ id: 'unimportable', severity: 'warn', key: 'key 0 (kid a)', value: 'no valid exponent e (base64url)' }],
    ],
    [
      'no e',
      { kty: 'RSA', e: undefined },
      [{ id: 'unimportable', severity: 'warn', key: 'key 0 (kid a)', value: 'no valid exponent e (base64url)' }],
    ],
  ] as [string, Record<string, unknown>, unknown[]][])('%s: its problem, with the key and value named', (_name, extra, problems) => {
    const v = judgeKeySet({ keys: [{ n: main.jwk.n, e: main.jwk.e, kid: 'a', ...extra }] });
    // A key with another alg or use still imports for RS256: a warning, not a set without a usable key.
    const usable = 'alg' in extra || 'use' in extra;
    expect(v.problems).toEqual(usable ? problems : [...problems, { id: 'noRs256Key', severity: 'fail' }]);
    expect(v.usable).toEqual(usable ? [0] : []);
    expect(v.status).toBe(usable ? 'warn' : 'fail');
  });

  it('a weak key: its size, no import, not usable', () => {
    const v = judgeKeySet({ keys: [{ ...weak.jwk, kid: 'w' }] });
    expect(v.problems).toEqual([
      { id: 'weakModulus', severity: 'fail', key: 'key 0 (kid w)', bits: 1024 },
      { id: 'noRs256Key', severity: 'fail' },
    ]);
    expect(v.keys[0]!.modulusBits).toBe(1024);
  });

  it('one kid for two different keys is a duplicate naming both; the same key twice is not', () => {
    const twice = judgeKeySet({
      keys: [
        { ...main.jwk, kid: 'x' },
        { ...main.jwk, kid: 'x' },
      ],
    });
    expect(twice.problems).toEqual([]);
    expect(twice.usable).toEqual([0, 1]);
    const clash = judgeKeySet({
      keys: [
        { ...main.jwk, kid: 'x' },
        { ...ci.jwk, kid: 'x' },
        { ...ci.jwk, kid: 'y' },
      ],
    });
    expect(clash.problems).toEqual([{ id: 'duplicateKid', severity: 'warn', value: 'x', names: ['key 0', 'key 1'] }]);
    expect(clash.kids).toEqual(['x', 'x', 'y']);
    expect(clash.keyCount).toBe(3);
  });

  it('entries without a thumbprint under one kid count as different', () => {
    const v = judgeKeySet({
      keys: [
        { ...main.jwk, kid: 'x' },
        { kty: 'RSA', kid: 'x' },
      ],
    });
    expect(v.problems.map((p) => p.id)).toEqual(['unimportable', 'duplicateKid']);
  });

  it('a key entry that is not an object is a warning labelled by its index', () => {
    const v = judgeKeySet({ keys: [{ ...main.jwk, kid: 'k' }, 'x'] });
    expect(v.problems).toEqual([{ id: 'keyNotObject', severity: 'warn', key: 'key 1' }]);
    expect(v.keys[1]).toEqual({ index: 1, rs256: false });
    expect(v.status).toBe('warn');
  });

  it.each([
    ['AAAB', 1],
    ['AACA', 8],
    ['AQ', 1],
    ['_w', 8],
  ])('modulusBits %j → %s (leading zero bytes skipped)', (n, bits) => expect(modulusBits(n)).toBe(bits));
});
