// `npm test` runs this first (pretest): the integration tests drive real programs (nginx, openssl, curl, python3,
// promtool), and a missing one would otherwise surface as a wall of failing tests. Each missing program is installed
// with apt when running as root (as CI and a fresh container do), else the run stops at once naming the one command.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

/** The system programs the tests run, the Debian package that provides each, and what needs it. */
export const PROGRAMS = [
  { program: 'nginx', pkg: 'nginx', why: 'the proxy in front of the reference gateway (test/helpers/nginx.ts runs /usr/sbin/nginx)' },
  { program: 'openssl', pkg: 'openssl', why: 'certificates made and inspected the way operators do' },
  { program: 'curl', pkg: 'curl', why: 'the reference gateway called as a user would' },
  { program: 'python3', pkg: 'python3', why: "the gateway's own TLS and JWKS view (its Python ssl)" },
  { program: 'promtool', pkg: 'prometheus', why: 'the example alert rules checked and unit-tested by Prometheus itself' },
];

/** Directories searched besides PATH: nginx lives in /usr/sbin, which a non-login PATH may lack. */
const EXTRA_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** True when `program` is an executable file on PATH or in the system directories. */
export function found(program, envPath = process.env.PATH ?? '') {
  const dirs = [...envPath.split(path.delimiter).filter(Boolean), ...EXTRA_DIRS];
  return dirs.some((dir) => {
    try {
      accessSync(path.join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The one command that installs `packages` (no sudo prefix for root). */
export function installCommand(packages, root) {
  return `${root ? '' : 'sudo '}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

function run(command, args) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
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

function main() {
  const missing = PROGRAMS.filter((p) => !found(p.program));
  if (missing.length === 0) return 0;
  const packages = [...new Set(missing.map((p) => p.pkg))];
  const root = process.getuid?.() === 0;
  const list = missing.map((p) => `  ${p.program} (Debian package ${p.pkg}): ${p.why}`).join('\n');
  if (root && found('apt-get')) {
    process.stderr.write(`preflight: installing what the tests run:\n${list}\n`);
    aptInstall(packages);
    const still = missing.filter((p) => !found(p.program));
    if (still.length === 0) return 0;
    process.stderr.write(`preflight: still missing after apt-get: ${still.map((p) => p.program).join(', ')}\n`);
    return 1;
  }
  process.stderr.write(`preflight: the tests run these programs and they are missing:\n${list}\nInstall them, then run npm test again:\n  ${installCommand(packages, root)}\n`);
  return 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main();
