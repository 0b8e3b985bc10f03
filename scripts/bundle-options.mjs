// What every bundle of the CLI shares — dist/ (npm's tarball) and the single executable's one script: the entry point,
// everything bundled (the package installs with no dependencies), Node 20, and the .py/.sh probes imported as text.
import { rawText } from './raw-text.mjs';

/** @type {import('esbuild').BuildOptions} */
export const bundleOptions = {
  entryPoints: { cli: 'src/cli/index.ts' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  plugins: [rawText],
  logLevel: 'warning',
};
