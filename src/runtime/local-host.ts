// Runtime probes on this host: real file writes, cgroup files and statfs, through node:fs.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, rmdir, stat, statfs, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DEFAULTS, type Env } from '../config/settings.js';
import { budget } from '../probes/stage-board.js';
import type { DirList, FileRead, PythonRun, ResourceFacts, RuntimeHost, WriteAttempt, WriteStep } from './facts.js';

function errno(error: unknown): { code?: string; message: string } {
  const e = error as NodeJS.ErrnoException;
  return { code: e?.code, message: e?.message ?? String(error) };
}

async function ownerOf(p: string): Promise<WriteAttempt['owner']> {
  try {
    const s = await stat(p);
    return { uid: s.uid, gid: s.gid, mode: (s.mode & 0o7777).toString(8).padStart(4, '0') };
  } catch {
    return undefined;
  }
}

async function nearestExisting(dir: string): Promise<string> {
  let current = path.resolve(dir);
  for (;;) {
    try {
      await stat(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/** A name no other run (or other probe of this run) can be using: pid plus 48 random bits. */
function probeName(): string {
  return `.duo-doctor-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * Proves a directory writable the way the gateway uses it: create (exclusively), write, fsync, read back, delete.
 * `access()` is not enough: root passes it on read-only mounts. A missing directory is never created: the probe makes a
 * uniquely named directory in its nearest existing ancestor instead (what creating it would need) and works there.
 * Every name is unique and created exclusively, so concurrent runs never touch each other's entries; the probe removes
 * exactly what it made.
 */
export async function localWriteAttempt(dir: string): Promise<WriteAttempt> {
  const abs = path.resolve(dir);
  const who = { uid: process.getuid?.(), gid: process.getgid?.() };
  let existed = true;
  let nearestParent: string | undefined;
  let probeDir: string | undefined;
  let file: string | undefined;
  let step: WriteStep = 'stat';
  const base = (): Omit<WriteAttempt, 'ok' | 'cleanedUp'> => ({ dir: abs, existed, ...who, ...(nearestParent ? { nearestParent } : {}) });
  try {
    try {
      const s = await stat(abs);
      if (!s.isDirectory()) throw Object.assign(new Error(`${abs} is not a directory`), { code: 'ENOTDIR' });
    } catch (error) {
      if (errno(error).code !== 'ENOENT') throw error;
      existed = false;
      nearestParent = await nearestExisting(abs);
      step = 'mkdir';
      const candidate = path.join(nearestParent, probeName());
      await mkdir(candidate, { mode: 0o700 });
      probeDir = candidate;
    }
    step = 'create';
    const candidate = path.join(probeDir ?? abs, probeName());
    const handle = await open(candidate, constants.O_CREAT | constants.O_EXCL | constants.O_RDWR, 0o600);
    file = candidate;
    const payload = randomBytes(4096);
    try {
      step = 'write';
      await handle.write(payload, 0, payload.length, 0);
      step = 'fsync';
      await handle.sync();
    } finally {
      await handle.close();
    }
    step = 'read';
    const back = await readFile(file);
    if (!back.equals(payload)) throw Object.assign(new Error('read back different bytes than written'), { code: 'EIO' });
    step = 'delete';
    await unlink(file);
    file = undefined;
    return { ...base(), ok: true, cleanedUp: await cleanup(file, probeDir) };
  } catch (error) {
    const { code, message } = errno(error);
    const owner = await ownerOf(existed ? abs : (nearestParent ?? abs));
    const cleanedUp = await cleanup(file, probeDir);
    return { ...base(), ok: false, failedStep: step, ...(code ? { code } : {}), message, ...(owner ? { owner } : {}), cleanedUp };
  }
}

/** Removes the probe's own file and directory (nothing else); true when neither is left. */
async function cleanup(file: string | undefined, probeDir: string | undefined): Promise<boolean> {
  try {
    if (file) await rm(file, { force: true });
    if (probeDir) await rmdir(probeDir);
    return true;
  } catch {
    return false;
  }
}

/** Lists a directory's entries with this process's rights. */
export async function localListDir(dir: string): Promise<DirList> {
  try {
    return { ok: true, entries: (await readdir(dir)).sort() };
  } catch (error) {
    const { code, message } = errno(error);
    return { ok: false, ...(code ? { code } : {}), message };
  }
}

async function readNumber(file: string): Promise<number | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    const n = Number(text.split(/\s+/)[0]);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The cgroup (v2, then v1) memory limit, when one is set below the host's memory. */
async function cgroupMemoryLimit(): Promise<number | undefined> {
  const limit = (await readNumber('/sys/fs/cgroup/memory.max')) ?? (await readNumber('/sys/fs/cgroup/memory/memory.limit_in_bytes'));
  return limit !== undefined && limit < os.totalmem() ? limit : undefined;
}

/** The cgroup v2 CPU quota in CPUs (`cpu.max` = "quota period"), when set. */
async function cgroupCpus(): Promise<number | undefined> {
  try {
    const [quota, period] = (await readFile('/sys/fs/cgroup/cpu.max', 'utf8')).trim().split(/\s+/);
    if (!quota || quota === 'max' || !period) return undefined;
    return Number(quota) / Number(period);
  } catch {
    return undefined;
  }
}

export async function localResources(dirs: readonly string[]): Promise<ResourceFacts> {
  const [memLimit, cpuQuota] = await Promise.all([cgroupMemoryLimit(), cgroupCpus()]);
  const hostCpus = os.availableParallelism();
  const diskFree: Record<string, number | undefined> = {};
  await Promise.all(
    dirs.map(async (dir) => {
      try {
        const s = await statfs(await nearestExisting(dir));
        diskFree[dir] = s.bavail * s.bsize;
      } catch {
        diskFree[dir] = undefined;
      }
    }),
  );
  return {
    memoryBytes: memLimit ?? os.totalmem(),
    memorySource: memLimit !== undefined ? 'cgroup' : 'host',
    availableMemoryBytes: os.freemem(),
    cpus: cpuQuota !== undefined && cpuQuota < hostCpus ? cpuQuota : hostCpus,
    cpuSource: cpuQuota !== undefined && cpuQuota < hostCpus ? 'cgroup' : 'host',
    diskFree,
  };
}

/**
 * Runs `python3 -c script ...args` here with `env` as its whole environment (the gateway's, as the settings carry it);
 * python3 is looked up in env's PATH, else in this process's. Rejects only when python3 outlives `timeoutMs`.
 */
export function localPython(env: Env, script: string, args: readonly string[], timeoutMs: number): Promise<PythonRun> {
  const childEnv = { PATH: process.env.PATH, ...env };
  // Within a check, killed no later than its budget ends, so the check still says why.
  const { waitMs, timeoutMs: said } = budget(timeoutMs);
  return new Promise((resolve, reject) => {
    execFile(
      'python3',
      ['-c', script, ...args],
      { env: childEnv, timeout: waitMs, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const e = error as (NodeJS.ErrnoException & { code?: string | number; killed?: boolean }) | null;
        if (e?.code === 'ENOENT') resolve({ available: false, stdout, stderr: `python3 not found in PATH=${childEnv.PATH ?? ''}`, code: 127 });
        else if (e?.killed) reject(new Error(`python3 did not finish within ${said} ms`));
        else if (e && typeof e.code !== 'number') reject(e);
        else resolve({ available: true, stdout, stderr, code: typeof e?.code === 'number' ? e.code : 0 });
      },
    );
  });
}

/** Reads a text file with this process's rights. */
export async function localReadFile(file: string): Promise<FileRead> {
  try {
    return { ok: true, text: await readFile(file, 'utf8') };
  } catch (error) {
    const { code, message } = errno(error);
    return { ok: false, ...(code ? { code } : {}), message };
  }
}

/** Runtime probes on the machine duo-doctor runs on, with the environment the settings carry. */
export function localHost(env: Env, timeoutMs: number = DEFAULTS.timeoutMs): RuntimeHost {
  return {
    label: 'this host',
    env: async () => env,
    writeAttempt: localWriteAttempt,
    resources: localResources,
    python: (script, args) => localPython(env, script, args, timeoutMs),
    readFile: localReadFile,
    listDir: localListDir,
  };
}
