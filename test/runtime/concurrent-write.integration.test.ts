// Two runs at once on one host: every write probe uses its own names (pid + random, exclusive create), never creates the
// directory it judges, and removes exactly what it made — so concurrent probes neither fail each other nor leave anything behind.
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { execHost } from '../../src/runtime/exec-host.js';
import { localWriteAttempt } from '../../src/runtime/local-host.js';
import { runCli } from '../helpers/cli.js';
import { useScratchDir } from '../helpers/exec-prefixes.js';

const scratch = useScratchDir('duo-doctor-concurrent-');
const N = 40;

describe('concurrent write probes', () => {
  it.each([
    ['an existing directory', 'existing', true],
    ['a missing directory', 'missing', false],
  ])("node probes on %s: all pass, none touches another's entry, nothing is left", async (_name, sub, exists) => {
    const base = await scratch.subdir(`node-${sub}`);
    const target = exists ? base : path.join(base, 'not/there');
    await writeFile(path.join(base, 'someone-elses-file'), 'keep');
    const attempts = await Promise.all(Array.from({ length: N }, () => localWriteAttempt(target)));
    expect(attempts.map((a) => [a.ok, a.cleanedUp])).toEqual(Array.from({ length: N }, () => [true, true]));
    expect(await readdir(base)).toEqual(['someone-elses-file']);
  });

  it('sh probes (--exec) on a missing directory: all pass and nothing is left', async () => {
    const base = await scratch.subdir('sh-missing');
    const host = await execHost('env -i PATH=/usr/bin:/bin', 20_000);
    const attempts = await Promise.all(Array.from({ length: N }, () => host.writeAttempt(path.join(base, 'not/there'))));
    expect(attempts.map((a) => [a.ok, a.existed, a.cleanedUp])).toEqual(Array.from({ length: N }, () => [true, false, true]));
    expect(await readdir(base)).toEqual([]);
  });

  it('two CLI runs at once, same --tmp-dir and --hf-home: both pass and leave the directories as they were', async () => {
    const tmp = await scratch.subdir('cli-tmp');
    const parent = await scratch.subdir('cli-hf');
    const args = ['check', '--only', 'tmp-writable,hf-home-writable', '--tmp-dir', tmp, '--hf-home', path.join(parent, '.hf'), '--format', 'json'];
    const env = { PATH: process.env.PATH, AIGW_GITLAB_URL: 'https://gitlab.example' };
    const runs = await Promise.all([runCli(args, { env }), runCli(args, { env })]);
    for (const run of runs) {
      const results = (JSON.parse(run.stdout) as { results: { id: string; status: string }[] }).results;
      expect(results.filter((r) => r.id !== 'runtime-host').map((r) => [r.id, r.status])).toEqual([
        ['tmp-writable', 'pass'],
        ['hf-home-writable', 'pass'],
      ]);
    }
    expect(await readdir(tmp)).toEqual([]);
    expect(await readdir(parent)).toEqual([]);
  });
});
