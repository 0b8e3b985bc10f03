// The support bundle's archive opens with the real tar, byte for byte: empty files, block-sized files, one byte past, nested names.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tarGz } from '../../src/record/tar.js';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('tarGz', () => {
  it('extracts with GNU tar to the same bytes', () => {
    dir = mkdtempSync(join(tmpdir(), 'duo-tar-'));
    const files = [
      { name: 'empty.txt', content: '' },
      { name: 'one-block.bin', content: Buffer.alloc(512, 7) },
      { name: 'one-past.bin', content: Buffer.alloc(513, 9) },
      { name: 'recording/tls/gitlab-tls.pem', content: 'ü-utf8\n' },
    ];
    writeFileSync(join(dir, 'a.tar.gz'), tarGz(files, 1_700_000_000));
    const listing = execFileSync('tar', ['-tvzf', 'a.tar.gz'], { cwd: dir, encoding: 'utf8' });
    expect(listing).toContain('2023-11-14');
    execFileSync('tar', ['-xzf', 'a.tar.gz'], { cwd: dir });
    for (const f of files) expect(readFileSync(join(dir, f.name))).toEqual(Buffer.from(f.content));
  });

  it('refuses a name ustar cannot hold', () => {
    expect(() => tarGz([{ name: 'x'.repeat(101), content: '' }])).toThrow(/too long/);
  });
});
