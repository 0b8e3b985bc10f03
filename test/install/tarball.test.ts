// The one-file install, with README.md's own commands: `npm pack` (which builds on prepack) makes a tarball that
// `npm install -g --offline` installs with no registry at all — an empty cache, and a registry address that refuses
// connections — and the installed command works: --version and the healthy demo. The same tarball installs as the
// GitLab CI example takes it (the generic package registry, with the job token), and from an npm registry it is
// published to, where npm fetches the package and nothing else.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { closedPort } from '../../src/reference/http.js';
import { ROOT } from '../helpers/cli.js';
import { readmeCommand } from '../helpers/readme-commands.js';

const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const TARBALL = `duo-doctor-${VERSION}.tgz`;
/** What npm pack needs to build: the package's files and the build's inputs (never the repository's own dist/, which other tests use). */
const PACKED_FROM = ['package.json', 'README.md', 'tsconfig.json', 'bin', 'scripts', 'src', 'checks'];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command with only PATH (this Node first), HOME and `env`: no npm_config_* from the `npm test` that started vitest. */
function run(file: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  const started = performance.now();
  const base = { PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`, HOME: dir };
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: { ...base, ...env }, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** A README line, run by bash as a user's shell would. */
const shell = (line: string, cwd: string, env: Record<string, string> = {}) => run('bash', ['-euc', line], cwd, env);

/** npm settings that keep a run away from this machine's npm: its own global prefix, an empty cache, the registry given (else a closed port). */
async function npmIsolated(prefix: string, registry?: string): Promise<Record<string, string>> {
  const userconfig = path.join(dir, `npmrc-${path.basename(prefix)}`);
  writeFileSync(userconfig, '');
  return {
    npm_config_prefix: prefix,
    npm_config_cache: mkdtempSync(path.join(dir, 'empty-cache-')),
    npm_config_registry: registry ?? `http://127.0.0.1:${await closedPort()}/`,
    npm_config_userconfig: userconfig,
    // npm's own "is there a newer npm" query (GET /npm) is not the package's doing.
    npm_config_update_notifier: 'false',
  };
}

