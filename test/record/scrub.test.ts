// What a recording keeps of a secret: nothing usable — tokens anywhere, repeated, in URLs, headers, bodies and JSON members.
import { describe, expect, it } from 'vitest';
import { REDACTED, scrubBody, scrubHeaders, scrubJson, scrubText, scrubUrl } from '../../src/record/scrub.js';

const TOKEN = 'canary-4f1b2c3d-token';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIiwiYXVkIjpbImdpdGxhYi1haS1nYXRld2F5Il19.c2lnbmF0dXJlLWJ5dGVzLXRoYXQtbWF0dGVy';

describe('scrubText', () => {
  it.each([
    ['the run\'s token, every occurrence', `a ${TOKEN} b ${TOKEN}`, `a ${REDACTED} b ${REDACTED}`],
    ['a JWT loses its signature, keeps its claims', `Bearer ${JWT}`, `Bearer ${JWT.split('.').slice(0, 2).join('.')}.${REDACTED}`],
    ['a personal access token', 'glpat-abcdefghij0123456789', REDACTED],
    ['userinfo in a URL', 'https://oauth2:pw@gitlab.example.com/x', 'https://REDACTED@gitlab.example.com/x'],
    ['a secret query value', 'https://h/p?private_token=abc&x=1', `https://h/p?private_token=${REDACTED}&x=1`],
    ['a PEM private key, whatever its kind', 'k=-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- end', `k=${REDACTED} end`],
    ['a certificate stays (public data)', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
    ['text with no secret is unchanged', 'nothing to see', 'nothing to see'],
    ['empty', '', ''],
  ])('%s', (_name, input, expected) => {
    expect(scrubText(input, [TOKEN])).toBe(expected);
  });

  it('ignores secrets too short to be told from ordinary text', () => {
    expect(scrubText('abc', ['abc'])).toBe('abc');
  });
});

describe('scrubHeaders', () => {
  it('replaces credential headers whatever their case, and scrubs the rest', () => {
    const out = scrubHeaders(
      { Authorization: `Bearer ${JWT}`, 'PRIVATE-TOKEN': TOKEN, cookie: 'a=b', 'set-cookie': 's=1', 'x-note': `t=${TOKEN}`, accept: 'application/json' },
      [TOKEN],
    );
    expect(out).toEqual({ Authorization: REDACTED, 'PRIVATE-TOKEN': REDACTED, cookie: REDACTED, 'set-cookie': REDACTED, 'x-note': `t=${REDACTED}`, accept: 'application/json' });
  });
});

describe('scrubJson / scrubBody', () => {
  it('empties secret-named members at any depth but keeps a JWT member\'s claims', () => {
    const out = scrubJson({ token: JWT, nested: [{ password: 'hunter2', api_key: 'k1' }], keys: [{ kty: 'RSA', d: 'private', n: 'public' }] }, []);
    expect(out).toEqual({
      token: `${JWT.split('.').slice(0, 2).join('.')}.${REDACTED}`,
      nested: [{ password: REDACTED, api_key: REDACTED }],
      // The member stays (a judge sees private material was published); its value goes.
      keys: [{ kty: 'RSA', d: REDACTED, n: 'public' }],
    });
  });

  it.each([
    ['a JSON body', JSON.stringify({ access_token: 'x', text: TOKEN }), JSON.stringify({ access_token: REDACTED, text: REDACTED })],
    ['a body that only looks like JSON', `{not json ${TOKEN}`, `{not json ${REDACTED}`],
    ['a text body', `token is ${TOKEN}`, `token is ${REDACTED}`],
  ])('%s', (_name, body, expected) => {
    expect(scrubBody(body, [TOKEN])).toBe(expected);
  });

  it('keeps numbers, booleans and null', () => {
    expect(scrubJson({ a: 1, b: true, c: null, token: '' }, [])).toEqual({ a: 1, b: true, c: null, token: '' });
  });
});

describe('scrubUrl', () => {
  it('removes userinfo from an unparseable URL too', () => {
    expect(scrubUrl('oauth2:pw@ http://u:p@h', [])).not.toContain('u:p@');
  });
});
