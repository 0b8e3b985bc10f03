// What a recording keeps of a secret: nothing usable — tokens anywhere, repeated, in URLs, headers, bodies and JSON members.
import { describe, expect, it } from 'vitest';
import { REDACTED, scrubBody, scrubHeaders, scrubJson, scrubText, scrubUrl } from '../../src/record/scrub.js';

const TOKEN = 'canary-4f1b2c3d-token';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIiwiYXVkIjpbImdpdGxhYi1haS1nYXRld2F5Il19.c2lnbmF0dXJlLWJ5dGVzLXRoYXQtbWF0dGVy';

describe('scrubText', () => {
  it.each([
    ["the run's token, every occurrence", `a ${TOKEN} b ${TOKEN}`, `a ${REDACTED} b ${REDACTED}`],
    ['a JWT loses its signature, keeps its claims', `Bearer ${JWT}`, `Bearer ${JWT.split('.').slice(0, 2).join('.')}.${REDACTED}`],
    ['a personal access token', 'glpat-abcdefghij0123456789', REDACTED],
    ['userinfo in a URL', 'https://oauth2:pw@gitlab.example.com/x', 'https://REDACTED@gitlab.example.com/x'],
    ['a secret query value', 'https://h/p?private_token=abc&x=1', `https://h/p?private_token=${REDACTED}&x=1`],
    ['a PEM private key, whatever its kind', 'k=-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- end', `k=${REDACTED} end`],
    [
      'a certificate stays (public data)',
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
    ],
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
      {
        Authorization: `Bearer ${JWT}`,
        'PRIVATE-TOKEN': TOKEN,
        cookie: 'a=b',
        'set-cookie': 's=1',
        'x-note': `t=${TOKEN}`,
        accept: 'application/json',
      },
      [TOKEN],
    );
    expect(out).toEqual({
      Authorization: REDACTED,
      'PRIVATE-TOKEN': REDACTED,
      cookie: REDACTED,
      'set-cookie': REDACTED,
      'x-note': `t=${REDACTED}`,
      accept: 'application/json',
    });
  });
});

describe('scrubJson / scrubBody', () => {
  it("empties secret-named members at any depth but keeps a JWT member's claims", () => {
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

describe('scrubbing at its edges', () => {
  it.each([
    ['a one-letter scheme', 'x://u:pw1234@h', 'x://REDACTED@h'],
    ['a scheme with a digit before ://', 'h2://u:pw1234@h', 'h2://REDACTED@h'],
    [
      'query secrets, each of several, not the other parameters',
      'GET /x?token=abc123&page=1&password=pw',
      `GET /x?token=${REDACTED}&page=1&password=${REDACTED}`,
    ],
    ['a secret-like name that is not a query parameter', 'mytoken=abc123', 'mytoken=abc123'],
  ])('scrubText: %s', (_name, text, want) => {
    expect(scrubText(text, [])).toBe(want);
  });

  it.each([
    ['a JWT with text before it is not a JWT: the member goes whole', { token: `Bearer ${JWT}` }, { token: REDACTED }],
    ['a JWT with text after it is not a JWT: the member goes whole', { token: `${JWT} trailing` }, { token: REDACTED }],
    ['an empty secret member stays empty', { token: '' }, { token: '' }],
    ['a non-string secret member is scrubbed as a value', { token: 5 }, { token: 5 }],
    ['a member with an ordinary name stays', { name: 'plain' }, { name: 'plain' }],
  ])('scrubJson: %s', (_name, value, want) => {
    expect(scrubJson(value, [])).toEqual(want);
  });

  it.each([
    ['a JSON object with whitespace around it', '  {"token":"abc"}\n', `{"token":"${REDACTED}"}`],
    ['a JSON array', '[{"password":"p"}]', `[{"password":"${REDACTED}"}]`],
    ['a JSON scalar is text, kept as sent', ' 42 ', ' 42 '],
    ['text that starts like JSON but is not', '{not json token=abc', '{not json token=abc'],
  ])('scrubBody: %s', (_name, body, want) => {
    expect(scrubBody(body, [])).toBe(want);
  });
});

describe('every token of a multi-target run, repeated and split across lines, in every part of a recording', () => {
  // Not glpat-shaped, so only the run's list of secrets can catch them.
  const PROD = 'canary-prod-7a8b9c0d';
  const STAGING = 'canary-staging-1e2f3a4b';
  const secrets = [PROD, STAGING];
  const leaky = `${PROD} ${STAGING} ${PROD} ${STAGING.slice(0, 10)}\n${STAGING.slice(10)} ${PROD.slice(0, 6)}\r\n  ${PROD.slice(6)}`;
  const gone = (text: string) => {
    for (const s of secrets) for (let i = 0; i + 8 <= s.length; i++) expect(text).not.toContain(s.slice(i, i + 8));
  };

  it.each([
    ['text', () => scrubText(leaky, secrets)],
    ['a URL', () => scrubUrl(`https://gitlab.example.com/api/v4/x?q=${PROD}&r=${STAGING}`, secrets)],
    ['an ordinary header', () => JSON.stringify(scrubHeaders({ 'x-echo': leaky }, secrets))],
    ['a text body', () => scrubBody(leaky, secrets)],
    ['a JSON body (an ordinary member, a list)', () => scrubBody(JSON.stringify({ message: leaky, list: [PROD, STAGING] }), secrets)],
  ])('%s keeps none of them', (_name, scrubbed) => {
    const text = scrubbed();
    gone(text);
    expect(text).toContain(REDACTED);
  });
});
