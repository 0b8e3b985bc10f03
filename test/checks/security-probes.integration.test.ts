// What the security checks send, recorded by the server they probe: only GETs without a body, only to the gateway URL's
// host, never the GitLab token, and exactly the requests SECURITY.md lists.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { defaultSettings } from '../../src/config/settings.js';
import { runChecks } from '../../src/runner/run.js';
import { closedPort } from '../../src/reference/http.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bodyBytes: number;
}

const TOKEN = 'glpat-security-probe-secret';
let server: http.Server;
let url: string;
const seen: Seen[] = [];

beforeAll(async () => {
  // Answers like a gateway enforcing auth: 401 with its timing header, for every request.
  server = http.createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (c: Buffer) => (bodyBytes += c.length));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes });
      res.writeHead(401, { 'content-type': 'application/json', 'x-process-time': '0.001' });
      res.end('{"error":"No authorization header presented"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the security checks’ requests', () => {
  it('are GETs without a body, carry no GitLab token, and are exactly the listed ones', async () => {
    const security = CHECKS.filter((c) => c.category === 'security');
    const run = await runChecks(
      security,
      defaultSettings({ gatewayUrl: url, gatewayUrlSource: 'flag', gitlabToken: TOKEN, gitlabUrl: `http://127.0.0.1:${await closedPort()}` }),
    );
    expect(run.results.map((r) => [r.id, r.status])).toEqual([
      ['host-header-bypass', 'pass'],
      ['auth-bypass-switches', 'pass'],
      ['gateway-exposure', 'skip'],
      ['proxy-tls', 'skip'],
      ['known-vulnerabilities', 'skip'],
    ]);
    for (const request of seen) {
      expect(request.method).toBe('GET');
      expect(request.bodyBytes).toBe(0);
      expect(JSON.stringify(request.headers)).not.toContain(TOKEN);
      expect(request.headers['private-token']).toBeUndefined();
    }
    const summary = seen.map((r) =>
      `${r.url} host=${r.headers.host} ${r.headers['bypass-auth'] ? 'bypass-auth ' : ''}${r.headers.authorization ? 'forged' : ''}`.trim(),
    );
    const host = new URL(url).host;
    expect(summary.sort()).toEqual(
      [
        `/v2/code/completions host=${host}`,
        '/v2/code/completions host=x/monitoring/healthz?',
        '/v2/code/completions host=x/monitoring/healthz#',
        '/v2/code/completions host=x/monitoring/ready?',
        `/v2/code/completions host=${host} bypass-auth`,
        `/v2/code/completions host=${host} forged`,
        `/docs host=${host}`,
        `/openapi.json host=${host}`,
      ].sort(),
    );
    // The forged token is GitLab-shaped but signed by a throwaway key: RS256, three parts.
    const forged = seen.find((r) => r.headers.authorization)?.headers.authorization ?? '';
    expect(forged).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const header = JSON.parse(Buffer.from(forged.split(' ')[1]?.split('.')[0] ?? '', 'base64url').toString()) as { alg?: string };
    expect(header.alg).toBe('RS256');
  });
});
