// `npm run build:sea [-- --out FILE] [-- --node NODE_BINARY]`: builds duo-doctor as one executable for hosts without
// Node (Node's single-executable-application support). The CLI is bundled into one CommonJS script (SEA runs exactly
// one script, CommonJS only, and loads nothing else from disk), turned into a blob by the base Node binary itself
// (the blob's format and code cache are tied to that exact Node), and injected into a copy of that binary with postject.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import postject from 'postject';
import { bundleOptions } from './bundle-options.mjs';

// The fuse Node's own binaries carry for SEA (it flips when a blob is injected): see Node's doc/api/single-executable-applications.md.
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: `release/duo-doctor-${process.platform}-${process.arch}` },
    node: { type: 'string', default: process.execPath },
  },
});
const out = path.resolve(values.out);
const base = path.resolve(values.node);

if (process.platform !== 'linux') {
  // macOS and Windows need the copied binary's signature removed and re-added around the injection; not done here.
  throw new Error(`build:sea builds Linux executables only (this is ${process.platform})`);
}
if (!readFileSync(base).includes(SEA_FUSE)) {
  throw new Error(
    `${base} was built without single-executable support (no ${SEA_FUSE}); distribution builds linked to a shared libnode lack it.\n` +
      'Use an official Node binary, e.g. the npm package\'s: --node "$(npx -p node@24 node -p process.execPath)"',
  );
}

const work = mkdtempSync(path.join(os.tmpdir(), 'duo-doctor-sea-'));
try {
  const script = path.join(work, 'duo-doctor.cjs');
  await build({ ...bundleOptions, outfile: script, format: 'cjs' });
  const blob = path.join(work, 'duo-doctor.blob');
  const config = path.join(work, 'sea-config.json');
  // No useCodeCache: a script compiled from the code cache has no dynamic-import callback, and `--plugin` (a real
  // import() of the user's file) then fails with "A dynamic import callback was not specified" (measured on Node 20.20).
  writeFileSync(config, JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true }));
  execFileSync(base, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });

  mkdirSync(path.dirname(out), { recursive: true });
  rmSync(out, { force: true });
  copyFileSync(base, out);
  chmodSync(out, 0o755);
  await postject.inject(out, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE });
  process.stdout.write(
    `${out} (${(statSync(out).size / 2 ** 20).toFixed(1)} MiB, Node ${execFileSync(base, ['--version'], { encoding: 'utf8' }).trim()})\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
