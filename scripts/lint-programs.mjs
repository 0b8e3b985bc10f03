// `npm run lint` for the programs that are not TypeScript: every .py must compile (python3 -m py_compile) and every .sh
// must pass shellcheck. Both tools are required: a missing one is a failure naming the package, never a silent pass.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const root = path.resolve(import.meta.dirname, '..');
const SKIP = new Set(['node_modules', 'dist', 'coverage', '.git', '.tmp', '.stryker-tmp', 'reports', 'release']);

/** Every file under `dir` (relative to the root) whose name ends in one of `exts`. */
function filesUnder(dir, exts) {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return SKIP.has(e.name) ? [] : filesUnder(rel, exts);
    return exts.some((x) => e.name.endsWith(x)) ? [rel] : [];
  });
}

/** Runs `cmd args`; says which tool is missing and how to install it, or returns whether it passed. */
function run(cmd, args, pkg, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.error?.code === 'ENOENT') {
    console.error(
      `lint: ${cmd} is not installed; install it (Debian: apt-get install ${pkg}) to lint ${args.filter((a) => !a.startsWith('-')).join(' ')}`,
    );
    return false;
  }
  return r.status === 0;
}

const python = filesUnder('.', ['.py']);
const shell = filesUnder('.', ['.sh']);
let ok = true;
// The bytecode goes under .tmp/, not into __pycache__ beside the sources.
if (python.length)
  ok = run('python3', ['-m', 'py_compile', ...python], 'python3', { ...process.env, PYTHONPYCACHEPREFIX: path.join(root, '.tmp/pycache') }) && ok;
if (shell.length) ok = run('shellcheck', ['--shell=sh', ...shell], 'shellcheck') && ok;
if (!ok) process.exitCode = 1;
else console.log(`lint: ${python.length} Python and ${shell.length} sh programs pass py_compile and shellcheck`);
