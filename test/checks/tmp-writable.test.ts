// tmp-writable: the judge's table, a real writable directory, and the host that is not the gateway's (nothing probed, nothing created).
// Read-only, full and unprivileged file systems: tmp-writable.integration.test.ts.
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/tmp-writable.js';
import type { WriteAttempt } from '../../src/runtime/facts.js';
import { makeContext } from '../helpers/context.js';
import { useScratchDir } from '../helpers/exec-prefixes.js';

const scratch = useScratchDir('duo-doctor-tmpw-');
const ok: WriteAttempt = { dir: '/tmp', ok: true, existed: true, cleanedUp: true };

describe('tmp-writable judge', () => {
  it.each([
    ['not the gateway', { place: { kind: 'elsewhere', hostname: 'laptop' }, dir: '/tmp' }, ['notTheGateway']],
    ['writable inside the container', { place: { kind: 'exec', prefix: 'docker exec aigw' }, dir: '/tmp', attempt: ok }, ['writable']],
    [
      "read-only on the gateway's host",
      { place: { kind: 'gateway-env', hostname: 'gw' }, dir: '/tmp', attempt: { ...ok, ok: false, code: 'EROFS', failedStep: 'create' } },
      ['readOnly'],
    ],
  ] as [string, Facts, string[]][])('%s → %j', (_name, facts, ids) => {
    expect(judge(facts).findings.map((f) => f.id)).toEqual(ids);
  });
});

describe('tmp-writable', () => {
  it("passes on a writable directory of the gateway's host and leaves it as it was", async () => {
    const dir = await scratch.subdir('writable');
    const outcome = await check.run(makeContext({ tmpDir: dir, env: { AIGW_GITLAB_URL: 'https://g' } }));
    expect(outcome.findings).toEqual([{ id: 'writable', status: 'pass' }]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("skips on a host that is not the gateway's, saying how to run it there, without writing", async () => {
    const dir = await scratch.subdir('untouched');
    const outcome = await check.run(makeContext({ tmpDir: `${dir}/missing`, env: {} }));
    expect(outcome.findings).toEqual([{ id: 'notTheGateway', status: 'skip' }]);
    expect(outcome.details?.join('\n')).toMatch(/--exec "docker exec <container>"[\s\S]*kubectl exec/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('tmp-writable judge: what it reports beside the finding', () => {
  it('says where it probed, first, and keeps the attempt as evidence with the place', () => {
    const out = judge({ place: { kind: 'exec', prefix: 'docker exec aigw' }, dir: '/tmp', attempt: ok });
    expect(out.details?.length).toBeGreaterThanOrEqual(2);
    expect(out.details?.[0]).toMatch(/^Probed .*docker exec aigw/);
    expect(out.evidence).toMatchObject({ ok: true, dir: '/tmp', where: expect.stringContaining('docker exec aigw') });
  });

  it('probes nothing elsewhere: no details, no evidence, and the finding names the host', () => {
    const out = judge({ place: { kind: 'elsewhere', hostname: 'laptop' }, dir: '/tmp' });
    expect(out.details).toBeUndefined();
    expect(out.evidence).toBeUndefined();
    expect(out.findings[0]?.data).toMatchObject({ hostname: 'laptop', what: expect.stringContaining('/tmp') });
  });
});
