// hf-home-writable: the tokenizer cache the offline image relies on (HF_HUB_OFFLINE) and HF_HOME's writability — judged only where
// the gateway runs; as root and as nobody on a host that is not the gateway's nothing is created (issue 15, issue 23).
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import check, { IMAGE_HF_HOME, judge, offlineVariable, TOKENIZER_MODEL, type Facts } from '../../checks/hf-home-writable.js';
import type { HubCacheEntry, WriteAttempt } from '../../src/runtime/facts.js';
import { hubRepoFolder } from '../../src/runtime/host.js';
import { makeContext } from '../helpers/context.js';
import { runCli } from '../helpers/cli.js';
import { NOBODY, prefixSupport, useScratchDir } from '../helpers/exec-prefixes.js';

const { setpriv: setprivOk } = prefixSupport('hf-home-writable');
const scratch = useScratchDir('duo-doctor-hf-');

const ok: WriteAttempt = { dir: '/hf', ok: true, existed: true, cleanedUp: true };
const cached: HubCacheEntry = { repoDir: '/hf/hub/m', revision: 'abc123', files: ['tokenizer.json', 'tokenizer_config.json'] };
const empty: HubCacheEntry = { repoDir: '/hf/hub/m', problem: 'ENOENT' };
const at = (over: Partial<Extract<Facts, { attempt: WriteAttempt }>>): Facts => ({
  place: { kind: 'exec', prefix: 'docker exec aigw' },
  dir: '/hf',
  source: 'HF_HOME',
  attempt: ok,
  hubDir: '/hf/hub',
  cache: cached,
  ...over,
});

describe('hf-home-writable judge', () => {
  it.each([
    ['not the gateway', { place: { kind: 'elsewhere', hostname: 'laptop' }, dir: IMAGE_HF_HOME, source: 'default' } as Facts, ['notTheGateway']],
    ['offline, cache present, writable', at({ offline: 'HF_HUB_OFFLINE=true' }), ['cachePresent', 'writable']],
    ['offline, HF_HOME moved to an empty directory', at({ offline: 'HF_HUB_OFFLINE=true', cache: empty }), ['cacheMissing', 'writable']],
    ['offline, a snapshot without its tokenizer config', at({ offline: 'HF_HUB_OFFLINE=1', cache: { ...cached, files: ['config.json'] } }), ['cacheMissing', 'writable']],
    ['offline, HF_HOME missing but creatable', at({ offline: 'HF_HUB_OFFLINE=true', cache: empty, attempt: { ...ok, existed: false, nearestParent: '/' } }), ['cacheMissing', 'creatable']],
    ['online, no cache: downloads on first use', at({ cache: empty }), ['cacheWillDownload', 'writable']],
    ['cache present, not writable (OpenShift)', at({ attempt: { ...ok, ok: false, code: 'EACCES', failedStep: 'create' } }), ['cachePresent', 'permissionDenied']],
  ])('%s → %j', (_name, facts, ids) => {
    expect(judge(facts).findings.map((f) => f.id)).toEqual(ids);
  });

  it('the fix for a missing cache keeps it: copy it, or mount beside it, never an empty HF_HOME', () => {
    const { findings } = judge(at({ offline: 'HF_HUB_OFFLINE=true', cache: empty, dir: '/var/tmp/huggingface' }));
    expect(findings[0]?.id).toBe('cacheMissing');
    const fix = check.messages.cacheMissing.fix({ dir: '/var/tmp/huggingface' });
    expect(fix).toContain(`cp -a ${IMAGE_HF_HOME}/. /var/tmp/huggingface/`);
    expect(check.messages.permissionDenied.fix).toContain('never point HF_HOME at an empty directory');
  });
});

describe('offlineVariable', () => {
  it.each([
    [{ HF_HUB_OFFLINE: 'true' }, 'HF_HUB_OFFLINE=true'],
    [{ HF_HUB_OFFLINE: 'ON' }, 'HF_HUB_OFFLINE=ON'],
    [{ HF_HUB_OFFLINE: '1' }, 'HF_HUB_OFFLINE=1'],
    [{ HF_HUB_OFFLINE: 'false' }, undefined],
    [{ HF_HUB_OFFLINE: '' }, undefined],
    [{ TRANSFORMERS_OFFLINE: 'yes' }, 'TRANSFORMERS_OFFLINE=yes'],
    [{}, undefined],
  ])('%j → %s', (env, expected) => {
    expect(offlineVariable(env)).toBe(expected);
  });
});

