// What some tests need that a machine may lack: root (to drop to nobody, to make a mount namespace) and python3.
// A test that lacks one is skipped, and the skip is recorded: the run ends with one line naming each missing capability
// and the files it cost (test/setup/capabilities-reporter.ts) — never a silent skip.
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { expect } from 'vitest';
import { arm64Busybox, QEMU_AARCH64 } from '../../src/reference/container.js';

/** The file (set by the reporter) where lacking capabilities are recorded, one JSON line per test file and capability. */
export const LACKING_LOG_ENV = 'DUO_DOCTOR_TEST_LACKING';

function runs(file: string, args: readonly string[]): boolean {
  try {
    execFileSync(file, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const CAPABILITIES = {
  unshare: { what: 'a private mount namespace (unshare -m, as root)', probe: () => runs('unshare', ['-m', 'true']) },
  'unshare-net': {
    what: 'a network namespace of its own (unshare -rn with ip link set lo up: user namespaces allowed)',
    probe: () => runs('unshare', ['-rn', 'ip', 'link', 'set', 'lo', 'up']),
  },
  'arm64-emulation': {
    what: `an arm64 userland under qemu-user (${QEMU_AARCH64} and ${arm64Busybox()}: npm test's preflight installs them as root)`,
    probe: () => {
      try {
        return execFileSync(QEMU_AARCH64, [arm64Busybox(), 'uname', '-m'], { encoding: 'utf8' }).trim() === 'aarch64';
      } catch {
        return false;
      }
    },
  },
  setpriv: {
    what: 'dropping to nobody (setpriv, as root)',
    probe: () => process.getuid?.() === 0 && runs('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'true']),
  },
  python3: { what: 'python3 on PATH (apt-get install python3)', probe: () => runs('sh', ['-c', 'command -v python3']) },
  'python3-clean': {
    what: 'python3 in /usr/bin:/bin (apt-get install python3)',
    probe: () => runs('env', ['-i', 'PATH=/usr/bin:/bin', 'sh', '-c', 'command -v python3']),
  },
} satisfies Record<string, { what: string; probe: () => boolean }>;

export type Capability = keyof typeof CAPABILITIES;

/** One recorded lack: which capability, what it is, and the test file that skipped for want of it. */
export interface Lack {
  capability: Capability;
  what: string;
  file: string;
}

const known = new Map<Capability, boolean>();

/** Whether this machine has `capability`; when it does not, records the calling test file's skip for the run's summary. */
export function has(capability: Capability): boolean {
  let ok = known.get(capability);
  if (ok === undefined) {
    ok = CAPABILITIES[capability].probe();
    known.set(capability, ok);
  }
  if (!ok) record(capability);
  return ok;
}

function record(capability: Capability): void {
  const lack: Lack = { capability, what: CAPABILITIES[capability].what, file: expect.getState().testPath ?? '?' };
  const log = process.env[LACKING_LOG_ENV];
  // Run without the reporter (a single file from an editor): say it on the spot instead.
  if (log) appendFileSync(log, `${JSON.stringify(lack)}\n`);
  else console.warn(`${lack.file}: skipping the tests that need ${lack.what}`);
}
