// Runtime probes inside the gateway's container: `PREFIX sh -c '<POSIX sh probe>'`, answers in a key=value line protocol.
import { budget } from '../probes/stage-board.js';
import { execFile } from 'node:child_process';
import type { Env } from '../config/settings.js';
import type { ContainerFacts, DirList, FileRead, PythonRun, ResourceFacts, RuntimeHost, WriteAttempt, WriteStep } from './facts.js';
import { splitCommandLine } from './command-line.js';
import { WRITE_PROBE, RESOURCES_PROBE, PYTHON_LAUNCHER, CONTAINER_PROBE } from './sh-probes.js';

/** The prefix could not run a command at all (container missing, kubectl not configured, binary absent). */
export class ExecPrefixError extends Error {
  override readonly name = 'ExecPrefixError';
}

export interface ExecOutput {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs `PREFIX ...args` and collects its output; rejects only when the prefix's program cannot be started. */
export function runWithPrefix(prefix: string, args: readonly string[], timeoutMs: number): Promise<ExecOutput> {
  const argv = [...splitCommandLine(prefix), ...args];
  const [file, ...rest] = argv;
  if (!file) return Promise.reject(new ExecPrefixError('--exec is empty'));
  // Within a check, killed no later than its budget ends, so the check still says why.
  const { waitMs, timeoutMs: said } = budget(timeoutMs);
  return new Promise((resolve, reject) => {
    execFile(file, rest, { timeout: waitMs, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      const e = error as (NodeJS.ErrnoException & { code?: string | number; killed?: boolean }) | null;
      if (e && typeof e.code === 'string') {
        reject(new ExecPrefixError(`--exec "${prefix}" could not start ${file}: ${e.code === 'ENOENT' ? 'command not found' : e.message}`));
        return;
      }
      if (e?.killed) {
        reject(new ExecPrefixError(`--exec "${prefix}" did not answer within ${said} ms`));
        return;
      }
      resolve({ stdout, stderr, code: typeof e?.code === 'number' ? e.code : 0 });
    });
  });
}

/** Parses `key=value` lines; later keys win. */
export function parseLines(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

/** errno code for a shell error message ("cannot create ...: Read-only file system"). */
export function errnoFromMessage(message: string): string | undefined {
  const table: Array<[RegExp, string]> = [
    [/read-only file system/i, 'EROFS'],
    [/permission denied/i, 'EACCES'],
    [/operation not permitted/i, 'EPERM'],
    [/no space left/i, 'ENOSPC'],
    [/quota exceeded/i, 'EDQUOT'],
    [/not a directory/i, 'ENOTDIR'],
    [/no such file or directory/i, 'ENOENT'],
  ];
  return table.find(([re]) => re.test(message))?.[1];
}

function num(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** The container probe's lines as facts. */
export function parseContainer(lines: Map<string, string>): ContainerFacts {
  const cpu = lines.get('cpu');
  const listeners = [...lines]
    .filter(([k]) => k.startsWith('listen_'))
    .map(([, v]) => v.split(' '))
    .map(([port, held]) => ({ port: Number(port), held: held === '1' }))
    .filter((l) => Number.isInteger(l.port));
  return { machine: lines.get('machine') ?? '', cpu: cpu === 'x86' || cpu === 'arm' ? cpu : 'unknown', listeners };
}

/** A runtime host reached through `prefix`; the first call proves the prefix runs `sh` at all. */
export async function execHost(prefix: string, timeoutMs: number): Promise<RuntimeHost> {
  const sh = async (script: string, ...args: string[]): Promise<Map<string, string>> => {
    const out = await runWithPrefix(prefix, ['sh', '-c', script, 'duo-doctor', ...args], timeoutMs);
    const lines = parseLines(out.stdout);
    if (!lines.has('probe')) {
      const why = out.stderr.trim().split('\n').slice(0, 3).join(' ') || `exit code ${out.code}, no output`;
      throw new ExecPrefixError(`--exec "${prefix}" could not run sh: ${why}`);
    }
    return lines;
  };
  await sh('echo probe=ok');
  return {
    label: `inside: ${prefix}`,
    async env(): Promise<Env> {
      const out = await runWithPrefix(prefix, ['env'], timeoutMs);
      if (out.code !== 0) throw new ExecPrefixError(`--exec "${prefix}" env failed: ${out.stderr.trim() || `exit code ${out.code}`}`);
      return Object.fromEntries(
        out.stdout
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const)
          .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)),
      );
    },
    async writeAttempt(dir: string): Promise<WriteAttempt> {
      const r = await sh(WRITE_PROBE, dir);
      const error = r.get('error');
      const code = r.get('code') ?? (error ? errnoFromMessage(error) : undefined);
      const ownerUid = num(r.get('owner_uid'));
      const ownerGid = num(r.get('owner_gid'));
      const uid = num(r.get('uid'));
      const gid = num(r.get('gid'));
      const step = r.get('step') as WriteStep | undefined;
      const ok = r.get('ok') === '1';
      return {
        dir,
        ok,
        existed: r.get('existed') !== '0',
        cleanedUp: r.get('cleaned') !== '0',
        ...(uid !== undefined ? { uid } : {}),
        ...(gid !== undefined ? { gid } : {}),
        ...(r.get('nearest') ? { nearestParent: r.get('nearest')! } : {}),
        ...(!ok && step ? { failedStep: step } : {}),
        ...(!ok && code ? { code } : {}),
        ...(!ok && error ? { message: error } : {}),
        ...(!ok && ownerUid !== undefined && ownerGid !== undefined
          ? { owner: { uid: ownerUid, gid: ownerGid, mode: r.get('owner_perm') ?? '?' } }
          : {}),
      };
    },
    async resources(dirs: readonly string[]): Promise<ResourceFacts> {
      const r = await sh(RESOURCES_PROBE, ...dirs);
      const total = (num(r.get('mem_total_kb')) ?? 0) * 1024;
      const limit = num(r.get('mem_limit'));
      const hostCpus = num(r.get('cpus')) ?? 1;
      const quota = num(r.get('cpu_quota'));
      const period = num(r.get('cpu_period'));
      const cgroupCpus = quota !== undefined && period ? quota / period : undefined;
      const useLimit = limit !== undefined && limit > 0 && limit < total;
      const useQuota = cgroupCpus !== undefined && cgroupCpus < hostCpus;
      const available = num(r.get('mem_available_kb'));
      return {
        memoryBytes: useLimit ? limit : total,
        memorySource: useLimit ? 'cgroup' : 'host',
        ...(available !== undefined ? { availableMemoryBytes: available * 1024 } : {}),
        cpus: useQuota ? cgroupCpus : hostCpus,
        cpuSource: useQuota ? 'cgroup' : 'host',
        diskFree: Object.fromEntries(dirs.map((d, i) => [d, ((k) => (k === undefined ? undefined : k * 1024))(num(r.get(`disk_free_kb_${i}`)))])),
      };
    },
    async python(script: string, args: readonly string[]): Promise<PythonRun> {
      const out = await runWithPrefix(prefix, ['sh', '-c', PYTHON_LAUNCHER, 'duo-doctor', script, ...args], timeoutMs);
      const lines = parseLines(out.stdout);
      if (out.code !== 127 || lines.get('python3') !== 'absent') return { available: true, ...out };
      return { available: false, stdout: out.stdout, stderr: `python3 not found in PATH=${lines.get('path') ?? ''}`, code: out.code };
    },
    async readFile(path: string): Promise<FileRead> {
      const out = await runWithPrefix(prefix, ['cat', '--', path], timeoutMs);
      if (out.code === 0) return { ok: true, text: out.stdout };
      const message = out.stderr.trim() || `cat exited with code ${out.code}`;
      const code = errnoFromMessage(message);
      return { ok: false, ...(code ? { code } : {}), message };
    },
    async container(): Promise<ContainerFacts> {
      return parseContainer(await sh(CONTAINER_PROBE));
    },
    async listDir(path: string): Promise<DirList> {
      const out = await runWithPrefix(prefix, ['ls', '-1A', '--', path], timeoutMs);
      if (out.code === 0) return { ok: true, entries: out.stdout.split('\n').filter(Boolean).sort() };
      const message = out.stderr.trim() || `ls exited with code ${out.code}`;
      const code = errnoFromMessage(message);
      return { ok: false, ...(code ? { code } : {}), message };
    },
  };
}
