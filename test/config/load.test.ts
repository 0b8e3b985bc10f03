// Settings resolution: flags > env > config file > defaults; every bad value is a UsageError naming it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/config/errors.js';
import { loadSettings } from '../../src/config/load.js';

let dir: string;
const file = (name: string) => path.join(dir, name);
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-config-'));
  await writeFile(
    file('good.yaml'),
    'gitlabUrl: https://from-file.example.com\ngatewayUrl: http://aigw-file.example.com:5052\ntimeout: 5000\nonly: [tmp-writable]\nstrict: true\n',
  );
  await writeFile(file('good.json'), JSON.stringify({ gitlabUrl: 'https://json.example.com', concurrency: 3 }));
  await writeFile(file('typo.yaml'), 'gitlabUlr: https://x.example.com\n');
  await writeFile(file('wrongtype.yaml'), 'timeout: soon\n');
  await writeFile(file('broken.yaml'), 'a: [1, 2\n');
  await writeFile(file('list.yaml'), '- a\n- b\n');
  await writeFile(file('token'), 'glpat-secret-token\n');
  await writeFile(file('empty-token'), '\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadSettings', () => {
  it('applies defaults', async () => {
    const s = await loadSettings({}, {});
    expect(s).toMatchObject({ tmpDir: '/tmp', hfHome: '/home/aigateway/.hf', timeoutMs: 10_000, strict: false, reports: [{ format: 'text' }] });
    expect(s.concurrency).toBe(Infinity);
  });

  it('orders flags > env > config file', async () => {
    const fromFile = await loadSettings({ config: file('good.yaml') }, {});
    expect(fromFile).toMatchObject({
      gitlabUrl: 'https://from-file.example.com',
      gatewayUrlSource: 'config',
      timeoutMs: 5000,
      only: ['tmp-writable'],
      strict: true,
    });
    const fromEnv = await loadSettings(
      { config: file('good.yaml') },
      { AI_GATEWAY_URL: 'http://env.example.com:5052', DUO_DOCTOR_GITLAB_URL: 'https://env.example.com' },
    );
    expect(fromEnv).toMatchObject({ gatewayUrl: 'http://env.example.com:5052', gatewayUrlSource: 'env', gitlabUrl: 'https://env.example.com' });
    const fromFlag = await loadSettings(
      { config: file('good.yaml'), gatewayUrl: 'http://flag.example.com:5052', timeout: '100' },
      { AI_GATEWAY_URL: 'http://env.example.com:5052' },
    );
    expect(fromFlag).toMatchObject({ gatewayUrl: 'http://flag.example.com:5052', gatewayUrlSource: 'flag', timeoutMs: 100 });
  });

  it('reads JSON config files', async () => {
    expect(await loadSettings({ config: file('good.json') }, {})).toMatchObject({ gitlabUrl: 'https://json.example.com', concurrency: 3 });
  });

  it('takes the token from GITLAB_TOKEN or --gitlab-token-file only', async () => {
    expect((await loadSettings({}, { GITLAB_TOKEN: 'glpat-env' })).gitlabToken).toBe('glpat-env');
    expect((await loadSettings({ gitlabTokenFile: file('token') }, { GITLAB_TOKEN: 'glpat-env' })).gitlabToken).toBe('glpat-secret-token');
  });

  it('takes HF_HOME from the flag, then the environment', async () => {
    expect(await loadSettings({}, { HF_HOME: '/var/tmp/hf' })).toMatchObject({ hfHome: '/var/tmp/hf', hfHomeSource: 'env' });
    expect(await loadSettings({ hfHome: '/x' }, { HF_HOME: '/var/tmp/hf' })).toMatchObject({ hfHome: '/x', hfHomeSource: 'flag' });
  });

  it('parses --only/--skip lists and --report targets', async () => {
    const s = await loadSettings({ only: ['a,b', 'c'], report: ['junit=out.xml', 'json=out.json'], format: 'table' }, {});
    expect(s.only).toEqual(['a', 'b', 'c']);
    expect(s.reports).toEqual([{ format: 'table' }, { format: 'junit', file: 'out.xml' }, { format: 'json', file: 'out.json' }]);
  });

  it.each([
    [{ gitlabUrl: 'notaurl' }, '--gitlab-url notaurl: not a URL'],
    [{ gitlabUrl: 'ftp://gitlab.example.com' }, 'must be an http:// or https:// URL'],
    [{ gatewayUrl: '::' }, '--gateway-url ::: not a URL'],
    [{ timeout: '0' }, '--timeout 0: at least 1 ms'],
    [{ timeout: 'abc' }, '--timeout abc'],
    [{ concurrency: '-1' }, '--concurrency -1'],
    [{ format: 'xml' }, '--format xml: expected one of text, table, json, junit, markdown, tap, prometheus'],
    [{ report: ['junit'] }, '--report junit: expected FORMAT=FILE'],
    [{ report: ['yaml=x.yaml'] }, '--report yaml=x.yaml'],
    [{ output: 'same.xml', report: ['junit=same.xml'] }, 'same.xml is named by two outputs'],
    [{ only: ['a'], skip: ['a'] }, '--only and --skip both name a'],
    [{ gatewayVersion: '18.6.0', gatewayImageTag: 'self-hosted-v18.5.0-ee' }, 'disagree'],
    [{ config: '/nonexistent/duo.yaml' }, '--config /nonexistent/duo.yaml: no such file'],
    [{ config: '/tmp' }, 'is a directory'],
    [{ gitlabTokenFile: '/nonexistent/token' }, '--gitlab-token-file /nonexistent/token: no such file'],
  ] as const)('rejects %o', async (flags, message) => {
    await expect(loadSettings(flags, {})).rejects.toThrow(UsageError);
    await expect(loadSettings(flags, {})).rejects.toThrow(message);
  });

  it.each([
    ['typo.yaml', "unknown key 'gitlabUlr' (did you mean 'gitlabUrl'?)"],
    ['wrongtype.yaml', "'timeout' must be a number"],
    ['broken.yaml', 'not valid YAML'],
    ['list.yaml', 'expected a mapping'],
    ['empty-token', null],
  ] as const)('rejects the config file %s by name', async (name, message) => {
    const flags = name === 'empty-token' ? { gitlabTokenFile: file(name) } : { config: file(name) };
    await expect(loadSettings(flags, {})).rejects.toThrow(message ?? 'the file is empty');
  });
});

