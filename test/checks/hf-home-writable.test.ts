// hf-home-writable: the tokenizer cache the offline image relies on (HF_HUB_OFFLINE) and HF_HOME's writability, judged only where the
// gateway runs (issue 23). Through --exec and as other users, with nothing created off the gateway: hf-home-writable.integration.test.ts.
import { describe, expect, it } from 'vitest';
import check, { IMAGE_HF_HOME, judge, offlineVariable, type Facts } from '../../checks/hf-home-writable.js';
import type { HubCacheEntry, WriteAttempt } from '../../src/runtime/facts.js';
import { makeContext } from '../helpers/context.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
import { useScratchDir } from '../helpers/exec-prefixes.js';
import { hfHomeWithCache } from './hf-cache-fixture.js';

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
    [
      'offline, a snapshot without its tokenizer config',
      at({ offline: 'HF_HUB_OFFLINE=1', cache: { ...cached, files: ['config.json'] } }),
      ['cacheMissing', 'writable'],
    ],
    [
      'offline, HF_HOME missing but creatable',
      at({ offline: 'HF_HUB_OFFLINE=true', cache: empty, attempt: { ...ok, existed: false, nearestParent: '/' } }),
      ['cacheMissing', 'creatable'],
    ],
    ['online, no cache: downloads on first use', at({ cache: empty }), ['cacheWillDownload', 'writable']],
    [
      'online, cache present, not writable (OpenShift)',
      at({ attempt: { ...ok, ok: false, code: 'EACCES', failedStep: 'create' } }),
      ['cachePresent', 'permissionDenied'],
    ],
    [
      'offline, cache present, not writable: read-only suffices',
      at({ offline: 'HF_HUB_OFFLINE=true', attempt: { ...ok, ok: false, code: 'EACCES', failedStep: 'create' } }),
      ['cachePresent', 'readOnlySuffices'],
    ],
    [
      'offline, cache present, read-only file system',
      at({ offline: 'HF_HUB_OFFLINE=true', attempt: { ...ok, ok: false, code: 'EROFS', failedStep: 'create' } }),
      ['cachePresent', 'readOnlySuffices'],
    ],
    [
      'offline, cache missing, not writable',
      at({ offline: 'HF_HUB_OFFLINE=true', cache: empty, attempt: { ...ok, ok: false, code: 'EACCES', failedStep: 'create' } }),
      ['cacheMissing', 'permissionDenied'],
    ],
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

describe('hf-home-writable renderings (every message, pinned in __renderings__/hf-home-writable.txt)', () => {
  const OFFLINE = 'HF_HUB_OFFLINE=true';
  const denied: WriteAttempt = {
    dir: '/hf',
    ok: false,
    existed: true,
    cleanedUp: true,
    failedStep: 'create',
    code: 'EACCES',
    message: "EACCES: permission denied, open '/hf/.duo-doctor-1'",
    uid: 1000680000,
    gid: 0,
    owner: { uid: 1001, gid: 1001, mode: '755' },
  };
  const fails = (code: string, extra: Partial<WriteAttempt> = {}) => at({ attempt: { ...ok, ok: false, failedStep: 'write', code, ...extra } });
  const cases: RenderCase<Facts>[] = [
    { name: 'not the gateway', facts: { place: { kind: 'elsewhere', hostname: 'laptop' }, dir: IMAGE_HF_HOME, source: 'default' } },
    { name: 'offline, cached, writable, in a container', facts: at({ offline: OFFLINE }) },
    {
      name: "on the gateway's host, cached, a long revision",
      facts: at({ place: { kind: 'gateway-env', hostname: 'aigw-1' }, cache: { ...cached, revision: '0123456789abcdef0123' } }),
    },
    { name: 'a revision without files', facts: at({ cache: { repoDir: '/hf/hub/m', revision: 'abc' } }) },
    {
      name: 'offline, the tokenizer config without a revision',
      facts: at({ offline: OFFLINE, cache: { repoDir: '/hf/hub/m', files: ['tokenizer_config.json'] } }),
    },
    { name: 'online, nothing cached, the cache said why', facts: at({ cache: empty }) },
    { name: 'online, nothing cached, silently', facts: at({ cache: { repoDir: '/hf/hub/m' } }) },
    { name: 'offline, cache missing', facts: at({ offline: OFFLINE, cache: empty, source: '--hf-home' }) },
    { name: 'offline, cached, permission denied: read-only suffices', facts: at({ offline: OFFLINE, attempt: denied }) },
    {
      name: 'offline, cached, read-only and left behind, no code',
      facts: at({ offline: 'TRANSFORMERS_OFFLINE=1', attempt: { ...ok, ok: false, failedStep: 'delete', cleanedUp: false } }),
    },
    { name: 'online, cached, permission denied', facts: at({ attempt: denied }) },
    {
      name: 'missing, creatable',
      facts: at({ cache: empty, attempt: { dir: '/hf', ok: true, existed: false, nearestParent: '/home', cleanedUp: true } }),
    },
    { name: 'missing, parent unknown', facts: at({ cache: empty, attempt: { dir: '/hf', ok: true, existed: false, cleanedUp: true } }) },
    {
      name: 'missing, cannot be created',
      facts: at({
        cache: empty,
        attempt: { dir: '/hf', ok: false, existed: false, nearestParent: '/home', failedStep: 'mkdir', code: 'EACCES', uid: 1000, cleanedUp: true },
      }),
    },
    { name: 'read-only file system', facts: fails('EROFS') },
    { name: 'EPERM', facts: fails('EPERM') },
    { name: 'no space', facts: fails('ENOSPC') },
    { name: 'over quota', facts: fails('EDQUOT') },
    { name: 'not a directory', facts: fails('ENOTDIR', { failedStep: 'stat' }) },
    { name: 'another error, no step', facts: at({ attempt: { ...ok, ok: false, code: 'EIO' } }) },
    { name: 'writable but left behind', facts: at({ attempt: { ...ok, cleanedUp: false } }) },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
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

describe('hf-home-writable where the gateway runs', () => {
  it("passes the offline image with its cache, on the gateway's host", async () => {
    const home = await hfHomeWithCache(scratch, 'cached-here');
    const outcome = await check.run(makeContext({ env: { AIGW_GITLAB_URL: 'https://g', HF_HOME: home, HF_HUB_OFFLINE: 'true' } }));
    expect(outcome.findings).toEqual([
      { id: 'cachePresent', status: 'pass' },
      { id: 'writable', status: 'pass' },
    ]);
  });
});
