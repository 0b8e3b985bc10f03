// Bundles the CLI with esbuild: ESM with code splitting, so each command loads only the modules it uses.
// dist/meta.json (esbuild's metafile) says which chunk holds which module: the lazy-loading test and `npm run bench` read it.
import { rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { rawText } from './raw-text.mjs';

// esbuild never deletes: without this, chunks of earlier builds (new hashes each change) pile up in dist/ and get published.
await rm('dist', { recursive: true, force: true });
const result = await build({
  entryPoints: { cli: 'src/cli/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  // Bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __duoCreateRequire } from 'node:module'; const require = __duoCreateRequire(import.meta.url);" },
  plugins: [rawText],
  logLevel: 'warning',
});
await writeFile('dist/meta.json', JSON.stringify(result.metafile));
