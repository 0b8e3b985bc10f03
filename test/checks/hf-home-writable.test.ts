// hf-home-writable: where HF_HOME comes from, and a real permission failure as an unprivileged user.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import check from '../../checks/hf-home-writable.js';
import { makeContext } from '../helpers/context.js';
import { canDropPrivileges, runCli } from '../helpers/cli.js';

const setprivOk = canDropPrivileges();
if (!setprivOk) console.warn('hf-home-writable: skipping the unprivileged-user test: setpriv to nobody needs root');

describe('hf-home-writable', () => {
  it("uses the gateway's HF_HOME when no flag is given, and passes when writable", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-hf-'));
    try {
      const outcome = await check.run(makeContext({ env: { HF_HOME: dir } }));
      expect(outcome.status).toBe('pass');
      expect(outcome.details?.[0]).toBe('HF_HOME from HF_HOME.');
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('--hf-home wins over the environment', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-hf-'));
    try {
      const outcome = await check.run(makeContext({ hfHome: dir, hfHomeSource: 'flag', env: { HF_HOME: '/nonexistent/elsewhere' } }));
      expect(outcome.summary).toContain(dir);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it.skipIf(!setprivOk)('fails as the OpenShift case does: [Errno 13] for a user who cannot create the default directory', async () => {
    const r = await runCli(['check', '--only', 'hf-home-writable', '--format', 'json'], {
      wrapper: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'],
    });
    expect(r.code).toBe(1);
    const result = (JSON.parse(r.stdout) as { results: Array<{ id: string; status: string; summary: string; remediation: string }> }).results.find((x) => x.id === 'hf-home-writable')!;
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(/HF_HOME \/home\/aigateway\/\.hf does not exist and uid 65534 gid 65534 cannot create it under \/(home)? \(EACCES\)/);
    expect(result.remediation).toContain('HF_HOME=/var/tmp/huggingface');
  });
});