describe('loadSettings with targets', () => {
  it('builds one settings object per installation, each with its own URL, trust and token', async () => {
    await writeFile(
      file('targets.yaml'),
      [
        'timeout: 4000',
        'targets:',
        '  - name: prod',
        '    gitlabUrl: https://gitlab.example.com',
        '    gatewayUrl: http://aigw.example.com:5052',
        '  - name: eu',
        '    gitlabUrl: https://gitlab-eu.example.com',
        '    tokenEnv: GITLAB_TOKEN_EU',
        '    caFile: /etc/ssl/eu.pem',
      ].join('\n'),
    );
    const s = await loadSettings({ config: file('targets.yaml') }, { GITLAB_TOKEN: 'glpat-prod', GITLAB_TOKEN_EU: 'glpat-eu' });
    expect(s.installations?.map((i) => [i.name, i.settings.gitlabUrl, i.settings.gitlabToken, i.settings.caFile, i.settings.timeoutMs])).toEqual([
      ['prod', 'https://gitlab.example.com', 'glpat-prod', undefined, 4000],
      ['eu', 'https://gitlab-eu.example.com', 'glpat-eu', '/etc/ssl/eu.pem', 4000],
    ]);
    expect(s.installations?.[0]?.settings.gatewayUrlSource).toBe('config');
  });

  it.each([
    ['targets: []', "'targets' must be a non-empty list"],
    ['targets:\n  - gitlabUrl: https://x.example.com', "targets[0]: 'name' is required"],
    ['targets:\n  - name: a\n  - name: a', "the name 'a' is used twice"],
    ['targets:\n  - name: a\n    gitlab_url: https://x.example.com', "targets[0]: unknown key 'gitlab_url'"],
    ['targets:\n  - name: a\n    gitlabUrl: nope', "targets 'a' gitlabUrl nope: not a URL"],
  ])('rejects %j', async (yaml, message) => {
    await writeFile(file('bad-targets.yaml'), yaml);
    await expect(loadSettings({ config: file('bad-targets.yaml') }, {})).rejects.toThrow(message);
  });

  it('rejects per-target flags next to targets', async () => {
    await writeFile(file('t.yaml'), 'targets:\n  - name: a\n    gitlabUrl: https://a.example.com\n');
    await expect(loadSettings({ config: file('t.yaml'), gitlabUrl: 'https://b.example.com' }, {})).rejects.toThrow(
      "--gitlab-url conflicts with 'targets' in the config file",
    );
  });

  it("names a target's tokenEnv: where its token is looked for, and which variable holds a token no header can carry", async () => {
    await writeFile(file('eu.yaml'), 'targets:\n  - name: eu\n    gitlabUrl: https://eu.example.com\n    tokenEnv: GITLAB_TOKEN_EU\n');
    const s = await loadSettings({ config: file('eu.yaml') }, { GITLAB_TOKEN: 'glpat-default' });
    expect(s.installations?.[0]?.settings).toMatchObject({ tokenSource: 'GITLAB_TOKEN_EU' });
    expect(s.installations?.[0]?.settings.gitlabToken).toBeUndefined();
    await expect(loadSettings({ config: file('eu.yaml') }, { GITLAB_TOKEN_EU: 'glpat-a\nb' })).rejects.toThrow(
      /token from GITLAB_TOKEN_EU holds a line break/,
    );
  });

  it('rejects an empty value in a target', async () => {
    await writeFile(file('empty-target.yaml'), "targets:\n  - name: a\n    gitlabUrl: ''\n");
    await expect(loadSettings({ config: file('empty-target.yaml') }, {})).rejects.toThrow("targets 'a' gitlabUrl is empty");
  });
});
