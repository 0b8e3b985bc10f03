// An HF_HOME holding the gateway's tokenizer cache entry, as the image's scripts/bootstrap.py leaves it.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TOKENIZER_MODEL } from '../../checks/hf-home-writable.js';
import { hubRepoFolder } from '../../src/runtime/host.js';
import type { ScratchDir } from '../helpers/exec-prefixes.js';

/** An HF_HOME holding the tokenizer's cache entry as bootstrap.py leaves it (refs/main → snapshots/<rev>/tokenizer_config.json). */
export async function hfHomeWithCache(scratch: ScratchDir, name: string): Promise<string> {
  const home = await scratch.subdir(name);
  const repo = path.join(home, 'hub', hubRepoFolder(TOKENIZER_MODEL));
  await mkdir(path.join(repo, 'refs'), { recursive: true });
  await mkdir(path.join(repo, 'snapshots', 'f00dfeed'), { recursive: true });
  await writeFile(path.join(repo, 'refs', 'main'), 'f00dfeed');
  await writeFile(path.join(repo, 'snapshots', 'f00dfeed', 'tokenizer_config.json'), '{}');
  return home;
}
