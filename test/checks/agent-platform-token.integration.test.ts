// agent-platform-token against the reference GitLab and Duo Workflow Service, with and without the signing key, plain and TLS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/agent-platform-token.js';
import { pooledRsaKey } from '../../src/pki/keys.js';
import { startDuoWorkflowService, type RunningDuoWorkflow } from '../../src/reference/duo-workflow/server.js';
import { startGitLab, type RunningGitLab } from '../../src/reference/gitlab/server.js';
import { makeContext } from '../helpers/context.js';

describe('agent-platform-token gather (reference GitLab and Duo Workflow Service)', () => {
  let gitlab: RunningGitLab;
  let signing: RunningDuoWorkflow;
  let unsigned: RunningDuoWorkflow;
  beforeAll(async () => {
    gitlab = await startGitLab({ log: () => undefined });
    const env = { AIGW_GITLAB_URL: gitlab.url };
    [signing, unsigned] = await Promise.all([
      startDuoWorkflowService({
        env: {
          ...env,
          DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY: pooledRsaKey(2048).privatePem,
          DUO_WORKFLOW_SELF_SIGNED_JWT__VALIDATION_KEY: pooledRsaKey(2048).privatePem,
        },
        log: () => undefined,
      }),
      startDuoWorkflowService({ env, log: () => undefined }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([signing?.close(), unsigned?.close()]);
    await gitlab?.close();
  });
  const run = async (address: string) => {
    gitlab.setDuoAgentPlatform(address, false);
    return check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: gitlab.adminToken }));
  };

  it('passes when the service signs a token for GitLab', async () => {
    const out = await run(signing.address);
    expect(out.findings?.map((f) => f.id)).toEqual(['issued']);
  });

  it('fails naming the signing key when the service has none', async () => {
    const out = await run(unsigned.address);
    expect(out.status).toBe('fail');
    expect(out.summary).toMatch(/cannot sign workflow tokens/);
  });

  it('fails naming TLS when GitLab uses TLS to the plain service', async () => {
    gitlab.setDuoAgentPlatform(signing.address, true);
    const out = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: gitlab.adminToken }));
    expect(out.summary).toMatch(/GitLab spoke TLS to a service that serves plain gRPC/);
  });
});
