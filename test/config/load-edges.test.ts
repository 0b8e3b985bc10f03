// loadRun at its edges: an empty variable, where each value came from, every output rule (FORMAT=FILE, stdout once,
// one file per output, unwritable paths named now), the token's sources, the version flags, and each target key.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/config/errors.js';
import { loadRun, loadSettings } from '../../src/config/load.js';

let dir: string;
const file = (name: string) => path.join(dir, name);
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-load-edges-'));
  await writeFile(file('token'), '  glpat-from-file  \n');
  await writeFile(file('c.yaml'), 'gitlabUrl: https://file.example.com\ntimeout: 5000\n');
  await mkdir(file('adir'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('where each value comes from', () => {
  it.each([
    ['an empty variable counts as unset', { DUO_DOCTOR_GITLAB_URL: '' }, undefined, undefined],
    ['a blank variable too', { DUO_DOCTOR_GITLAB_URL: '   ' }, undefined, undefined],
    ['a set variable', { DUO_DOCTOR_GITLAB_URL: 'https://env.example.com' }, 'https://env.example.com', 'env'],
  ])('%s', async (_name, env, url, source) => {
    const run = await loadRun({}, env);
    expect(run.settings.gitlabUrl).toBe(url);
    expect(run.sources.gitlabUrl).toBe(source);
  });

  it('names each source: flag, env, config, default; and the config file in a bad value', async () => {
    const run = await loadRun({ config: file('c.yaml'), gatewayUrl: 'http://flag.example.com:5052' }, { HF_HOME: '/hf' });
    expect([run.sources.gatewayUrl, run.sources.hfHome, run.sources.gitlabUrl, run.sources.concurrency]).toEqual([
      'flag',
      'env',
      'config',
      'default',
    ]);
    expect(run.settings.gatewayUrlSource).toBe('flag');
    expect(run.settings.hfHomeSource).toBe('env');
    await writeFile(file('bad.yaml'), 'timeout: 0\n');
    await expect(loadRun({ config: file('bad.yaml') }, {})).rejects.toThrow(`--config ${file('bad.yaml')}: timeout 0`);
  });

  it('no gateway URL: no gatewayUrlSource; no HF_HOME anywhere: hfHomeSource default', async () => {
    const { settings } = await loadRun({}, {});
    expect(settings).not.toHaveProperty('gatewayUrlSource');
    expect(settings.hfHomeSource).toBe('default');
  });

  it('passes a note of a parser on (a GitLab URL ending in /api/v4)', async () => {
    const run = await loadRun({ gitlabUrl: 'https://g.example.com/api/v4' }, {});
    expect(run.settings.gitlabUrl).toBe('https://g.example.com');
    expect(run.notes).toEqual([expect.stringMatching(/^--gitlab-url ends in \/api\/v4/)]);
  });

  it.each(['', '  '])('--config %j is refused', async (config) => {
    await expect(loadRun({ config }, {})).rejects.toThrow('--config is empty (an unset variable in a script?): give a file or leave the option out');
  });
});

describe('outputs', () => {
  it.each([
    [{}, [{ format: 'text' }]],
    [{ format: 'json', output: '-' }, [{ format: 'json' }]],
    [{ format: 'json', output: 'OUT/r.json' }, [{ format: 'json', file: 'OUT/r.json' }]],
    [{ report: ['junit=-'], output: 'OUT/t.txt' }, [{ format: 'text', file: 'OUT/t.txt' }, { format: 'junit' }]],
    [
      { report: ['tap=OUT/a.tap', 'json=OUT/a.json'] },
      [{ format: 'text' }, { format: 'tap', file: 'OUT/a.tap' }, { format: 'json', file: 'OUT/a.json' }],
    ],
  ] as [Record<string, unknown>, unknown[]][])('%j → %j', async (flags, reports) => {
    const fix = (v: unknown): unknown => JSON.parse(JSON.stringify(v).replaceAll('OUT', dir));
    const { settings } = await loadRun(fix(flags) as object, {});
    expect(settings.reports).toEqual(fix(reports));
  });

  it.each([
    [{ report: ['=x.json'] }, '--report =x.json: expected FORMAT=FILE with FORMAT one of'],
    [{ report: ['json='] }, '--report json=: expected FORMAT=FILE'],
    [{ report: ['json=-'] }, 'two outputs write to stdout (--format without --output, and --report FORMAT=-): send all but one to a file'],
    [{ output: 'OUT/x', report: ['json=OUT/x'] }, 'OUT/x is named by two outputs (--output/--report): give each format its own file'],
    [{ output: 'OUT/adir' }, 'cannot write the text report to OUT/adir: it is a directory'],
    [{ output: 'OUT/none/r.txt' }, 'cannot write the text report to OUT/none/r.txt: its directory does not exist'],
    [{ report: ['json=OUT/none/r.json'] }, 'cannot write the json report to OUT/none/r.json: its directory does not exist'],
    [{ bundle: 'OUT/none/b.tar.gz' }, 'cannot write the support bundle to OUT/none/b.tar.gz: its directory does not exist'],
    [{ record: 'OUT/token/rec' }, 'cannot write the recording to OUT/token/rec: ENOTDIR'],
  ] as [Record<string, unknown>, string][])('%j is refused', async (flags, message) => {
    const fix = (v: unknown): unknown => JSON.parse(JSON.stringify(v).replaceAll('OUT', dir));
    const err = await loadRun(fix(flags) as object, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(message.replaceAll('OUT', dir));
  });

  it('makes the recording directory, nested', async () => {
    const { settings } = await loadRun({ record: file('rec/deep') }, {});
    expect(settings.record).toBe(file('rec/deep'));
  });

  it.runIf(process.getuid?.() !== 0)('a read-only directory is "permission denied"', async () => {
    await mkdir(file('ro'));
    await chmod(file('ro'), 0o500);
    await expect(loadRun({ output: file('ro/r.txt') }, {})).rejects.toThrow(`cannot write the text report to ${file('ro/r.txt')}: permission denied`);
  });
});

describe('the token', () => {
  it.each([
    ['a token file, trimmed', () => ({ gitlabTokenFile: file('token') }), {}, 'glpat-from-file', () => `--gitlab-token-file ${file('token')}`],
    ['GITLAB_TOKEN, trimmed', () => ({}), { GITLAB_TOKEN: '  glpat-env \n' }, 'glpat-env', () => 'GITLAB_TOKEN'],
    ['GITLAB_TOKEN blank: none, but where it was looked for', () => ({}), { GITLAB_TOKEN: '   ' }, undefined, () => 'GITLAB_TOKEN'],
    [
      'the file wins over the variable',
      () => ({ gitlabTokenFile: file('token') }),
      { GITLAB_TOKEN: 'glpat-env' },
      'glpat-from-file',
      () => `--gitlab-token-file ${file('token')}`,
    ],
  ] as [string, () => object, Record<string, string>, string | undefined, () => string][])('%s', async (_name, flags, env, token, source) => {
    const { settings } = await loadRun(flags(), env);
    expect(settings.gitlabToken).toBe(token);
    expect(settings.tokenSource).toBe(source());
  });

  it('a token with a line break is refused naming its source, not its value', async () => {
    const err = (await loadRun({}, { GITLAB_TOKEN: 'glpat-a\nb' }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('the GitLab token from GITLAB_TOKEN holds a line break');
    expect(err.message).not.toContain('glpat-a');
  });
});

describe('versions and selection', () => {
  it.each([
    [{ gatewayVersion: '18.6.0' }, '18.6.0'],
    [{ gatewayImageTag: 'self-hosted-v18.6.0-ee' }, 'self-hosted-v18.6.0-ee'],
    [{ gatewayVersion: '18.6.0', gatewayImageTag: '18.6.0' }, '18.6.0'],
    [{}, undefined],
  ])('%j → gatewayVersion %s', async (flags, want) => {
    const { settings } = await loadRun(flags, {});
    expect(settings.gatewayVersion).toBe(want);
  });

  it('two disagreeing versions are refused', async () => {
    await expect(loadRun({ gatewayVersion: '18.6.0', gatewayImageTag: '18.7.0' }, {})).rejects.toThrow(
      '--gateway-version and --gateway-image-tag disagree: give one of them',
    );
  });

  it('--only and --skip may name different checks', async () => {
    const { settings } = await loadRun({ only: ['a'], skip: ['b'] }, {});
    expect([settings.only, settings.skip]).toEqual([['a'], ['b']]);
  });
});

describe('each key of a target', () => {
  it('applies them all to that target alone, and keeps the common options', async () => {
    await writeFile(
      file('t.yaml'),
      [
        'timeout: 7000',
        'targets:',
        '  - name: full',
        '    gitlabUrl: https://full.example.com/api/v4',
        '    gatewayUrl: http://aigw.example.com:5052',
        '    caFile: /certs/ca.pem',
        '    exec: docker exec aigw',
        '    tmpDir: /scratch',
        '    hfHome: /models',
        '    gatewayVersion: 18.6.0',
        `    gitlabTokenFile: ${file('token')}`,
        '  - name: bare',
        '',
      ].join('\n'),
    );
    const run = await loadRun({ config: file('t.yaml'), caFile: undefined }, { GITLAB_TOKEN: 'glpat-common' });
    const [full, bare] = run.settings.installations!;
    expect(full!.settings).toMatchObject({
      gitlabUrl: 'https://full.example.com',
      gatewayUrl: 'http://aigw.example.com:5052',
      gatewayUrlSource: 'config',
      caFile: '/certs/ca.pem',
      exec: 'docker exec aigw',
      tmpDir: '/scratch',
      hfHome: '/models',
      hfHomeSource: 'config',
      gatewayVersion: '18.6.0',
      gitlabToken: 'glpat-from-file',
      timeoutMs: 7000,
    });
    expect(run.notes).toEqual([expect.stringMatching(/^targets 'full' gitlabUrl ends in \/api\/v4/)]);
    expect(bare!.settings.gitlabToken).toBe('glpat-common');
    for (const key of ['gitlabUrl', 'gatewayUrl', 'gatewayUrlSource', 'caFile', 'exec', 'gatewayVersion', 'installations'])
      expect(bare!.settings, key).not.toHaveProperty(key);
    expect(bare!.settings.hfHomeSource).toBe('default');
  });

  it('a per-target option from the environment or the file is fine next to targets; from a flag it is not', async () => {
    await writeFile(file('t2.yaml'), 'targets:\n  - name: a\n');
    await expect(loadSettings({ config: file('t2.yaml') }, { DUO_DOCTOR_GITLAB_URL: 'https://env.example.com' })).resolves.toBeDefined();
    await expect(loadSettings({ config: file('t2.yaml'), caFile: '/x.pem' }, {})).rejects.toThrow(
      "--ca-file conflicts with 'targets' in the config file: set it per target",
    );
  });
});
