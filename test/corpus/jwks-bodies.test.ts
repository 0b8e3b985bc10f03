// Malformed OIDC discovery and JWKS bodies from a loopback GitLab named by AIGW_GITLAB_URL, through jwks-reachable + jwks-valid.
import { generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JWK } from 'jose';
import type { Status } from '../../src/model.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';
import { discoveryDoc, privateJwk, testKey, type TestKey } from '../jwks/fixtures.js';
import { expectJudged, failOnUnhandled, resultOf, runIds } from './harness.js';

failOnUnhandled();

/** A body as sent: JSON (serialised), raw text or bytes, with an optional content type. */
type Body = { json: unknown } | { raw: string | Buffer; type?: string };

interface Keys {
  main: TestKey;
  other: TestKey;
  weak: TestKey;
}

/** One corpus entry: the two documents served and what each check must say. */
interface JwksCase {
  name: string;
  /** Discovery; default GitLab's, pointing at /oauth/discovery/keys on the same server. */
  discovery?: (base: string) => Body;
  keys?: (k: Keys) => Body;
  reachable: [Status, RegExp];
  valid: [Status, RegExp];
}

const json = (value: unknown): Body => ({ json: value });
const set = (...keys: unknown[]): Body => json({ keys });
const SKIPPED: [Status, RegExp] = ['skip', /depends on jwks-reachable, which failed/];
const FETCHED: [Status, RegExp] = ['pass', /keys fetched from http:\/\/127\.0\.0\.1:\d+\/oauth\/discovery\/keys/];

/** Nested arrays `depth` deep, as text (JSON.stringify would itself recurse). */
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const ecJwk = () => ({ ...(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as JWK), kid: 'ec-1', use: 'sig' });
const octJwk = { kty: 'oct', kid: 'hmac-1', k: 'c2VjcmV0LWtleS1tYXRlcmlhbA', alg: 'HS256' };
const FIVE_MB = 5 * 1024 * 1024;

