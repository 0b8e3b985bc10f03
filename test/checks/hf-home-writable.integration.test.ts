// hf-home-writable through --exec (the sh probe and ls inside) and as other users: the cache found or missing inside the container,
// the OpenShift permission failure, and — as root and as nobody on a host that is not the gateway's — nothing created (issue 15).
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import check, { IMAGE_HF_HOME } from '../../checks/hf-home-writable.js';
import { makeContext } from '../helpers/context.js';
import { runCli } from '../helpers/cli.js';
import { NOBODY, prefixSupport, useScratchDir } from '../helpers/exec-prefixes.js';
import { hfHomeWithCache } from './hf-cache-fixture.js';

const { setpriv: setprivOk } = prefixSupport();
const scratch = useScratchDir('duo-doctor-hf-it-');

describe('hf-home-writable inside the container (--exec)', () => {
  it('fails the offline image whose HF_HOME is an empty directory, inside the container (--exec)', async () => {
    const home = await scratch.subdir('empty-inside');
    const outcome = await check.run(makeContext({ exec: `env -i PATH=/usr/bin:/bin HF_HOME=${home} HF_HUB_OFFLINE=true` }));
    expect(outcome.findings?.map((f) => f.id)).toEqual(['cacheMissing', 'writable']);
    expect(outcome.remediation).toContain(`cp -a ${IMAGE_HF_HOME}/. ${home}/`);
  });

  it('finds the cache inside the container too (--exec lists it with ls)', async () => {
    const home = await hfHomeWithCache(scratch, 'cached-inside');
    const outcome = await check.run(makeContext({ exec: `env -i PATH=/usr/bin:/bin HF_HOME=${home} HF_HUB_OFFLINE=true` }));
    expect(outcome.findings?.map((f) => f.id)).toEqual(['cachePresent', 'writable']);
  });

  it.skipIf(!setprivOk)('passes the offline image on OpenShift: HF_HOME read-only for its user, the cache in place (issue 23)', async () => {
    const home = await hfHomeWithCache(scratch, 'cached-read-only');
    const outcome = await check.run(makeContext({ exec: `${NOBODY} env -i PATH=/usr/bin:/bin HF_HOME=${home} HF_HUB_OFFLINE=true` }));
    expect(outcome.findings).toEqual([
      { id: 'cachePresent', status: 'pass' },
      { id: 'readOnlySuffices', status: 'pass' },
    ]);
    expect(await readdir(home)).toEqual(['hub']);
  });

  it.skipIf(!setprivOk)('fails as the OpenShift case does: a user who cannot create the image default, which is not created', async () => {
    const r = await runCli(['check', '--only', 'hf-home-writable', '--format', 'json'], {
      wrapper: NOBODY.split(' '),
      env: { PATH: process.env.PATH, AIGW_GITLAB_URL: 'https://gitlab.example' },
    });
    expect(r.code).toBe(1);
    const result = (JSON.parse(r.stdout) as { results: Array<{ id: string; summary: string; findings: { id: string }[] }> }).results.find(
      (x) => x.id === 'hf-home-writable',
    )!;
    expect(result.findings.map((f) => f.id)).toEqual(['cacheWillDownload', 'cannotCreate']);
    expect(result.summary).toMatch(
      /HF_HOME \/home\/aigateway\/\.hf does not exist and uid 65534 gid 65534 cannot create it under \/(home)? \(EACCES\)/,
    );
    expect(existsSync('/home/aigateway')).toBe(false);
  });
});

describe("on a host that is not the gateway's", () => {
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
    const withHfHome = await runCli(['check', '--only', 'hf-home-writable', '--hf-home', `${root}/hf`, '--format', 'json'], {
      wrapper,
      env: { PATH: process.env.PATH },
    });
    expect(withHfHome.stdout).toContain('notTheGateway');
    expect(await readdir(root)).toEqual([]);
  });
});