/** A loopback HTTP server answering with `handle`; every request is recorded as "METHOD /path". */
async function serve(
  handle: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void,
): Promise<{ url: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      handle(req, Buffer.concat(chunks), res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

let dir: string;
let source: string;
let tarball: string;
let installed: Run;
let prefix: string;
const OFFLINE_INSTALL = readmeCommand('## Install', /^npm install -g --offline /);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'duo-doctor-install-'));
  source = path.join(dir, 'source');
  mkdirSync(source);
  for (const entry of PACKED_FROM) cpSync(path.join(ROOT, entry), path.join(source, entry), { recursive: true });
  // The build tools (esbuild) come from the repository's dev install, as they would after `npm ci`.
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(source, 'node_modules'));
  const packed = await shell(readmeCommand('### Build the tarball and the binary', /^npm pack$/), source);
  expect(packed.code, packed.stderr).toBe(0);
  tarball = path.join(source, TARBALL);

  prefix = path.join(dir, 'prefix');
  installed = await shell(OFFLINE_INSTALL, source, await npmIsolated(prefix));
  process.stdout.write(`tarball ${(statSync(tarball).size / 1024).toFixed(0)} KiB; offline install ${installed.ms.toFixed(0)} ms\n`);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the built bundle and the command, not the sources, maps or build metadata', async () => {
    const listing = (await run('tar', ['-tzf', tarball], dir)).stdout.split('\n').filter(Boolean);
    expect(listing).toContain('package/dist/cli.js');
    expect(listing).toContain('package/bin/duo-doctor.js');
    expect(listing.filter((f) => /^package\/(src|checks|scripts|test)\/|\.map$|meta\.json$/.test(f))).toEqual([]);
  });

  it('installs offline from an empty cache, fetching nothing', () => {
    expect(installed.code, installed.stderr).toBe(0);
    const pkgDir = path.join(prefix, 'lib/node_modules/duo-doctor');
    expect(existsSync(path.join(pkgDir, 'dist/cli.js'))).toBe(true);
    // Nothing was installed beside it: the package has no node_modules of its own.
    expect(existsSync(path.join(pkgDir, 'node_modules'))).toBe(false);
  });

  it('is installed where a registry really is out of reach (a package with one dependency fails there)', async () => {
    const control = path.join(dir, 'control');
    mkdirSync(control);
    const manifest = JSON.parse(readFileSync(path.join(source, 'package.json'), 'utf8')) as Record<string, unknown>;
    cpSync(source, path.join(control, 'source'), { recursive: true, filter: (f) => !f.endsWith('.tgz') });
    writeFileSync(path.join(control, 'source/package.json'), JSON.stringify({ ...manifest, dependencies: { yaml: '^2.0.0' } }));
    const packed = await run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', control], path.join(control, 'source'));
    expect(packed.code, packed.stderr).toBe(0);
    const result = await shell(OFFLINE_INSTALL, control, await npmIsolated(path.join(dir, 'control-prefix')));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/ENOTCACHED/);
  });

  it('answers --version once installed', async () => {
    const result = await shell(readmeCommand('## Install', /^duo-doctor --version$/), dir, {
      PATH: `${path.join(prefix, 'bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${VERSION}\n`);
  });

  it('runs the healthy demo from the install alone', async () => {
    const result = await shell(readmeCommand('## Install', /^duo-doctor demo$/), dir, {
      PATH: `${path.join(prefix, 'bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
    });
    process.stdout.write(`installed demo ${result.ms.toFixed(0)} ms\n`);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\b0 failed, \d+ skipped, 0 errors\b/);
  });

  it('is uploaded to the generic package registry as README says, and installed from there as examples/gitlab-ci.yml does', async () => {
    const ci = parse(readFileSync(path.join(ROOT, 'examples/gitlab-ci.yml'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const [userToken, jobToken, projectId] = ['glpat-test-upload', 'job-token-for-the-test', '42'];
    // GitLab's generic packages API as lib/api/generic_packages.rb routes it (gitlab-ee 6714c9136):
    // PUT and GET /api/v4/projects/:id/packages/generic/:package_name/:package_version/:file_name, authenticated by a
    // PRIVATE-TOKEN or a JOB-TOKEN header.
    const files = new Map<string, Buffer>();
    const gitlab = await serve((req, body, res) => {
      const route = /^\/api\/v4\/projects\/(\d+)\/packages\/generic\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(req.url ?? '');
      if (req.headers['private-token'] !== userToken && req.headers['job-token'] !== jobToken)
        return void res.writeHead(401).end('{"message":"401 Unauthorized"}');
      if (!route || route[1] !== projectId) return void res.writeHead(404).end('{"message":"404 Project Not Found"}');
      if (req.method === 'PUT') {
        files.set(req.url!, body);
        return void res.writeHead(201, { 'content-type': 'application/json' }).end('{"message":"201 Created"}');
      }
      const file = files.get(req.url!);
      if (!file) return void res.writeHead(404).end('{"message":"404 Not Found"}');
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(file);
    });
    try {
      const upload = readmeCommand('## Install', new RegExp(`--upload-file ${TARBALL.replace(/\./g, '\\.')} `));
      const uploaded = await shell(upload, source, { GITLAB_TOKEN: userToken, GITLAB_URL: gitlab.url, PROJECT_ID: projectId });
      expect(uploaded.code, uploaded.stderr).toBe(0);
      const work = mkdtempSync(path.join(dir, 'ci-job-'));
      const into = path.join(dir, 'ci-prefix');
      // The job's variables, then its before_script, in one shell as the runner runs them.
      const variables = Object.entries(ci.variables as Record<string, string>).map(([k, v]) => `export ${k}="${v}"`);
      const script = [...variables, ...(ci['.duo-doctor'].before_script as string[])].join('\n');
      const job = await shell(script, work, {
        CI_API_V4_URL: `${gitlab.url}/api/v4`,
        CI_JOB_TOKEN: jobToken,
        CI_PROJECT_ID: projectId,
        ...(await npmIsolated(into)),
      });
      expect(job.code, job.stderr).toBe(0);
      const url = `/api/v4/projects/${projectId}/packages/generic/duo-doctor/${VERSION}/${TARBALL}`;
      expect(gitlab.requests).toEqual([`PUT ${url}`, `GET ${url}`]);
      const version = await run(path.join(into, 'bin/duo-doctor'), ['--version'], work);
      expect(version.stdout).toBe(`${VERSION}\n`);
    } finally {
      gitlab.server.close();
    }
  });

  it('is published to an npm registry and installed from it, npm fetching the package and nothing else', async () => {
    // The registry's side of `npm publish` and `npm install`: a PUT of the package document with the tarball attached,
    // then the document and the tarball served back.
    let document: { versions: Record<string, unknown>; 'dist-tags': Record<string, string> } | undefined;
    let stored: Buffer | undefined;
    const registry = await serve((req, body, res) => {
      if (req.method === 'PUT' && req.url === '/duo-doctor') {
        const put = JSON.parse(body.toString()) as {
          versions: Record<string, unknown>;
          'dist-tags': Record<string, string>;
          _attachments: Record<string, { data: string }>;
        };
        stored = Buffer.from(put._attachments[TARBALL]!.data, 'base64');
        document = { versions: put.versions, 'dist-tags': put['dist-tags'] };
        return void res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
      }
      if (req.method === 'GET' && req.url === '/duo-doctor' && document) {
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'duo-doctor', ...document }));
      }
      if (req.method === 'GET' && req.url === `/duo-doctor/-/${TARBALL}` && stored) return void res.writeHead(200).end(stored);
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    });
    try {
      const publisher = await npmIsolated(path.join(dir, 'publisher-prefix'), `${registry.url}/`);
      writeFileSync(publisher.npm_config_userconfig!, `//127.0.0.1:${new URL(registry.url).port}/:_authToken=test-token\n`);
      const published = await shell(`npm publish ./${TARBALL}`, source, publisher);
      expect(published.code, published.stderr).toBe(0);
      expect(createHash('sha256').update(stored!).digest('hex')).toBe(createHash('sha256').update(readFileSync(tarball)).digest('hex'));
      registry.requests.length = 0;
      // A fresh cache: the publisher's holds the tarball already.
      const env = await npmIsolated(path.join(dir, 'registry-prefix'), `${registry.url}/`);
      const result = await shell(readmeCommand('## Install', /^npm install -g duo-doctor$/), dir, env);
      expect(result.code, result.stderr).toBe(0);
      expect(registry.requests).toEqual(['GET /duo-doctor', `GET /duo-doctor/-/${TARBALL}`]);
      const version = await run(path.join(env.npm_config_prefix!, 'bin/duo-doctor'), ['--version'], dir);
      expect(version.stdout).toBe(`${VERSION}\n`);
    } finally {
      registry.server.close();
    }
  });
});
