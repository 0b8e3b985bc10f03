// esbuild plugin: `import text from './file.py?raw'` (or .sh) gives the file's text, as Vite (and so vitest) does natively.
// The Python and sh probes live as .py/.sh files (linted as what they are) and reach the bundles through this.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** @type {import('esbuild').Plugin} */
export const rawText = {
  name: 'raw-text',
  setup(build) {
    build.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: path.resolve(args.resolveDir, args.path.slice(0, -'?raw'.length)),
      suffix: '?raw',
    }));
    build.onLoad({ filter: /\.(py|sh)$/ }, async (args) => {
      if (args.suffix !== '?raw') return undefined;
      return { contents: await readFile(args.path, 'utf8'), loader: 'text' };
    });
  },
};
