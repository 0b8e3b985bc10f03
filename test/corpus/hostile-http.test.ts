// Hostile HTTP servers on loopback against gitlab-reachable, gateway-health and jwks-reachable: every one judged, none crashes or hangs.
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import type { Status } from '../../src/model.js';
import { discoveryDoc } from '../jwks/fixtures.js';
import { expectJudged, failOnUnhandled, printable, resultOf, runIds } from './harness.js';
import { byPath, chunk, gzipBomb, raw, respond, startRawServer, stream, type Behaviour, type RawServer } from './raw-server.js';

failOnUnhandled();

/** A recognisable administrator token: it must reach the hostile GitLab's origin only, and never any output. */
const TOKEN = 'glpat-CORPUSHOSTILE0123456789';
/** Short, so the slow cases end fast; generous enough for a loaded 2-core machine. */
const TIMEOUT_MS = 1_500;

type Target = 'gitlab' | 'gateway' | 'jwks';

interface HostileCase {
  name: string;
  target: Target;
  /** Built once the servers run (some point at the other origin). */
  behaviour: () => Behaviour;
  status: Status;
  says: RegExp;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const METADATA = JSON.stringify({ version: '18.6.0-ee', revision: 'abc123', enterprise: true });
const USER = JSON.stringify({ username: 'root', is_admin: true });
const HTML = '<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body>Try later</body></html>';

let server: RawServer;
/** Another origin: records whatever reaches it (a token must never). */
let other: RawServer;

/** GitLab's two answers with `metadata` as the metadata behaviour. */
const gitlabWith = (metadata: Behaviour, user: Behaviour = respond(200, JSON_TYPE, USER)) =>
  byPath({ '/api/v4/metadata': metadata, '/api/v4/user': user });
const drip: Behaviour = stream(JSON_TYPE, 1_000, (s) => s.write(chunk(' ')));
const endless: Behaviour = stream(JSON_TYPE, 1, (s) => s.write(chunk('x'.repeat(64 * 1024))));
const resetMidBody: Behaviour = (socket: Socket) => {
  socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"version":');
  setTimeout(() => socket.resetAndDestroy(), 50);
};
const shortBody: Behaviour = raw(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n${METADATA}`);
const bomb = () => respond(200, { ...JSON_TYPE, 'content-encoding': 'gzip' }, gzipBomb(10));
const headerFlood: Behaviour = raw(
  `HTTP/1.1 200 OK\r\n${Array.from({ length: 4_000 }, (_, i) => `x-flood-${i}: ${'y'.repeat(40)}`).join('\r\n')}\r\ncontent-length: 2\r\n\r\n{}`,
);
const silent: Behaviour = () => undefined;

const CASES: HostileCase[] = [
  // GitLab's API, with the token.
  {
    name: 'HTML error page with 200',
    target: 'gitlab',
    behaviour: () => gitlabWith(respond(200, { 'content-type': 'text/html' }, HTML)),
    status: 'fail',
    says: /does not answer like GitLab: \/api\/v4\/metadata gave HTML page \("Service Unavailable"\) instead of JSON/,
  },
  {
    name: 'HTML page whose title carries terminal escapes',
    target: 'gitlab',
    behaviour: () =>
      gitlabWith(respond(200, { 'content-type': 'text/html' }, '<html><head><title>\u001b[2J\u001b]0;pwned\u0007OK</title></head></html>')),
    status: 'fail',
    says: /gave HTML page \("\\x1b\[2J\\x1b\]0;pwned\\x07OK"\) instead of JSON/,
  },
  {
    name: 'truncated JSON in a complete response',
    target: 'gitlab',
    behaviour: () => gitlabWith(respond(200, JSON_TYPE, '{"version":"18.')),
    status: 'fail',
    says: /does not answer like GitLab: \/api\/v4\/metadata gave invalid JSON/,
  },
  {
    name: 'body shorter than its Content-Length',
    target: 'gitlab',
    behaviour: () => gitlabWith(shortBody),
    status: 'fail',
    says: /^GitLab at http:\/\/127\.0\.0\.1:\d+ is unreachable \((reset|protocol)\)/,
  },
  {
    name: 'never-ending body (size cap)',
    target: 'gitlab',
    behaviour: () => gitlabWith(endless),
    status: 'fail',
    says: /is unreachable \(too-large\): Response from http:\/\/127\.0\.0\.1:\d+ is larger than 1048576 bytes; stopped reading/,
  },
  {
    name: 'slow drip of one byte a second (body timeout)',
    target: 'gitlab',
    behaviour: () => gitlabWith(drip),
    status: 'fail',
    says: /is unreachable \(timeout\): No answer from http:\/\/127\.0\.0\.1:\d+ within 1500 ms \(reading the body\)/,
  },
  {
    name: 'connection reset mid-response',
    target: 'gitlab',
    behaviour: () => gitlabWith(resetMidBody),
    status: 'fail',
    says: /is unreachable \(reset\): Connection to 127\.0\.0\.1:\d+ was reset \(reading the body\)/,
  },
  {
    name: 'redirect loop (never followed with the token)',
    target: 'gitlab',
    behaviour: () => gitlabWith(respond(302, { location: '/api/v4/metadata' })),
    status: 'fail',
    says: /^GitLab redirected to http:\/\/127\.0\.0\.1:\d+\/api\/v4\/metadata instead of answering \(HTTP 302\)/,
  },
  {
    name: 'redirect to another origin (the token must not follow)',
    target: 'gitlab',
    behaviour: () => gitlabWith(respond(302, { location: `${other.url}/api/v4/metadata` })),
    status: 'fail',
    says: /^GitLab redirected to http:\/\/127\.0\.0\.1:\d+; the token was not sent there \(HTTP 302\)/,
  },
  {
    name: '204 where JSON is expected',
    target: 'gitlab',
    behaviour: () => gitlabWith(respond(204, {})),
    status: 'fail',
    says: /No GitLab API at http:\/\/127\.0\.0\.1:\d+: \/api\/v4\/metadata gave HTTP 204/,
  },
  {
    name: 'JSON under a wrong content-type',
    target: 'gitlab',
    behaviour: () =>
      gitlabWith(respond(200, { 'content-type': 'text/html' }, METADATA), respond(200, { 'content-type': 'application/octet-stream' }, USER)),
    status: 'pass',
    says: /^GitLab 18\.6\.0-ee Enterprise Edition answers; the token is administrator root's$/,
  },
  {
    name: 'gzip bomb (10 MB of zeros in 10 KB)',
    target: 'gitlab',
    behaviour: () => gitlabWith(bomb()),
    status: 'fail',
    says: /is unreachable \(too-large\): .* is larger than 1048576 bytes/,
  },
  {
    name: 'HTTP/1.0 close-delimited body',
    target: 'gitlab',
    behaviour: () => gitlabWith(raw(`HTTP/1.0 200 OK\r\ncontent-type: application/json\r\n\r\n${METADATA}`), raw(`HTTP/1.0 200 OK\r\n\r\n${USER}`)),
    status: 'pass',
    says: /Enterprise Edition answers/,
  },
  {
    name: 'invalid status line',
    target: 'gitlab',
    behaviour: () => gitlabWith(raw('HTTP/1.1 abc Nope\r\ncontent-length: 0\r\n\r\n')),
    status: 'fail',
    says: /is unreachable \(protocol\): Invalid HTTP response from http:\/\/127\.0\.0\.1:\d+: Response does not match the HTTP\/1\.1 protocol \(Invalid status code\)/,
  },
  {
    name: 'header flood (160 KB of headers)',
    target: 'gitlab',
    behaviour: () => gitlabWith(headerFlood),
    status: 'fail',
    says: /is unreachable \(protocol\): Invalid HTTP response from http:\/\/127\.0\.0\.1:\d+: .*[Hh]eader/,
  },
  {
    name: 'unsupported content-encoding',
    target: 'gitlab',
    behaviour: () => gitlabWith(respond(200, { ...JSON_TYPE, 'content-encoding': 'compress' }, METADATA)),
    status: 'fail',
    says: /is unreachable \(protocol\): .*unsupported content-encoding "compress"/,
  },
  {
    name: 'corrupt gzip body',
    target: 'gitlab',
    behaviour: () => gitlabWith(respond(200, { ...JSON_TYPE, 'content-encoding': 'gzip' }, METADATA)),
    status: 'fail',
    says: /is unreachable \(protocol\): Invalid HTTP response from .*incorrect header check/,
  },
  {
    name: 'an SSH banner instead of HTTP',
    target: 'gitlab',
    behaviour: () => raw('SSH-2.0-OpenSSH_9.6\r\n'),
    status: 'fail',
    says: /is unreachable \(protocol\): Invalid HTTP response/,
  },
  {
    name: 'accepts, then never answers',
    target: 'gitlab',
    behaviour: () => silent,
    status: 'fail',
    says: /is unreachable \(timeout\): No answer from http:\/\/127\.0\.0\.1:\d+ within 1500 ms \(waiting for the response headers\)/,
  },
  {
    name: 'closes without a word',
    target: 'gitlab',
    behaviour: () => (socket: Socket) => socket.end(),
    status: 'fail',
    says: /is unreachable \(reset\): Connection to 127\.0\.0\.1:\d+ was reset/,
  },
  // The gateway's health endpoint, as GitLab calls it.
  {
    name: 'health: HTML page with 200 (GitLab only asks for 200)',
    target: 'gateway',
    behaviour: () => respond(200, { 'content-type': 'text/html' }, HTML),
    status: 'pass',
    says: /^AI Gateway server is accessible$/,
  },
  { name: 'health: 204', target: 'gateway', behaviour: () => respond(204, {}), status: 'fail', says: /^AI Gateway returned HTTP 204$/ },
  {
    name: 'health: 503 error page from a proxy',
    target: 'gateway',
    behaviour: () => respond(503, { 'content-type': 'text/html', via: '1.1 proxy' }, HTML),
    status: 'fail',
    says: /^AI Gateway returned HTTP 503$/,
  },
  {
    name: 'health: reset mid-response',
    target: 'gateway',
    behaviour: () => resetMidBody,
    status: 'fail',
    says: /^Connection error: reset - Connection to 127\.0\.0\.1:\d+ was reset \(reading the body\)/,
  },
  {
    name: 'health: slow drip',
    target: 'gateway',
    behaviour: () => drip,
    status: 'fail',
    says: /^Connection error: timeout - No answer from .* within 1500 ms \(reading the body\)/,
  },
  {
    name: 'health: never-ending body',
    target: 'gateway',
    behaviour: () => endless,
    status: 'fail',
    says: /^Connection error: too-large - Response from .* is larger than 1048576 bytes/,
  },
  // Discovery and keys, fetched as the gateway fetches them (redirects followed, no credentials).
  {
    name: 'discovery: redirect loop',
    target: 'jwks',
    behaviour: () => respond(302, { location: '/.well-known/openid-configuration' }),
    status: 'fail',
    says: /redirect loop or more than 30 redirects starting at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration/,
  },
  {
    name: 'discovery: redirect to another origin',
    target: 'jwks',
    behaviour: () => respond(301, { location: `${other.url}/.well-known/openid-configuration` }),
    status: 'fail',
    says: /HTTP 404/,
  },
  { name: 'discovery: 204', target: 'jwks', behaviour: () => respond(204, {}), status: 'fail', says: /OIDC discovery.*: empty body/ },
  { name: 'discovery: gzip bomb', target: 'jwks', behaviour: () => bomb(), status: 'fail', says: /larger than 1048576 bytes/ },
  {
    name: 'discovery: conflicting Content-Length headers',
    target: 'jwks',
    behaviour: () => raw(`HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}`),
    status: 'fail',
    says: /Invalid HTTP response from http:\/\/127\.0\.0\.1:\d+/,
  },
  {
    name: 'keys: never-ending body',
    target: 'jwks',
    behaviour: () =>
      byPath({
        '/.well-known/openid-configuration': respond(200, JSON_TYPE, JSON.stringify(discoveryDoc(server.url))),
        '/oauth/discovery/keys': endless,
      }),
    status: 'fail',
    says: /the key set \(jwks_uri\): .*larger than 1048576 bytes/,
  },
];

/** Settings pointing the case's check at the hostile server. */
function settingsFor(target: Target): { ids: string[]; id: string; settings: Partial<Settings> } {
  const common = { timeoutMs: TIMEOUT_MS, gitlabToken: TOKEN };
  switch (target) {
    case 'gitlab':
      return { ids: ['gitlab-reachable'], id: 'gitlab-reachable', settings: { ...common, gitlabUrl: server.url } };
    case 'gateway':
      return {
        ids: ['gateway-url', 'gateway-reachable', 'gateway-health'],
        id: 'gateway-health',
        settings: { ...common, gatewayUrl: server.url, gatewayUrlSource: 'flag' },
      };
    case 'jwks':
      return { ids: ['jwks-reachable'], id: 'jwks-reachable', settings: { ...common, env: { AIGW_GITLAB_URL: server.url } } };
  }
}

beforeAll(async () => {
  [server, other] = await Promise.all([startRawServer(respond(500, {})), startRawServer(respond(404, JSON_TYPE, '{"message":"404 Not Found"}'))]);
});
afterAll(async () => {
  await Promise.all([server?.close(), other?.close()]);
});

describe('hostile HTTP corpus', () => {
  it('has at least 15 hostile behaviours', () => {
    expect(CASES.filter((c) => c.status !== 'pass').length).toBeGreaterThanOrEqual(15);
  });

  it.each(CASES.map((c) => [c.target, c.name, c] as const))('%s: %s', async (_target, _name, c) => {
    server.behaviour = c.behaviour();
    server.requests.length = 0;
    other.requests.length = 0;
    const { ids, id, settings } = settingsFor(c.target);
    const started = Date.now();
    const run = await runIds(ids, settings);
    // Bounded by the timeout, whatever the server does (generous for a loaded machine).
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 4);
    const result = resultOf(run, id);
    expectJudged(result, c.status, c.says);
    expect(printable(result)).not.toContain(TOKEN);
    // The token went to GitLab's origin only: never to the other origin, never in Authorization.
    for (const r of other.requests) expect(Object.keys(r.headers)).not.toContain('private-token');
    for (const r of [...server.requests, ...other.requests]) expect(r.headers.authorization).toBeUndefined();
    if (c.target === 'gitlab' && server.requests.length) expect(server.requests[0]?.headers['private-token']).toBe(TOKEN);
    if (c.target !== 'gitlab') for (const r of server.requests) expect(r.headers['private-token']).toBeUndefined();
  });

  it('a cross-origin redirect from GitLab leaves the other origin untouched', async () => {
    server.behaviour = gitlabWith(respond(302, { location: `${other.url}/api/v4/metadata` }));
    other.requests.length = 0;
    const run = await runIds(['gitlab-reachable'], settingsFor('gitlab').settings);
    expect(resultOf(run, 'gitlab-reachable').status).toBe('fail');
    expect(other.requests).toEqual([]);
  });
});
