// gateway-fetches-jwks: Python fetches discovery + keys where the gateway runs; each failing step named with Python's message.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import check from '../../checks/gateway-fetches-jwks.js';
import trusts from '../../checks/gateway-trusts-gitlab.js';
import { findScenario, startStack, type Stack } from '../../src/reference/scenarios.js';
import { makeContext } from '../helpers/context.js';
import { hasPython } from '../helpers/exec-prefixes.js';
import { freePort, startLoopback, type LoopbackServer } from '../helpers/loopback.js';

const pythonHere = hasPython('here');
if (!pythonHere) console.warn('gateway-fetches-jwks: python3 is not on PATH; the tests are skipped');

let stack: Stack;
let gitlab: LoopbackServer;
let dir: string;
let malformed: string;
/** Requests the loopback GitLab saw, and per-path overrides of its answers. */
const seen: string[] = [];
const routes = new Map<string, (res: ServerResponse) => void>();

function answer(req: IncomingMessage, res: ServerResponse): void {
  seen.push(req.url ?? '');
  const route = routes.get(req.url ?? '');
  if (route) return route(res);
  res.setHeader('content-type', 'application/json');
  if (req.url === '/.well-known/openid-configuration') return void res.end(JSON.stringify({ jwks_uri: `${gitlab.url}/oauth/discovery/keys` }));
  if (req.url === '/oauth/discovery/keys')
    return void res.end(
      JSON.stringify({
        keys: [
          { kty: 'RSA', kid: 'a' },
          { kty: 'RSA', kid: 'b' },
        ],
      }),
    );
  res.statusCode = 404;
  res.end('{"message":"404 Not Found"}');
}

beforeAll(async () => {
  stack = await startStack(findScenario('private-ca-no-bundle')!);
  gitlab = await startLoopback(answer);
  dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-gw-jwks-'));
  malformed = path.join(dir, 'malformed.pem');
  await writeFile(malformed, `-----BEGIN CERTIFICATE-----\nMIIB@@@@\n-----END CERTIFICATE-----\n${await readFile(stack.caFile!, 'utf8')}`);
});
afterAll(async () => {
  await Promise.all([stack?.close(), gitlab?.close()]);
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  seen.length = 0;
  routes.clear();
});

function ctxWith(env: Record<string, string>) {
  return makeContext({ env: { PATH: process.env.PATH, ...env }, timeoutMs: 20_000 });
}

