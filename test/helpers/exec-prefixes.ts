// The --exec prefixes the runtime tests run probes through (setpriv to nobody, unshare + tmpfs), whether this machine can
// run them and python3 behind them, and a scratch directory those prefixes can reach.
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { has } from './capabilities.js';
import { canDropPrivileges, canUnshare } from './cli.js';

/** Runs the rest of the command as nobody:nogroup with no supplementary groups (needs root). */
export const NOBODY = 'setpriv --reuid=nobody --regid=nogroup --clear-groups --';

/** Runs the rest of the command with a read-only tmpfs on /tmp, in a private mount namespace (needs root). */
export const READ_ONLY_TMP = `unshare -m sh -c 'mount -t tmpfs -o ro tmpfs /tmp && exec "$@"' --`;

/**
 * Runs the rest of the command with a 64 KiB tmpfs on `dir` filled by a file `fill`, in a private mount namespace (needs root),
 * then writes `ls -A dir` to `listing` from inside the namespace (the mount vanishes with it).
 */
export function fullTmpfs(dir: string, listing: string): string {
  return `unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs ${dir} && dd if=/dev/zero of=${dir}/fill bs=4k count=64 2>/dev/null; "$@"; ls -A ${dir} > ${listing}' --`;
}

/** Whether python3 is found on this process's PATH (`here`) or under `env -i PATH=/usr/bin:/bin` (`clean`, as the --exec tests run it). */
export const hasPython = (where: 'here' | 'clean'): boolean => has(where === 'here' ? 'python3' : 'python3-clean');

/** Which prefixes work on this machine. */
export interface PrefixSupport {
  /** `unshare -m` (a private mount namespace): READ_ONLY_TMP, fullTmpfs. */
  unshare: boolean;
  /** setpriv to nobody as root: NOBODY. */
  setpriv: boolean;
  /** python3 under `env -i PATH=/usr/bin:/bin`. */
  python: boolean;
}

/** Probes which prefixes work here; each missing one is named, with the tests it skips, at the end of the run. */
export function prefixSupport(): PrefixSupport {
  return { unshare: canUnshare(), setpriv: canDropPrivileges(), python: hasPython('clean') };
}

/** A temp directory for the calling test file. */
export interface ScratchDir {
  /** The directory (absolute); set once the file's beforeAll has run. */
  readonly path: string;
  /** Makes `name` under the directory with `mode`, and returns its path. */
  subdir(name: string, mode?: number): Promise<string>;
}

/**
 * A temp directory named `<prefix>XXXXXX`, made in beforeAll with mode 0755 (so nobody can enter it) and removed in afterAll;
 * call it at the top level of a test file.
 */
export function useScratchDir(prefix: string): ScratchDir {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), prefix));
    await chmod(dir, 0o755);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const scratch: ScratchDir = {
    get path(): string {
      if (dir === undefined) throw new Error('the scratch directory is made in beforeAll: use it inside hooks and tests');
      return dir;
    },
    async subdir(name, mode = 0o755) {
      const d = path.join(scratch.path, name);
      await mkdir(d);
      await chmod(d, mode);
      return d;
    },
  };
  return scratch;
}