const CASES: JwksCase[] = [
  { name: "GitLab's own documents (baseline)", reachable: FETCHED, valid: ['pass', /^1 key, 1 usable for RS256 \(kids: /] },
  // Discovery bodies.
  {
    name: 'discovery is not JSON',
    discovery: () => ({ raw: 'ok', type: 'text/plain' }),
    reachable: ['fail', /discovery.*invalid JSON/i],
    valid: SKIPPED,
  },
  {
    name: 'discovery is a JSON array',
    discovery: (b) => json([discoveryDoc(b)]),
    reachable: ['fail', /the discovery document is not a JSON object/],
    valid: SKIPPED,
  },
  { name: 'discovery is null', discovery: () => json(null), reachable: ['fail', /the discovery document is not a JSON object/], valid: SKIPPED },
  {
    name: 'jwks_uri is a number',
    discovery: (b) => json({ ...discoveryDoc(b), jwks_uri: 42 }),
    reachable: ['fail', /jwks_uri is not a non-empty string/],
    valid: SKIPPED,
  },
  {
    name: 'jwks_uri is a file: URL',
    discovery: (b) => json({ ...discoveryDoc(b), jwks_uri: 'file:///etc/passwd' }),
    reachable: ['fail', /jwks_uri file:\/\/\/etc\/passwd is not http\(s\)/],
    valid: SKIPPED,
  },
  {
    name: 'discovery nested 100,000 levels deep',
    discovery: () => ({ raw: nested(100_000), type: 'application/json' }),
    reachable: ['fail', /the discovery document is not a JSON object/],
    valid: SKIPPED,
  },
  {
    name: 'discovery of 5 MB',
    discovery: (b) => json({ ...discoveryDoc(b), padding: 'x'.repeat(FIVE_MB) }),
    reachable: ['fail', /larger than 1048576 bytes/],
    valid: SKIPPED,
  },
  {
    name: 'discovery in UTF-16',
    discovery: (b) => ({
      raw: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(discoveryDoc(b)), 'utf16le')]),
      type: 'application/json; charset=utf-16',
    }),
    reachable: ['fail', /invalid JSON/],
    valid: SKIPPED,
  },
  // Key-set bodies.
  {
    name: 'keys body is not JSON',
    keys: () => ({ raw: '{"keys": [', type: 'application/json' }),
    reachable: ['fail', /the key set \(jwks_uri\): invalid JSON: Unexpected end of JSON input/],
    valid: SKIPPED,
  },
  {
    name: 'key set is a JSON array',
    keys: (k) => json([k.main.jwk]),
    reachable: FETCHED,
    valid: ['fail', /^the JWKS document is not a JSON object$/],
  },
  { name: 'key set is null', keys: () => json(null), reachable: FETCHED, valid: ['fail', /^the JWKS document is not a JSON object$/] },
  { name: 'no "keys" member', keys: () => json({ jwks: [] }), reachable: FETCHED, valid: ['fail', /has no "keys" member/] },
  {
    name: '"keys" is an object, not an array',
    keys: (k) => json({ keys: { 0: k.main.jwk } }),
    reachable: FETCHED,
    valid: ['fail', /^"keys" is not an array$/],
  },
  {
    name: '"keys" is empty',
    keys: () => set(),
    reachable: FETCHED,
    valid: ['fail', /"keys" is empty: the gateway has no GitLab key to verify tokens with/],
  },
  { name: 'keys are strings', keys: () => set('a', 'b'), reachable: FETCHED, valid: ['fail', /no key in the set is usable to verify RS256 tokens/] },
  { name: 'EC keys only', keys: () => set(ecJwk()), reachable: FETCHED, valid: ['fail', /no key in the set is usable to verify RS256 tokens/] },
  {
    name: 'an oct (HMAC) key only',
    keys: () => set(octJwk),
    reachable: FETCHED,
    valid: ['fail', /key 0 \(kid hmac-1\) publishes private key material \(k\)/],
  },
  {
    name: 'a 512-bit RSA key',
    keys: (k) => set(k.weak.jwk),
    reachable: FETCHED,
    valid: ['fail', /is a 512-bit RSA key; RS256 needs at least 2048 bits/],
  },
  {
    name: 'duplicate kid on two different keys',
    keys: (k) => set(k.main.jwk, { ...k.other.jwk, kid: k.main.kid }),
    reachable: FETCHED,
    valid: ['warn', /kid \S+ names 2 different keys \(key 0, key 1\)/],
  },
  { name: 'missing n', keys: (k) => set({ ...k.main.jwk, n: undefined }), reachable: FETCHED, valid: ['fail', /no key in the set is usable/] },
  { name: 'missing e', keys: (k) => set({ ...k.main.jwk, e: undefined }), reachable: FETCHED, valid: ['fail', /no key in the set is usable/] },
  {
    name: 'n in standard base64 with padding',
    keys: (k) => set({ ...k.main.jwk, n: `${Buffer.from(k.main.jwk.n as string, 'base64url').toString('base64')}` }),
    reachable: FETCHED,
    valid: ['fail', /no key in the set is usable/],
  },
  {
    name: 'a kid with a line break and terminal escapes',
    keys: (k) => set({ ...k.main.jwk, kid: 'x\n✓ jwks-valid all good\u001b[2J', d: 'AQAB' }),
    reachable: FETCHED,
    valid: ['fail', /^key 0 \(kid x ✓ jwks-valid all good\\x1b\[2J\) publishes private key material \(d\)/],
  },
  {
    name: 'a published private key',
    keys: (k) => set(privateJwk(k.main)),
    reachable: FETCHED,
    valid: ['fail', /publishes private key material \(d, p, q, dp, dq, qi\)/],
  },
  {
    name: 'key set of 5 MB',
    keys: (k) => json({ keys: [k.main.jwk], padding: 'x'.repeat(FIVE_MB) }),
    reachable: ['fail', /larger than 1048576 bytes/],
    valid: SKIPPED,
  },
  {
    name: 'key set in UTF-16',
    keys: (k) => ({ raw: Buffer.from(JSON.stringify({ keys: [k.main.jwk] }), 'utf16le'), type: 'application/json' }),
    reachable: ['fail', /invalid JSON/],
    valid: SKIPPED,
  },
  {
    name: 'key set nested 100,000 levels deep',
    keys: () => ({ raw: `{"keys":${nested(100_000)}}`, type: 'application/json' }),
    reachable: FETCHED,
    valid: ['fail', /no key in the set is usable/],
  },
  {
    name: 'key set with a UTF-8 BOM',
    keys: (k) => ({ raw: `\uFEFF${JSON.stringify({ keys: [k.main.jwk] })}`, type: 'application/json' }),
    reachable: FETCHED,
    valid: ['pass', /1 key, 1 usable/],
  },
];

let server: LoopbackServer;
let keys: Keys;
/** What the server answers now (swapped per case; cases run one after another). */
let current: { discovery: Body; keys: Body };

function send(res: ServerResponse, body: Body): void {
  if ('json' in body) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body.json));
    return;
  }
  res.writeHead(200, { 'content-type': body.type ?? 'application/octet-stream' });
  res.end(body.raw);
}

beforeAll(async () => {
  const [main, other, weak] = await Promise.all([testKey('main'), testKey('other'), testKey('weak', 512)]);
  keys = { main, other, weak };
  server = await startLoopback((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/.well-known/openid-configuration') return send(res, current.discovery);
    if (path === '/oauth/discovery/keys') return send(res, current.keys);
    res.writeHead(404).end();
  });
});
afterAll(async () => {
  await server?.close();
});

describe('OIDC discovery / JWKS corpus', () => {
  it('has at least 15 malformed bodies', () => {
    expect(CASES.length - 1).toBeGreaterThanOrEqual(15);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    current = {
      discovery: c.discovery ? c.discovery(server.url) : json(discoveryDoc(server.url)),
      keys: c.keys ? c.keys(keys) : set(keys.main.jwk),
    };
    const run = await runIds(['jwks-reachable', 'jwks-valid'], { env: { AIGW_GITLAB_URL: server.url }, timeoutMs: 5_000 });
    expectJudged(resultOf(run, 'jwks-reachable'), ...c.reachable);
    expectJudged(resultOf(run, 'jwks-valid'), ...c.valid);
  });
});
