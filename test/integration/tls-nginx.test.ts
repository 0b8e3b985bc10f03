// A real nginx (Debian package) in front of the reference gateway, configured with the install guide's default.conf
// on loopback ports; gateway-tls judges each front: full chain, missing intermediate, self-signed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/gateway-tls.js';
import { httpRequest } from '../../src/probes/http.js';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import type { ServedFixture, TlsFixtures } from '../../scripts/fixtures.js';
import { makeContext } from '../helpers/context.js';
import { freePort } from '../helpers/loopback.js';
import { useTlsFixtures } from '../tls/fixtures.js';

const NGINX = '/usr/sbin/nginx';
const fixtures = useTlsFixtures();

type Front = 'fullchain' | 'missingIntermediate' | 'selfSigned';
const FRONTS: Record<Front, (f: TlsFixtures) => ServedFixture> = {
  fullchain: (f) => f.served.valid,
  missingIntermediate: (f) => f.served.missingIntermediate,
  selfSigned: (f) => f.served.selfSigned,
};

/** The install guide's `listen 443 ssl` server of default.conf, with loopback ports and this test's certificate files. */
function guideServer(port: number, cert: string, key: string, gatewayPort: number): string {
  return `
    server {
        listen 127.0.0.1:${port} ssl;
        server_name _;

        # SSL configuration
        ssl_certificate ${cert};
        ssl_certificate_key ${key};

        # Configuration for self-signed certificates
        ssl_verify_client off;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers HIGH:!aNULL:!MD5;
        ssl_prefer_server_ciphers on;
        ssl_session_cache shared:SSL:10m;
        ssl_session_timeout 10m;

        # Proxy headers
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;

        # WebSocket support (if needed)
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";

        # Forward all requests to the AI gateway
        location / {
            proxy_pass http://127.0.0.1:${gatewayPort};
            proxy_read_timeout 300s;
            proxy_connect_timeout 75s;
            proxy_buffering off;
        }
    }`;
}

/** The guide's nginx.conf, with every path inside `dir` and the master kept in the foreground for the test to stop. */
function nginxConf(dir: string, servers: string[]): string {
  return `daemon off;
worker_processes 1;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events {
    worker_connections 64;
}
http {
    default_type application/octet-stream;
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    keepalive_timeout 65;
${servers.join('\n')}
}
`;
}

/** Resolves once something accepts TCP connections on the port, or rejects after `ms`. */
async function waitForPort(port: number, ms: number, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const why = exited();
    if (why) throw new Error(why);
    const open = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on 127.0.0.1:${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('gateway-tls against a real nginx front (install guide default.conf)', () => {
  let dir: string;
  let nginx: ChildProcess | undefined;
  let gateway: RunningGateway | undefined;
  const ports = {} as Record<Front, number>;

  beforeAll(async () => {
    if (!existsSync(NGINX)) {
      throw new Error(`${NGINX} not found: this test needs the Debian nginx package (apt-get install -y nginx; .ci/run installs it)`);
    }
    dir = mkdtempSync(join(tmpdir(), 'duo-doctor-nginx-'));
    gateway = await startGateway({ env: {}, log: () => undefined });
    const servers: string[] = [];
    for (const front of Object.keys(FRONTS) as Front[]) {
      const served = FRONTS[front](fixtures());
      ports[front] = await freePort();
      servers.push(guideServer(ports[front], served.chainFile, served.keyFile, gateway.port));
    }
    writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, servers));
    let stderr = '';
    let exit: string | undefined;
    nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    nginx.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    nginx.on('exit', (code, signal) => {
      const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
      exit = `nginx exited (${code ?? signal}): ${stderr}${log}`;
    });
    for (const port of Object.values(ports)) await waitForPort(port, 10_000, () => exit);
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
      const exited = new Promise((resolve) => nginx?.once('exit', resolve));
      nginx.kill('SIGTERM');
      await exited;
    }
    await gateway?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const judge = (front: Front, caFile?: string) =>
    check.run(makeContext({ gatewayUrl: `https://127.0.0.1:${ports[front]}`, gatewayUrlSource: 'flag', ...(caFile ? { caFile } : {}) }));

  it('proxies to the reference gateway (the front is real)', async () => {
    const exchange = await httpRequest({ url: `https://127.0.0.1:${ports.fullchain}/monitoring/healthz`, ca: [fixtures().root.certPem], timeoutMs: 5000 });
    expect(exchange.ok && exchange.response.status).toBe(200);
    expect(exchange.ok && exchange.response.headers['server']).toMatch(/^nginx/);
  });

  it('passes the full chain with the private root given as --ca-file', async () => {
    const outcome = await judge('fullchain', fixtures().bundles.good);
    expect(outcome.status).toBe('pass');
    expect(outcome.evidence?.['chain']).toHaveLength(2);
    expect(outcome.details).toContainEqual(expect.stringMatching(/^handshake: TLSv1\.3/));
  });

  it('fails the full chain when GitLab does not trust the private root', async () => {
    const outcome = await judge('fullchain');
    expect(outcome.status).toBe('fail');
    expect(outcome.evidence?.['verdicts']).toEqual(['untrusted-root']);
    expect(outcome.remediation).toMatch(/\/etc\/gitlab\/trusted-certs/);
  });

  it('fails a front serving cert.pem instead of fullchain.pem: missing intermediate', async () => {
    const outcome = await judge('missingIntermediate', fixtures().bundles.good);
    expect(outcome.status).toBe('fail');
    expect(outcome.evidence?.['verdicts']).toEqual(['missing-intermediate']);
    expect(outcome.remediation).toMatch(/ssl_certificate must name fullchain\.pem/);
  });

  it('fails a self-signed front', async () => {
    const outcome = await judge('selfSigned', fixtures().bundles.good);
    expect(outcome.status).toBe('fail');
    expect(outcome.evidence?.['verdicts']).toEqual(['self-signed-leaf']);
  });
});