/** An HF_HOME holding the tokenizer's cache entry as bootstrap.py leaves it (refs/main → snapshots/<rev>/tokenizer_config.json). */
async function hfHomeWithCache(name: string): Promise<string> {
  const home = await scratch.subdir(name);
  const repo = path.join(home, 'hub', hubRepoFolder(TOKENIZER_MODEL));
  await mkdir(path.join(repo, 'refs'), { recursive: true });
  await mkdir(path.join(repo, 'snapshots', 'f00dfeed'), { recursive: true });
  await writeFile(path.join(repo, 'refs', 'main'), 'f00dfeed');
  await writeFile(path.join(repo, 'snapshots', 'f00dfeed', 'tokenizer_config.json'), '{}');
  return home;
}

describe('hf-home-writable where the gateway runs', () => {
  it('passes the offline image with its cache, on the gateway\'s host', async () => {
    const home = await hfHomeWithCache('cached-here');
    const outcome = await check.run(makeContext({ env: { AIGW_GITLAB_URL: 'https://g', HF_HOME: home, HF_HUB_OFFLINE: 'true' } }));
    expect(outcome.findings).toEqual([{ id: 'cachePresent', status: 'pass' }, { id: 'writable', status: 'pass' }]);
  });

  it('fails the offline image whose HF_HOME is an empty directory, inside the container (--exec)', async () => {
    const home = await scratch.subdir('empty-inside');
    const outcome = await check.run(makeContext({ exec: `env -i PATH=/usr/bin:/bin HF_HOME=${home} HF_HUB_OFFLINE=true` }));
    expect(outcome.findings?.map((f) => f.id)).toEqual(['cacheMissing', 'writable']);
    expect(outcome.remediation).toContain(`cp -a ${IMAGE_HF_HOME}/. ${home}/`);
  });

  it('finds the cache inside the container too (--exec lists it with ls)', async () => {
    const home = await hfHomeWithCache('cached-inside');
    const outcome = await check.run(makeContext({ exec: `env -i PATH=/usr/bin:/bin HF_HOME=${home} HF_HUB_OFFLINE=true` }));
    expect(outcome.findings?.map((f) => f.id)).toEqual(['cachePresent', 'writable']);
  });

  it.skipIf(!setprivOk)('fails as the OpenShift case does: a user who cannot create the image default, which is not created', async () => {
    const r = await runCli(['check', '--only', 'hf-home-writable', '--format', 'json'], {
      wrapper: NOBODY.split(' '),
      env: { PATH: process.env.PATH, AIGW_GITLAB_URL: 'https://gitlab.example' },
    });
    expect(r.code).toBe(1);
    const result = (JSON.parse(r.stdout) as { results: Array<{ id: string; summary: string; findings: { id: string }[] }> }).results.find((x) => x.id === 'hf-home-writable')!;
    expect(result.findings.map((f) => f.id)).toEqual(['cacheWillDownload', 'cannotCreate']);
    expect(result.summary).toMatch(/HF_HOME \/home\/aigateway\/\.hf does not exist and uid 65534 gid 65534 cannot create it under \/(home)? \(EACCES\)/);
    expect(existsSync('/home/aigateway')).toBe(false);
  });
});

describe('on a host that is not the gateway\'s', () => {
  const users: [string, string[]][] = [['root', []], ...(setprivOk ? [['nobody', NOBODY.split(' ')] as [string, string[]]] : [])];
  it.each(users)('as %s, the runtime checks skip and create nothing (not /home/aigateway, not --tmp-dir, not --hf-home)', async (_user, wrapper) => {
    const before = existsSync('/home/aigateway');
    const root = await scratch.subdir(`not-the-gateway-${_user}`, 0o777);
    const r = await runCli(
      ['check', '--only', 'runtime-host,tmp-writable,hf-home-writable,resources', '--tmp-dir', `${root}/tmp/x`, '--format', 'json'],
      { wrapper, env: { PATH: process.env.PATH } },
    );
    const results = (JSON.parse(r.stdout) as { results: Array<{ id: string; status: string; findings: { id: string }[] }> }).results;
    expect(Object.fromEntries(results.map((x) => [x.id, x.findings.map((f) => f.id)]))).toEqual({
      'runtime-host': ['elsewhere'],
      'tmp-writable': ['notTheGateway'],
      'hf-home-writable': ['notTheGateway'],
      resources: ['notTheGateway'],
    });
    expect(await readdir(root)).toEqual([]);
    expect(existsSync('/home/aigateway')).toBe(before);
    const withHfHome = await runCli(['check', '--only', 'hf-home-writable', '--hf-home', `${root}/hf`, '--format', 'json'], { wrapper, env: { PATH: process.env.PATH } });
    expect(withHfHome.stdout).toContain('notTheGateway');
    expect(await readdir(root)).toEqual([]);
  });
});