describe.skipIf(!pythonHere)('gateway-fetches-jwks', () => {
  describe('against the reference GitLab over https (private CA)', () => {
    it('passes with the right bundle, counting the keys', async () => {
      const outcome = await check.run(ctxWith({ AIGW_GITLAB_URL: stack.gitlabUrl, SSL_CERT_FILE: stack.caFile!, REQUESTS_CA_BUNDLE: stack.caFile! }));
      expect(outcome.status).toBe('pass');
      expect(outcome.summary).toBe(
        `Python on this host fetched 2 keys from ${stack.gitlabUrl}/oauth/discovery/keys (discovery at ${stack.gitlabUrl}/.well-known/openid-configuration), as the gateway does`,
      );
    });

    it("fails at discovery with Python's PEM lib for a bundle with one malformed block", async () => {
      const outcome = await check.run(ctxWith({ AIGW_GITLAB_URL: stack.gitlabUrl, REQUESTS_CA_BUNDLE: malformed }));
      expect(outcome.status).toBe('fail');
      expect(outcome.summary).toMatch(
        /^OIDC discovery: GET https:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration fails in Python on this host: .*\[X509\] PEM lib \(_ssl\.c:\d+\)/,
      );
      expect(outcome.remediation).toContain('gateway-trusts-gitlab says why');
    });

    it('fails when only SSL_CERT_FILE names the bundle: Python requests never reads it', async () => {
      const outcome = await check.run(ctxWith({ AIGW_GITLAB_URL: stack.gitlabUrl, SSL_CERT_FILE: stack.caFile! }));
      expect(outcome.status).toBe('fail');
      expect(outcome.findings?.map((f) => f.id)).toEqual(['untrusted']);
      expect(outcome.summary).toContain('CERTIFICATE_VERIFY_FAILED');
      expect(outcome.details?.join('\n')).toMatch(/SSL_CERT_FILE=.* is not what the key fetch trusts/);
    });

    it('passes with the bundle in CURL_CA_BUNDLE, as requests reads it', async () => {
      const outcome = await check.run(ctxWith({ AIGW_GITLAB_URL: stack.gitlabUrl, CURL_CA_BUNDLE: stack.caFile! }));
      expect(outcome.status).toBe('pass');
    });

    it('fails at discovery with CERTIFICATE_VERIFY_FAILED without a bundle', async () => {
      const outcome = await check.run(ctxWith({ AIGW_GITLAB_URL: stack.gitlabUrl }));
      expect(outcome.status).toBe('fail');
      expect(outcome.summary).toContain('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed');
      expect(outcome.evidence).toMatchObject({ failedStep: 'OIDC discovery', discovery: { error: { kind: 'tls' } } });
    });
  });

  it('shares one probe run with gateway-trusts-gitlab', async () => {
    const ctx = ctxWith({ AIGW_GITLAB_URL: gitlab.url });
    const [a, b] = await Promise.all([check.run(ctx), trusts.run(ctx)]);
    expect([a.status, b.status]).toEqual(['pass', 'skip']);
    expect(seen).toEqual(['/.well-known/openid-configuration', '/oauth/discovery/keys']);
    expect(ctx.memoKeys.filter((k) => k === 'runtime:gateway-view')).toHaveLength(2);
  });

  const json =
    (body: unknown, status = 200) =>
    (res: ServerResponse) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    };
  it.each([
    [
      'discovery answers 404',
      '/.well-known/openid-configuration',
      json({ message: '404 Not Found' }, 404),
      /^OIDC discovery: GET .* fails in Python on this host: HTTP Error 404: Not Found$/,
      /leading slash/,
    ],
    [
      'discovery is a sign-in page',
      '/.well-known/openid-configuration',
      (res: ServerResponse) => res.end('<!DOCTYPE html><title>Sign in</title>'),
      /not JSON \(Expecting value: line 1 column 1 \(char 0\)\), the body starts "<!DOCTYPE html>/,
      /sign-in or proxy error page/,
    ],
    [
      'discovery names no jwks_uri',
      '/.well-known/openid-configuration',
      json({ issuer: 'x' }),
      /^OIDC discovery at .*: the discovery document has no jwks_uri$/,
      /not GitLab's discovery document/,
    ],
    [
      'the key set is forbidden',
      '/oauth/discovery/keys',
      json({ message: 'denied' }, 403),
      /^key set: GET .*\/oauth\/discovery\/keys fails in Python on this host: HTTP Error 403: Forbidden$/,
      /anonymous GET/,
    ],
    [
      'the key set is empty',
      '/oauth/discovery/keys',
      json({ keys: [] }),
      /holds no key: the gateway has none of GitLab's keys to verify its tokens with$/,
      /cloud_connector:keys:list/,
    ],
  ])('fails when %s', async (_name, route, respond, summary, fix) => {
    routes.set(route, respond);
    const outcome = await check.run(ctxWith({ AIGW_GITLAB_URL: gitlab.url }));
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toMatch(summary);
    expect(outcome.remediation).toMatch(fix);
    // The gateway's environment here has no AIGW_SELF_SIGNED_JWT keys: without GitLab's it holds none, and answers 500.
    expect(outcome.details?.join('\n')).toContain('HTTP 500 "Internal Server Error"');
  });

  it('fails with the refused connection, verbatim', async () => {
    const outcome = await check.run(ctxWith({ AIGW_GITLAB_URL: `http://127.0.0.1:${await freePort()}` }));
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toMatch(/fails in Python on this host: .*\[Errno 111\] Connection refused/);
    expect(outcome.remediation).toMatch(/check the scheme and port in AIGW_GITLAB_URL/);
  });

  it("skips without AIGW_GITLAB_URL in the gateway's environment (another AIGW_* variable says it is the gateway's)", async () => {
    const outcome = await check.run(ctxWith({ AIGW_CUSTOM_MODELS__ENABLED: 'true' }));
    expect(outcome).toMatchObject({ status: 'skip', summary: expect.stringMatching(/^AIGW_GITLAB_URL is not set/) });
  });
});
