// The single executable (`npm run build:sea`): built from the sources like the release one, then run where no Node
// exists — PATH points nowhere, the binary is called by its absolute path — and the healthy demo passes.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

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

function run(file: string, args: readonly string[], env: Record<string, string>): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(file, args, { cwd: dir, env, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, ms: performance.now() - started });
    });
  });
}

let dir: string;
let binary: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'duo-doctor-sea-test-'));
  binary = path.join(dir, 'duo-doctor');
  const built = await new Promise<Run>((resolve) => {
    const started = performance.now();
    execFile(process.execPath, [path.join(ROOT, 'scripts/build-sea.mjs'), '--out', binary], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? 1 : 0, stdout, stderr, ms: performance.now() - started });
    });
  });
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

  it('runs the healthy demo with no node on PATH', async () => {
    const result = await run(binary, ['demo', '--format', 'json'], { PATH: NO_PATH, HOME: dir });
    process.stdout.write(`single-executable demo ${result.ms.toFixed(0)} ms\n`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as { summary: Record<string, number>; results: { id: string; status: string }[] };
    expect(report.results.filter((r) => r.status === 'fail' || r.status === 'error')).toEqual([]);
    expect(report.results.filter((r) => r.status === 'skip').map((r) => r.id)).toEqual(NEED_PYTHON);
    expect(report.summary.pass).toBe(report.results.length - NEED_PYTHON.length);
  });

  it('reports a usage error as the Node build does (exit 2, one line)', async () => {
    const result = await run(binary, ['check', '--no-such-flag'], { PATH: NO_PATH });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
