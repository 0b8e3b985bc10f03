// jwks-reachable against loopback GitLabs with generated discovery/JWKS bodies: every failure the gateway's fetch can meet
// (jwks-reachable.test.ts: the judge over recorded facts, and its renderings).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/jwks-reachable.js';
import type { Settings } from '../../src/config/settings.js';
import { buildChain } from '../../src/pki/generate.js';
import { makeContext } from '../helpers/context.js';
import { startFakeGitLab, type FakeGitLab, type Route } from '../helpers/fake-gitlab.js';
import { freePort, startLoopback, type LoopbackServer } from '../helpers/loopback.js';
import { discoveryDoc, jwksDoc, testKey, type TestKey } from '../jwks/fixtures.js';

const DISCOVERY = 'GET /.well-known/openid-configuration';
const KEYS = 'GET /oauth/discovery/keys';

let gitlab: FakeGitLab;
let other: FakeGitLab;
let key: TestKey;

beforeAll(async () => {
  [gitlab, other, key] = await Promise.all([startFakeGitLab({}), startFakeGitLab({}), testKey('main')]);
});
afterAll(async () => {
  await Promise.all([gitlab.close(), other.close()]);
});

const healthy = (): Record<string, Route> => ({ [DISCOVERY]: { body: discoveryDoc(gitlab.url) }, [KEYS]: { body: jwksDoc(key.jwk) } });
const html = (title: string, status = 200): Route => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: `<!DOCTYPE html><html><head><title>${title}</title></head><body></body></html>`,
});

async function run(routes: Record<string, Route>, settings: Partial<Settings> = {}) {
  gitlab.routes = routes;
  return check.run(makeContext({ gitlabUrl: gitlab.url, ...settings }));
}

