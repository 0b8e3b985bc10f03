// The single executable, built and run with README.md's commands (`npm run build:sea`, `./duo-doctor-linux-x64 demo`)
// where no Node exists — PATH points nowhere — and the healthy demo passes.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { readmeCommand } from '../helpers/readme-commands.js';
import { isFailing } from '../../src/model.js';

const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** A PATH with no directory in it, so no `node` (nor anything else) can be found by name. */
const NO_PATH = '/nonexistent';
/** The checks that reproduce the gateway's view with python3: with nothing on PATH they skip, naming python3. */
const NEED_PYTHON = ['gateway-trusts-gitlab', 'gateway-fetches-jwks'];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(file: string, args: readonly string[], env: Record<string, string>, cwd = dir): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, ms: performance.now() - started });
    });
  });
}

let dir: string;
let binary: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'duo-doctor-sea-test-'));
  binary = path.join(dir, 'duo-doctor-linux-x64');
  // README's build command, with --out so that the repository's release/ is left alone.
  const build = `${readmeCommand('### Build the tarball and the binary', /^npm run build:sea$/)} -- --out ${binary}`;
  const built = await run(
    'bash',
    ['-euc', build],
    { PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`, HOME: dir },
    ROOT,
  );
  expect(built.code, built.stderr).toBe(0);
  process.stdout.write(`single executable ${(statSync(binary).size / 2 ** 20).toFixed(1)} MiB, built in ${built.ms.toFixed(0)} ms\n`);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the single executable', () => {
  it('answers --version with no node on PATH', async () => {
    const result = await run(binary, ['--version'], { PATH: NO_PATH });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${VERSION}\n`);
  });

  it("runs README's demo command with no node on PATH", async () => {
    const result = await run('/bin/bash', ['-euc', readmeCommand('## Install', /^\.\/duo-doctor-linux-x64 demo$/)], { PATH: NO_PATH, HOME: dir });
    process.stdout.write(`single-executable demo ${result.ms.toFixed(0)} ms\n`);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\b0 failed, \d+ skipped, 0 errors\b/);
  });

  it('passes every check of the healthy demo but the two that need python3', async () => {
    const result = await run(binary, ['demo', '--format', 'json'], { PATH: NO_PATH, HOME: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as { summary: Record<string, number>; results: { id: string; status: string }[] };
    expect(report.results.filter((r) => isFailing(r.status))).toEqual([]);
    expect(report.results.filter((r) => r.status === 'skip').map((r) => r.id)).toEqual(NEED_PYTHON);
    expect(report.summary.pass).toBe(report.results.length - NEED_PYTHON.length);
  });

  it('reports a usage error as the Node build does (exit 2, one line)', async () => {
    const result = await run(binary, ['check', '--no-such-flag'], { PATH: NO_PATH });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('loads a --plugin module from disk (a real import() from inside the executable)', async () => {
    const plugin = path.join(dir, 'plugin.mjs');
    writeFileSync(
      plugin,
      `export default { id: 'from-plugin', title: 'A plugin check', category: 'runtime', tags: ['ci'],
        explain: { checks: 'x', failsWhen: 'x', fix: 'x' }, async run() { return { status: 'pass', summary: 'loaded' }; } };`,
    );
    const result = await run(binary, ['check', '--plugin', plugin, '--only', 'from-plugin', '--format', 'json'], { PATH: NO_PATH });
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { results: unknown[] }).results).toMatchObject([{ id: 'from-plugin', status: 'pass', summary: 'loaded' }]);
  });
});
