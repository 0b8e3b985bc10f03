// The pretest preflight: every system program the tests and the lint run by name is one it checks (or one Debian always
// has), and a missing one is installed as root with apt, or stops the run with the one command that installs it.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMULATION, PROGRAMS, arm64Dir, found, plan, type Program } from '../../scripts/preflight.mjs';
import { arm64Busybox } from '../../src/reference/container.js';
import { ROOT } from '../helpers/cli.js';

/** Programs every Debian system has (essential: bash, coreutils, tar, util-linux, apt) or that come with Node (npm). */
const ALWAYS_THERE = new Set(['bash', 'sh', 'cat', 'tar', 'mkfifo', 'setpriv', 'unshare', 'apt-get', 'dpkg', 'npm', 'uname']);

/** Every file under `dir` ending in one of `exts`. */
function files(dir: string, exts: readonly string[]): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => exts.some((x) => f.endsWith(x)))
    .map((f) => path.join(ROOT, dir, f));
}

const program = (name: string): Program => PROGRAMS.find((p) => p.program === name)!;

describe('scripts/preflight.mjs', () => {
  it('checks every program the tests and scripts run by name', () => {
    const spawned = new Set<string>();
    for (const file of [...files('test', ['.ts']), ...files('scripts', ['.mjs'])]) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\b(?:execFile|execFileSync|spawn|spawnSync|run|promtool)\(\s*'([\w.-]+)'/g)) spawned.add(m[1]!);
    }
    spawned.add('nginx'); // test/helpers/nginx.ts runs it by its path, /usr/sbin/nginx
    expect(spawned.size).toBeGreaterThan(5);
    const checked = new Set([...PROGRAMS, EMULATION].map((p) => p.program));
    for (const name of spawned) if (!ALWAYS_THERE.has(name)) expect(checked, name).toContain(name);
  });

  it('finds programs on PATH and in the system directories only when executable', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'duo-doctor-preflight-'));
    try {
      writeFileSync(path.join(dir, 'duo-tool'), '#!/bin/sh\n', { mode: 0o755 });
      writeFileSync(path.join(dir, 'duo-data'), 'not a program\n', { mode: 0o644 });
      expect(found('duo-tool', dir)).toBe(true);
      expect(found('duo-data', dir)).toBe(false);
      expect(found('duo-tool', '')).toBe(false);
      expect(found('sh', '')).toBe(true); // /bin/sh, from the system directories
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    { name: 'nothing missing', missing: [], root: true, apt: true, kind: 'ok', command: undefined },
    { name: 'root with apt installs', missing: ['nginx', 'promtool'], root: true, apt: true, kind: 'install', command: undefined },
    {
      name: 'not root stops with sudo',
      missing: ['promtool'],
      root: false,
      apt: true,
      kind: 'stop',
      command: 'sudo apt-get install -y --no-install-recommends prometheus',
    },
    {
      name: 'root without apt stops',
      missing: ['nginx', 'curl'],
      root: true,
      apt: false,
      kind: 'stop',
      command: 'apt-get install -y --no-install-recommends nginx curl',
    },
  ])('$name', ({ missing, root, apt, kind, command }) => {
    const result = plan(missing.map(program), { root, apt });
    expect(result.kind).toBe(kind);
    if (result.kind === 'install') expect(result.packages).toEqual(missing.map((m) => program(m).pkg));
    if (result.kind !== 'ok') for (const m of missing) expect(result.text).toContain(`${m} (Debian package ${program(m).pkg})`);
    if (command) expect(result.kind === 'stop' && result.text.trimEnd().endsWith(`\n  ${command}`)).toBe(true);
  });

  it.each([
    ['XDG_CACHE_HOME', { XDG_CACHE_HOME: '/c' }],
    ['the home cache', { HOME: '/h' }],
  ])('unpacks the arm64 busybox where the reference stack looks for it (%s)', (_name, env) => {
    expect(arm64Busybox(env)).toBe(path.join(arm64Dir(env), 'bin', 'busybox'));
  });

  it('installs one package once when several programs come from it', () => {
    const twice = [program('promtool'), { ...program('promtool'), program: 'prometheus' }];
    const result = plan(twice, { root: true, apt: true });
    expect(result.kind === 'install' && result.packages).toEqual(['prometheus']);
  });
});
