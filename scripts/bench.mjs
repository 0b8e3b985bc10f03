// `npm run bench [-- --quick]`: builds the CLI (the benchmarks time the installed bin) and bundles bench/ with esbuild
// (TypeScript, never tsx at run time), then runs the benchmarks in a fresh Node process with the arguments given.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import process from 'node:process';
import { build } from 'esbuild';
import { rawText } from './raw-text.mjs';

const root = path.resolve(import.meta.dirname, '..');
const outdir = path.join(root, '.tmp/bench');
execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
await build({
  // The benchmarks, and the serve soak they run in a process of its own.
  entryPoints: [path.join(root, 'bench/main.ts'), path.join(root, 'bench/serve-soak.ts')],
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Dependencies load from node_modules as they are; only the project's TypeScript is compiled.
  packages: 'external',
  plugins: [rawText],
  logLevel: 'warning',
});
try {
  execFileSync(process.execPath, [path.join(outdir, 'main.mjs'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
} catch (error) {
  process.exitCode = error.status ?? 1;
}
