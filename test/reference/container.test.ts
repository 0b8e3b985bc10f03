// The container stand-in's name for this host: taken from /etc/hosts only when it means 127.0.0.1 and nothing else.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackHostName } from '../../src/reference/container.js';

const me = os.hostname();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'duo-container-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loopbackHostName', () => {
  it.each([
    ['mapped to 127.0.0.1', `127.0.0.1 localhost\n127.0.0.1 ${me}\n`, me],
    ['among other names, after a comment', `# hosts\n127.0.0.1\tlocalhost ${me} other # this machine\n`, me],
    ["Debian's 127.0.1.1 (nothing listens there)", `127.0.0.1 localhost\n127.0.1.1 ${me}\n`, undefined],
    ['also on another address', `127.0.0.1 ${me}\n10.0.0.5 ${me}\n`, undefined],
    ['only in a comment', `127.0.0.1 localhost # ${me}\n`, undefined],
    ['absent', '127.0.0.1 localhost\n', undefined],
    ['an empty file', '', undefined],
  ])('%s', async (_name, text, expected) => {
    const file = path.join(dir, 'hosts');
    await writeFile(file, text);
    expect(await loopbackHostName(file)).toBe(expected);
  });

  it('a missing file gives none', async () => {
    expect(await loopbackHostName(path.join(dir, 'absent'))).toBeUndefined();
  });
});
