// The one-file install: `npm pack` (which builds on prepack) makes a tarball that `npm install -g` installs with no
// registry at all — an empty cache, --offline, and a registry address that refuses connections — and the installed
// command works: --version, and the healthy demo (which loads the lazily imported chunks of check, the reference
// servers and the YAML config reader).
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../src/reference/http.js';
import { ROOT } from '../helpers/cli.js';

const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** What npm pack needs to build: the package's files and the build's inputs (never the repository's own dist/, which other tests use). */
const PACKED_FROM = ['package.json', 'README.md', 'tsconfig.json', 'bin', 'scripts', 'src', 'checks'];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command with only PATH, HOME and `env` set: no npm_config_* from the `npm test` that started vitest. */
function run(file: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  const started = performance.now();
  const base = { PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`, HOME: process.env.HOME ?? os.tmpdir() };
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: { ...base, ...env }, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** `npm install -g` into `prefix` from a fresh empty cache, offline, with the registry pointed at a closed loopback port. */
async function installOffline(file: string, into: string): Promise<Run> {
  const cache = mkdtempSync(path.join(dir, 'empty-cache-'));
  const registry = `http://127.0.0.1:${await closedPort()}/`;
  return run('npm', ['install', '-g', '--prefix', into, '--offline', '--cache', cache, '--registry', registry, '--no-audit', '--no-fund', file], dir);
}

let dir: string;
let source: string;
let tarball: string;
let installed: Run;
let prefix: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'duo-doctor-install-'));
  source = path.join(dir, 'source');
  mkdirSync(source);
  for (const entry of PACKED_FROM) cpSync(path.join(ROOT, entry), path.join(source, entry), { recursive: true });
  // The build tools (esbuild) come from the repository's dev install, as they would after `npm ci`.
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(source, 'node_modules'));
  const packed = await run('npm', ['pack', '--silent', '--pack-destination', dir], source);
  expect(packed.code, packed.stderr).toBe(0);
  tarball = path.join(dir, packed.stdout.trim().split('\n').at(-1)!);

  prefix = path.join(dir, 'prefix');
  installed = await installOffline(tarball, prefix);
  process.stdout.write(`tarball ${(statSync(tarball).size / 1024).toFixed(0)} KiB; offline install ${installed.ms.toFixed(0)} ms\n`);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('is named for the version and carries the built bundle', () => {
    expect(path.basename(tarball)).toBe(`duo-doctor-${VERSION}.tgz`);
  });

  it('installs offline from an empty cache, fetching nothing', () => {
    expect(installed.code, installed.stderr).toBe(0);
    const pkgDir = path.join(prefix, 'lib/node_modules/duo-doctor');
    expect(existsSync(path.join(pkgDir, 'dist/cli.js'))).toBe(true);
    // Nothing was fetched: the package has no node_modules of its own.
    expect(existsSync(path.join(pkgDir, 'node_modules'))).toBe(false);
  });

  it('is installed where a registry really is out of reach (a package with one dependency fails there)', async () => {
    const manifest = JSON.parse(readFileSync(path.join(source, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(path.join(source, 'package.json'), JSON.stringify({ ...manifest, dependencies: { yaml: '^2.0.0' } }));
    const control = path.join(dir, 'control');
    mkdirSync(control);
    const packed = await run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', control], source);
    expect(packed.code, packed.stderr).toBe(0);
    const result = await installOffline(path.join(control, readdirSync(control)[0]!), path.join(dir, 'control-prefix'));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/ENOTCACHED/);
  });

  it('answers --version', async () => {
    const result = await run(path.join(prefix, 'bin/duo-doctor'), ['--version'], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${VERSION}\n`);
  });

  it('runs the healthy demo from the install alone', async () => {
    const config = path.join(dir, 'duo-doctor.yaml');
    writeFileSync(config, 'timeout: 20000\n');
    const result = await run(path.join(prefix, 'bin/duo-doctor'), ['demo', '--config', config, '--format', 'json'], dir);
    process.stdout.write(`installed demo ${result.ms.toFixed(0)} ms\n`);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { summary: Record<string, number> };
    expect(report.summary.fail).toBe(0);
    expect(report.summary.error).toBe(0);
    expect(report.summary.pass).toBeGreaterThanOrEqual(20);
  });
});
