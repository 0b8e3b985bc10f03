// Starts Debian's real nginx (/usr/sbin/nginx) for integration tests, with a generated config in a temp dir on free loopback ports.
//
// Usage:
//   const nginx = await startNginx({ serverBlocks: `server { listen 127.0.0.1:{{PORT}}; location / { proxy_pass http://127.0.0.1:5052; } }` });
//   ... nginx.url (http://127.0.0.1:<port>) ...
//   await nginx.stop();   // always, in afterAll/finally
//
// `serverBlocks` is pasted into the `http { }` context, so it may hold any http-level directive besides `server { }` blocks.
// Placeholders substituted before start:
//   {{PORT}}, {{PORT2}}, {{PORT3}}, ...  each a distinct free 127.0.0.1 port (returned in `ports`; `port` is {{PORT}}'s)
//   {{DIR}}                              the temp dir (absolute, no trailing slash); `files` are written there first (certificates, ...)
// nginx runs in the foreground (`daemon off;`, `-p <dir>`), with its pid/lock file, error/access logs and every temp path
// (client_body/proxy/fastcgi/uwsgi/scgi) inside the temp dir. As root, nginx still switches its workers to `nobody` when
// not daemonised (verified with nginx 1.22), and `nobody` cannot enter the 0700 temp dir — so `user root;` is set when
// the tests run as root, and omitted otherwise (nginx ignores it with a warning when not root).
// If /usr/sbin/nginx is missing this throws, so the calling test fails loudly rather than being skipped.
// guideBlock80/guideBlock443 give the install guide's default.conf server blocks adapted to loopback, for `serverBlocks`.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './loopback.js';

/** Debian's nginx binary. */
export const NGINX_BIN = '/usr/sbin/nginx';

/** Where one of the guide's default.conf server blocks listens and what it forwards to. */
export interface GuideServer {
  /** The loopback port: a placeholder (`{{PORT}}`, `{{PORT2}}`, ...) or a number. */
  port: string | number;
  /** What `proxy_pass` forwards to: the gateway's URL (the guide has `http://gitlab-ai-gateway:5052`). */
  upstream: string;
}

/** The 443 block's files (the guide has `/etc/nginx/ssl/server.crt` and `server.key`); `{{DIR}}/...` names a written file. */
export interface GuideTlsServer extends GuideServer {
  /** `ssl_certificate`: the served chain, leaf first. */
  certificate: string;
  /** `ssl_certificate_key`. */
  key: string;
}

// The install guide's default.conf adapted to loopback: only `listen`, `proxy_pass` and the certificate paths differ from the guide.
// Server-level lines are indented 4 spaces and location-level lines 8, so tests can edit the text line by line.
const guideLocation = (upstream: string): string => `
    # Forward all requests to the AI gateway
    location / {
        proxy_pass ${upstream};
        proxy_read_timeout 300s;
        proxy_connect_timeout 75s;
        proxy_buffering off;
    }`;

/** The install guide's `listen 80` server block of default.conf, adapted to loopback. */
export function guideBlock80({ port, upstream }: GuideServer): string {
  return `
server {
    listen 127.0.0.1:${port};
    server_name _;
${guideLocation(upstream)}
}`;
}

/** The install guide's `listen 443 ssl` server block of default.conf, adapted to loopback. */
export function guideBlock443({ port, upstream, certificate, key }: GuideTlsServer): string {
  return `
server {
    listen 127.0.0.1:${port} ssl;
    server_name _;

    # SSL configuration
    ssl_certificate ${certificate};
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
${guideLocation(upstream)}
}`;
}

/** What to run nginx with. */
export interface NginxOptions {
  /** http-context configuration (server blocks and any http-level directive) with `{{PORT}}`/`{{PORTn}}`/`{{DIR}}` placeholders. */
  serverBlocks: string;
  /** Files to write into the temp dir before start, by relative name (e.g. `{ 'server.crt': pem }` → `{{DIR}}/server.crt`). */
  files?: Record<string, string>;
}

/** A running nginx. */
export interface RunningNginx {
  /** The port substituted for `{{PORT}}`. */
  port: number;
  /** Every port placeholder's port, by placeholder name (`PORT`, `PORT2`, ...). */
  ports: Record<string, number>;
  /** `http://127.0.0.1:<port>` (use https yourself when the block listens with `ssl`). */
  url: string;
  /** The temp dir holding nginx.conf, the logs and the temp paths. */
  dir: string;
  /** The error log so far (for assertion messages when a test fails). */
  errorLog(): Promise<string>;
  /** Stops nginx (fast shutdown, SIGKILL after 5 s) and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;
const START_ATTEMPTS = 3;

/** Starts nginx with the given server blocks; resolves once every substituted port accepts connections. */
export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  try {
    await access(NGINX_BIN, constants.X_OK);
  } catch {
    throw new Error(`nginx is not installed (${NGINX_BIN} missing): apt-get install nginx`);
  }
  let lastError: Error | undefined;
  // A free port found by binding :0 can be taken before nginx binds it; retry on EADDRINUSE only.
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      lastError = error as Error;
      if (!/Address already in use/.test(lastError.message)) throw lastError;
    }
  }
  throw lastError ?? new Error('nginx did not start');
}

async function startOnce(options: NginxOptions): Promise<RunningNginx> {
  const ports: Record<string, number> = {};
  for (const [, name] of options.serverBlocks.matchAll(/\{\{(PORT\d*)\}\}/g)) {
    if (name !== undefined && ports[name] === undefined) ports[name] = await freePort();
  }
  // Readiness is "every port accepts connections": without one there is nothing to wait for.
  if (Object.keys(ports).length === 0) throw new Error('startNginx: serverBlocks must listen on {{PORT}}');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-nginx-'));
  for (const [name, content] of Object.entries(options.files ?? {})) await writeFile(path.join(dir, name), content);
  const blocks = options.serverBlocks.replace(/\{\{(PORT\d*)\}\}/g, (_, name: string) => String(ports[name])).replaceAll('{{DIR}}', dir);
  await writeFile(path.join(dir, 'nginx.conf'), mainConfig(dir, blocks));

  const errorLogFile = path.join(dir, 'error.log');
  const child = spawn(NGINX_BIN, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', errorLogFile, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const errorLog = async (): Promise<string> => stderr + (await readFile(errorLogFile, 'utf8').catch(() => ''));

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killOnExit);
    await terminate(child);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitReady(child, Object.values(ports));
  } catch (error) {
    const log = await errorLog();
    await stop();
    throw new Error(`nginx did not start: ${(error as Error).message}\n${log}`);
  }
  const port = ports.PORT ?? Object.values(ports)[0] ?? 0;
  return { port, ports, url: `http://127.0.0.1:${port}`, dir, errorLog, stop };
}

function mainConfig(dir: string, blocks: string): string {
  const isRoot = process.getuid?.() === 0;
  return [
    ...(isRoot ? ['user root;'] : []),
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `lock_file ${dir}/nginx.lock;`,
    `error_log ${dir}/error.log info;`,
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${dir}/access.log;`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${dir}/${kind}_temp;`),
    blocks,
    '}',
    '',
  ].join('\n');
}

async function waitReady(child: ChildProcess, ports: number[]): Promise<void> {
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`exited with ${signal ?? `code ${code}`}`))),
  );
  exited.catch(() => undefined);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const port of ports) {
    for (;;) {
      if (await Promise.race([canConnect(port), exited])) break;
      if (Date.now() > deadline) throw new Error(`port ${port} not accepting connections after ${READY_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