describe('jwks-reachable', () => {
  it('passes when discovery and keys answer, with the evidence reporters read', async () => {
    const out = await run(healthy());
    expect(out.status).toBe('pass');
    expect(out.evidence).toMatchObject({
      baseSource: '--gitlab-url',
      discoveryUrl: `${gitlab.url}/.well-known/openid-configuration`,
      jwksUri: `${gitlab.url}/oauth/discovery/keys`,
      discoveryStatus: 200,
      jwksStatus: 200,
      trustSource: 'system',
    });
    expect(out.evidence?.discoveryMs).toEqual(expect.any(Number));
  });

  it('skips without AIGW_GITLAB_URL or --gitlab-url', async () => {
    const out = await check.run(makeContext({}));
    expect(out.status).toBe('skip');
  });

  it('follows AIGW_GITLAB_URL and says when it differs from --gitlab-url', async () => {
    gitlab.routes = healthy();
    const out = await check.run(makeContext({ gitlabUrl: 'https://gitlab.example.com', env: { AIGW_GITLAB_URL: gitlab.url } }));
    expect(out.status).toBe('pass');
    expect(out.evidence).toMatchObject({ baseSource: 'AIGW_GITLAB_URL', gitlabUrl: 'https://gitlab.example.com' });
    expect(out.details?.join('\n')).toContain('AIGW_GITLAB_URL differs from --gitlab-url');
  });

  const failures: { name: string; routes: () => Record<string, Route>; summary: RegExp; remediation: RegExp }[] = [
    {
      name: 'discovery 500',
      routes: () => ({ ...healthy(), [DISCOVERY]: html('500 Internal Server Error', 500) }),
      summary: /OIDC discovery: HTTP 500 \(HTML page/,
      remediation: /restart the gateway/,
    },
    {
      name: 'discovery 404',
      routes: () => ({ [KEYS]: { body: jwksDoc(key.jwk) } }),
      summary: /OIDC discovery: HTTP 404 \(404 Not Found\)/,
      remediation: /not GitLab's root/,
    },
    {
      name: 'discovery 403',
      routes: () => ({ ...healthy(), [DISCOVERY]: { status: 403, body: { message: '403 Forbidden' } } }),
      summary: /HTTP 403/,
      remediation: /anonymous GET/,
    },
    {
      name: 'keys 404',
      routes: () => ({ [DISCOVERY]: { body: discoveryDoc(gitlab.url) } }),
      summary: /the key set \(jwks_uri\): HTTP 404/,
      remediation: /forward/,
    },
    {
      name: 'sign-in page instead of JSON',
      routes: () => ({ ...healthy(), [DISCOVERY]: html('Sign in · GitLab') }),
      summary: /HTML page \("Sign in · GitLab"\) instead of JSON.*sign-in page/,
      remediation: /anonymously/,
    },
    {
      name: 'redirect to a sign-in page',
      routes: () => ({ ...healthy(), [DISCOVERY]: { status: 302, headers: { location: '/users/sign_in' } }, 'GET /users/sign_in': html('Sign in') }),
      summary: /HTML page.*after 1 redirect, at http:\/\/127\.0\.0\.1:\d+\/users\/sign_in/,
      remediation: /anonymously/,
    },
    {
      name: 'redirect loop',
      routes: () => ({ ...healthy(), [DISCOVERY]: { status: 302, headers: { location: '/.well-known/openid-configuration' } } }),
      summary: /redirect loop/,
      remediation: /redirect rules/,
    },
    {
      name: 'truncated JSON',
      routes: () => ({ ...healthy(), [DISCOVERY]: { headers: { 'content-type': 'application/json' }, body: '{"jwks_uri":' } }),
      summary: /OIDC discovery: invalid JSON[^—]*$/,
      remediation: /anonymously/,
    },
    {
      name: 'no jwks_uri',
      routes: () => ({ ...healthy(), [DISCOVERY]: { body: { issuer: gitlab.url } } }),
      summary: /has no jwks_uri/,
      remediation: /not GitLab's discovery document/,
    },
    {
      name: 'relative jwks_uri',
      routes: () => ({ ...healthy(), [DISCOVERY]: { body: discoveryDoc(gitlab.url, '/oauth/discovery/keys') } }),
      summary: /not an absolute URL/,
      remediation: /Point AIGW_GITLAB_URL/,
    },
  ];

  it.each(failures)('fails on $name, naming the cause and the 24 h consequence', async ({ routes, summary, remediation }) => {
    const out = await run(routes());
    expect(out.status).toBe('fail');
    expect(out.summary).toMatch(summary);
    expect(out.remediation).toMatch(remediation);
    expect(out.details?.at(-1)).toMatch(/500 "Internal Server Error".*Forbidden by auth provider.*24 h/);
  });

  it('fails with the connection refused', async () => {
    const port = await freePort();
    const out = await check.run(makeContext({ gitlabUrl: `http://127.0.0.1:${port}` }));
    expect(out.status).toBe('fail');
    expect(out.summary).toMatch(/connection to 127\.0\.0\.1:\d+ refused/);
    expect(out.evidence?.failureKind).toBe('refused');
  });

  it('fails on a timeout and says the gateway waits 10 s', async () => {
    const silent = await startLoopback(() => undefined);
    try {
      const out = await check.run(makeContext({ gitlabUrl: silent.url, timeoutMs: 1000 }));
      expect(out.status).toBe('fail');
      expect(out.summary).toMatch(/no answer from 127\.0\.0\.1:\d+ in time \(the gateway waits 10 s; this run allowed 800 ms/);
      expect(out.evidence?.failureKind).toBe('timeout');
    } finally {
      await silent.close();
    }
  });

  it('warns on a redirect that ends well, naming where it points', async () => {
    // GitLab's discovery moved to `other`, whose document names the keys back on `gitlab`.
    other.routes = { [DISCOVERY]: { body: discoveryDoc(gitlab.url) } };
    const out = await run({
      [DISCOVERY]: { status: 301, headers: { location: `${other.url}/.well-known/openid-configuration` } },
      [KEYS]: { body: jwksDoc(key.jwk) },
    });
    expect(out.status).toBe('warn');
    expect(out.summary).toContain(`301 ${gitlab.url}/.well-known/openid-configuration → ${other.url}/.well-known/openid-configuration`);
    expect(out.remediation).toContain(`Set AIGW_GITLAB_URL to the URL the redirect lands on (${other.url})`);
    expect(out.evidence?.redirects).toEqual([
      { from: `${gitlab.url}/.well-known/openid-configuration`, status: 301, to: `${other.url}/.well-known/openid-configuration` },
    ]);
  });

  it('warns on a same-origin redirect and names the rule to remove', async () => {
    const out = await run({
      [DISCOVERY]: { status: 302, headers: { location: '/-/discovery' } },
      'GET /-/discovery': { body: discoveryDoc(gitlab.url) },
      [KEYS]: { body: jwksDoc(key.jwk) },
    });
    expect(out.status).toBe('warn');
    expect(out.remediation).toBe(
      'Remove the rule in front of GitLab that redirects /.well-known/openid-configuration, so GitLab answers it directly, and restart the gateway.',
    );
  });

  it('warns when jwks_uri is on another host that answers, fails when it does not', async () => {
    other.routes = { [KEYS]: { body: jwksDoc(key.jwk) } };
    const warn = await run({ [DISCOVERY]: { body: discoveryDoc(gitlab.url, `${other.url}/oauth/discovery/keys`) } });
    expect(warn.status).toBe('warn');
    expect(warn.summary).toContain(`jwks_uri is on ${new URL(other.url).host}`);

    const port = await freePort();
    const fail = await run({ [DISCOVERY]: { body: discoveryDoc(gitlab.url, `http://127.0.0.1:${port}/oauth/discovery/keys`) } });
    expect(fail.status).toBe('fail');
    expect(fail.summary).toMatch(/refused — jwks_uri is on 127\.0\.0\.1:\d+, not on 127\.0\.0\.1:\d+/);
    expect(fail.remediation).toMatch(/must reach and trust 127\.0\.0\.1:\d+ too.*jwks_uri \(GitLab builds it from its external_url\)/);
  });

  it('explains the path-prefix pitfall of a relative-URL GitLab', async () => {
    const out = await run(
      {
        'GET /gitlab/.well-known/openid-configuration': { body: discoveryDoc(`${gitlab.url}/gitlab`) },
        'GET /gitlab/oauth/discovery/keys': { body: jwksDoc(key.jwk) },
      },
      { gitlabUrl: `${gitlab.url}/gitlab` },
    );
    expect(out.status).toBe('fail');
    expect(out.summary).toBe(
      `GitLab answers discovery at ${gitlab.url}/gitlab/.well-known/openid-configuration, but the gateway asks ${gitlab.url}/.well-known/openid-configuration: its leading-slash join drops the path /gitlab of --gitlab-url`,
    );
    expect(out.remediation).toContain('route exactly that path');
    expect(out.evidence).toMatchObject({ prefixedAnswers: true, discoveryStatus: 404 });
  });

  it('passes a relative-URL GitLab whose proxy serves discovery at the root too', async () => {
    const routes = {
      [DISCOVERY]: { body: discoveryDoc(`${gitlab.url}/gitlab`) },
      'GET /gitlab/.well-known/openid-configuration': { body: discoveryDoc(`${gitlab.url}/gitlab`) },
      'GET /gitlab/oauth/discovery/keys': { body: jwksDoc(key.jwk) },
    };
    const out = await run(routes, { gitlabUrl: `${gitlab.url}/gitlab` });
    expect(out.status).toBe('pass');
    expect(out.evidence).toMatchObject({ prefixedAnswers: true, jwksUri: `${gitlab.url}/gitlab/oauth/discovery/keys` });
  });

  describe('over https with a private CA', () => {
    let server: LoopbackServer;
    let dir: string;
    let bundle: string;
    let otherBundle: string;

    beforeAll(async () => {
      const chain = buildChain({ host: '127.0.0.1' });
      const unrelated = buildChain({ host: '127.0.0.1' });
      dir = await mkdtemp(join(tmpdir(), 'duo-doctor-jwks-'));
      bundle = join(dir, 'bundle.pem');
      otherBundle = join(dir, 'other.pem');
      await writeFile(bundle, chain.root.certPem);
      await writeFile(otherBundle, unrelated.root.certPem);
      const send = (res: ServerResponse, body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      server = await startLoopback(
        (req, res) => {
          if (req.url === '/.well-known/openid-configuration') return send(res, discoveryDoc(server.url));
          if (req.url === '/oauth/discovery/keys') return send(res, jwksDoc(key.jwk));
          res.writeHead(404).end();
        },
        { cert: chain.chainPem, key: chain.leaf.keyPem },
      );
    });
    afterAll(async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('fails with the TLS verdict and points to gitlab-tls / ca-bundle when the bundle lacks the root', async () => {
      for (const env of [{ AIGW_GITLAB_URL: server.url }, { AIGW_GITLAB_URL: server.url, REQUESTS_CA_BUNDLE: otherBundle }]) {
        const out = await check.run(makeContext({ gitlabUrl: server.url, env }));
        expect(out.status).toBe('fail');
        expect(out.summary).toMatch(
          /OIDC discovery: TLS failure with 127\.0\.0\.1:\d+ — the gateway, trusting .* cannot verify GitLab's certificate/,
        );
        expect(out.remediation).toMatch(/gitlab-tls and ca-bundle/);
        expect(out.evidence?.failureKind).toBe('tls');
      }
    });

    it('fails when only SSL_CERT_FILE names the root: Python requests never reads it', async () => {
      const out = await check.run(makeContext({ gitlabUrl: server.url, env: { AIGW_GITLAB_URL: server.url, SSL_CERT_FILE: bundle } }));
      expect(out.status).toBe('fail');
      expect(out.findings?.map((f) => f.id)).toEqual(['tls']);
      expect(out.summary).toContain('SSL_CERT_FILE is set, but Python requests never reads it');
      expect(out.remediation).toMatch(/REQUESTS_CA_BUNDLE/);
    });

    it.each(['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'])("passes when %s in the gateway's environment holds the root", async (variable) => {
      const out = await check.run(
        makeContext({ gitlabUrl: server.url, env: { AIGW_GITLAB_URL: server.url, [variable]: bundle, SSL_CERT_FILE: otherBundle } }),
      );
      expect(out.status).toBe('pass');
      expect(out.evidence).toMatchObject({ trustSource: variable, trustFile: bundle });
    });

    // Not the gateway's environment (no AIGW_*, no --exec): this host's CA variables are not the gateway's and decide nothing.
    const elsewhere: {
      name: string;
      env: () => Record<string, string>;
      caFile?: () => string;
      status: string;
      ids: string[];
      trustSource: string;
    }[] = [
      {
        name: "this host's REQUESTS_CA_BUNDLE trusts GitLab, nothing describes the gateway's: unknown, not a pass",
        env: () => ({ REQUESTS_CA_BUNDLE: bundle }),
        status: 'skip',
        ids: ['gatewayTrustUnknown'],
        trustSource: 'system',
      },
      {
        name: "--ca-file describes the gateway's bundle and holds the root",
        env: () => ({ REQUESTS_CA_BUNDLE: otherBundle }),
        caFile: () => bundle,
        status: 'pass',
        ids: ['reached'],
        trustSource: '--ca-file',
      },
      {
        name: "--ca-file describes the gateway's bundle and lacks the root",
        env: () => ({ REQUESTS_CA_BUNDLE: bundle }),
        caFile: () => otherBundle,
        status: 'fail',
        ids: ['tls'],
        trustSource: '--ca-file',
      },
    ];
    it.each(elsewhere)('not the gateway: $name', async ({ env, caFile, status, ids, trustSource }) => {
      const out = await check.run(makeContext({ gitlabUrl: server.url, env: env(), ...(caFile ? { caFile: caFile() } : {}) }));
      expect(out.status).toBe(status);
      expect(out.findings?.map((f) => f.id)).toEqual(ids);
      expect(out.evidence).toMatchObject({ trustSource });
    });
  });
});
