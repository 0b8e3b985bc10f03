// `npm test` runs this first (pretest): the lint and the integration tests drive real programs (nginx, openssl, curl,
// python3, shellcheck, promtool), and a missing one would otherwise surface as a wall of failing tests. Missing
// programs are installed with apt when running as root (as CI and a fresh container do); otherwise the run stops at
// once, naming the one command that installs them.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

/** The system programs the tests run, the Debian package that provides each, and what needs it. */
export const PROGRAMS = [
  { program: 'nginx', pkg: 'nginx', why: 'the proxy in front of the reference gateway (the tests run /usr/sbin/nginx)' },
  { program: 'openssl', pkg: 'openssl', why: 'certificates made and inspected the way operators do' },
  { program: 'curl', pkg: 'curl', why: 'the reference gateway called as a user would' },
  { program: 'python3', pkg: 'python3', why: "the gateway's own TLS and JWKS view (its Python ssl), and py_compile in npm run lint" },
  { program: 'shellcheck', pkg: 'shellcheck', why: 'npm run lint checks the sh probes with it' },
  { program: 'promtool', pkg: 'prometheus', why: 'the example alert rules checked, unit-tested and evaluated by Prometheus itself' },
];

/**
 * What only the image-emulated scenario needs: installed like PROGRAMS as root with apt, with Debian's busybox-static:arm64
 * unpacked into arm64Dir(); elsewhere only named (the scenario test skips without it, and fails under CI=true).
 */
export const EMULATION = {
  program: 'qemu-aarch64-static',
  pkg: 'qemu-user-static',
  why: "the image-emulated scenario's arm64 userland runs under it",
};

/** Where the arm64 busybox is unpacked, outside the repository (src/reference/container.ts's arm64Busybox reads the same place). */
export function arm64Dir(env = process.env) {
  return path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'duo-doctor', 'arm64');
}

/** Searched besides PATH: nginx lives in /usr/sbin, which a non-root PATH may lack. */
const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** True when `program` is an executable file on `envPath` or in the system directories. */
export function found(program, envPath = process.env.PATH ?? '') {
  return [...envPath.split(path.delimiter).filter(Boolean), ...SYSTEM_DIRS].some((dir) => {
    try {
      accessSync(path.join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const THEN = 'Install them, then run npm test again:\n  ';

/** The one command that installs `packages`. */
function installCommand(packages, root) {
  return `${root ? '' : 'sudo '}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/**
 * What to do about the `missing` programs: nothing, install their packages (root with apt), or stop with the command
 * that installs them.
 * @returns {{ kind: 'ok' } | { kind: 'install', packages: string[], text: string } | { kind: 'stop', text: string }}
 */
export function plan(missing, { root, apt }) {
  if (missing.length === 0) return { kind: 'ok' };
  const packages = [...new Set(missing.map((p) => p.pkg))];
  const list = missing.map((p) => `  ${p.program} (Debian package ${p.pkg}): ${p.why}`).join('\n');
  if (root && apt) return { kind: 'install', packages, text: `preflight: installing what the tests run:\n${list}\n` };
  return { kind: 'stop', text: `preflight: the tests run these programs and they are missing:\n${list}\n${THEN}${installCommand(packages, root)}\n` };
}

function run(command, args, cwd = undefined) {
  const result = spawnSync(command, args, {
    cwd,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.error?.message}`);
}

/** apt-get install, with services kept from starting: the tests start their own nginx on loopback ports. */
function aptInstall(packages) {
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  // invoke-rc.d asks policy-rc.d before starting a service; exit 101 means "not allowed".
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages]);
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
}

/** qemu-user-static, and busybox-static:arm64 (the arm64 architecture added to dpkg for it) unpacked into arm64Dir(). */
function installEmulation(busybox) {
  if (!found(EMULATION.program)) aptInstall([EMULATION.pkg]);
  if (existsSync(busybox)) return;
  run('dpkg', ['--add-architecture', 'arm64']);
  run('apt-get', ['update', '-qq']);
  const download = path.join(arm64Dir(), 'download');
  mkdirSync(download, { recursive: true });
  run('apt-get', ['download', '-qq', 'busybox-static:arm64'], download);
  for (const deb of readdirSync(download)) run('dpkg', ['-x', path.join(download, deb), arm64Dir()]);
  rmSync(download, { recursive: true, force: true });
}

/** The image-emulated scenario's tools: installed as root with apt; otherwise (or when that fails) named, never stopping the run. */
function emulation(root, apt) {
  const busybox = path.join(arm64Dir(), 'bin', 'busybox');
  if (found(EMULATION.program) && existsSync(busybox)) return;
  const how = `apt-get install ${EMULATION.pkg}; dpkg --add-architecture arm64; apt-get update; apt-get download busybox-static:arm64; dpkg -x busybox-static_*_arm64.deb ${arm64Dir()}`;
  const skipped = `the image-emulated scenario is skipped here (and fails under CI=true) without ${EMULATION.program} and ${busybox}: ${how}`;
  if (!(root && apt)) return void process.stderr.write(`preflight: ${skipped}\n`);
  try {
    process.stderr.write(`preflight: installing ${EMULATION.program} (${EMULATION.why}) and an arm64 busybox\n`);
    installEmulation(busybox);
  } catch (error) {
    process.stderr.write(`preflight: ${error.message}; ${skipped}\n`);
  }
}

function main() {
  const root = process.getuid?.() === 0;
  const apt = found('apt-get');
  const code = programs(root, apt);
  if (code === 0) emulation(root, apt);
  return code;
}

function programs(root, apt) {
  const missing = PROGRAMS.filter((p) => !found(p.program));
  const next = plan(missing, { root, apt });
  if (next.kind === 'ok') return 0;
  process.stderr.write(next.text);
  if (next.kind === 'stop') return 1;
  try {
    aptInstall(next.packages);
  } catch (error) {
    // No package mirror reachable, a held lock: say what failed and the command to run once it is fixed.
    process.stderr.write(`preflight: ${error.message}\n${THEN}${installCommand(next.packages, true)}\n`);
    return 1;
  }
  const still = missing.filter((p) => !found(p.program));
  if (still.length === 0) return 0;
  process.stderr.write(`preflight: still missing after apt-get install: ${still.map((p) => p.program).join(', ')}\n`);
  return 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main();
