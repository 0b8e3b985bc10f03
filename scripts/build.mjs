// Bundles the CLI with esbuild: ESM with code splitting, so each command loads only the modules it uses.
// dist/meta.json (esbuild's metafile) says which chunk holds which module: the lazy-loading test and `npm run bench` read it.
import { rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { bundleOptions } from './bundle-options.mjs';

// esbuild never deletes: without this, chunks of earlier builds (new hashes each change) pile up in dist/ and get published.
await rm('dist', { recursive: true, force: true });
const result = await build({
  ...bundleOptions,
  outdir: 'dist',
  splitting: true,
  format: 'esm',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  // Bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __duoCreateRequire } from 'node:module'; const require = __duoCreateRequire(import.meta.url);" },
});
await writeFile('dist/meta.json', JSON.stringify(result.metafile));
