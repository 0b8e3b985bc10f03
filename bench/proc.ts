// Runs a child process and measures it from the outside: wall time from spawn to exit, its output, and (on request) its peak RSS.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';

/** The repository root (bench/ is bundled into .tmp/bench/, two levels down). */
export const ROOT = path.resolve(import.meta.dirname, '../..');
/** The installed command, as a user runs it. */
export const BIN = path.join(ROOT, 'bin/duo-doctor.js');

/** One finished child. */
export interface ChildRun {
  code: number | null;
  wallMs: number;
  stdout: string;
  stderr: string;
  /** Peak resident set size in MB (10^6 bytes), when asked for. */
  maxRssMB?: number;
}

const RSS_MARK = 'duo-doctor-bench-maxrss=';
/**
 * Preloaded with --import when the peak RSS is wanted: prints the process's own ru_maxrss (KiB) on stderr at exit.
 * A data: URL, so nothing is written to disk and the child loads one tiny module more.
 */
const RSS_REPORTER = `data:text/javascript,${encodeURIComponent(
  `import { writeSync } from 'node:fs'; process.on('exit', () => writeSync(2, '\\n${RSS_MARK}' + process.resourceUsage().maxRSS + '\\n'));`,
)}`;

/**
 * The interpreter `python3` runs here, when PATH finds it through a launcher that is not Python itself (a pyenv shim: a
 * bash script that runs ~40 processes, ~80 ms, per call). The gateway's host runs Python directly; the children's PATH
 * puts this interpreter's directory first, so the figures time duo-doctor, not this machine's launcher.
 */
export const PYTHON = resolvePython();

function resolvePython(): { executable: string; shim?: string } | undefined {
  try {
    const executable = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    const found = execFileSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).trim();
    return found && path.dirname(found) !== path.dirname(executable) ? { executable, shim: found } : { executable };
  } catch {
    return undefined;
  }
}

const CHILD_PATH = [...(PYTHON?.shim ? [path.dirname(PYTHON.executable)] : []), process.env.PATH ?? '/usr/bin:/bin'].join(path.delimiter);

/** Runs `node <args>` (the same Node as the bench) with `env` only (plus PATH and HOME), and times it. */
export function runNode(args: readonly string[], opts: { env?: Record<string, string>; rss?: boolean } = {}): Promise<ChildRun> {
  const argv = opts.rss ? ['--import', RSS_REPORTER, ...args] : [...args];
  const env = { PATH: CHILD_PATH, HOME: process.env.HOME ?? '/root', ...opts.env };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', reject);
    child.once('close', (code) => {
      const wallMs = performance.now() - started;
      let stderr = Buffer.concat(err).toString('utf8');
      let maxRssMB: number | undefined;
      const mark = stderr.lastIndexOf(`\n${RSS_MARK}`);
      if (mark >= 0) {
        maxRssMB = (Number(stderr.slice(mark + RSS_MARK.length + 1).trim()) * 1024) / 1e6;
        stderr = stderr.slice(0, mark);
      }
      resolve({ code, wallMs, stdout: Buffer.concat(out).toString('utf8'), stderr, ...(maxRssMB !== undefined ? { maxRssMB } : {}) });
    });
  });
}

/** Runs `bin/duo-doctor.js <args>`. */
export function runCli(args: readonly string[], opts: { env?: Record<string, string>; rss?: boolean } = {}): Promise<ChildRun> {
  return runNode([BIN, ...args], opts);
}
