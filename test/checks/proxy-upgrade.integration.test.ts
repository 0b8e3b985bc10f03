// proxy-upgrade against the reference GitLab: directly (101), with an unknown token (401), and through an HTTP/1.1 load
// balancer that drops the upgrade headers (Workhorse's 400).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/proxy-upgrade.js';
import { startGitLab, type RunningGitLab } from '../../src/reference/gitlab/server.js';
import { startHttp1Front, type RunningFront } from '../../src/reference/http1-front.js';
import { makeContext } from '../helpers/context.js';

describe('proxy-upgrade against the reference GitLab', () => {
  let gitlab: RunningGitLab;
  let front: RunningFront;
  beforeAll(async () => {
    gitlab = await startGitLab({ log: () => undefined });
    front = await startHttp1Front({ upstream: gitlab.url });
  });
  afterAll(async () => {
    await front?.close();
    await gitlab?.close();
  });

  it('upgrades (101) straight to GitLab, never printing the token', async () => {
    const out = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: gitlab.adminToken }));
    expect(out.findings?.map((f) => f.id)).toEqual(['upgraded']);
    expect(JSON.stringify(out)).not.toContain(gitlab.adminToken);
  });

  it('is rejected (401) with a token GitLab does not know', async () => {
    const out = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: 'glpat-not-the-admin' }));
    expect(out.findings?.map((f) => f.id)).toEqual(['rejected']);
  });

  it("is not upgraded (Workhorse's 400) through a load balancer that drops Upgrade and Connection", async () => {
    const out = await check.run(makeContext({ gitlabUrl: front.url, gitlabToken: gitlab.adminToken }));
    expect(out.status).toBe('fail');
    expect(out.findings?.map((f) => f.id)).toEqual(['notUpgraded']);
    expect(out.evidence).toMatchObject({ httpStatus: 400 });
  });
});
