// agent-platform-service against the reference Duo Workflow Service: plain, TLS, the TLS mismatches both ways, an
// HTTP/1.1-only front, no listener — GitLab's own call and duo-doctor's, side by side.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/agent-platform-service.js';
import { buildChain } from '../../src/pki/generate.js';
import { pooledRsaKey } from '../../src/pki/keys.js';
import { startDuoWorkflowService, type RunningDuoWorkflow } from '../../src/reference/duo-workflow/server.js';
import { startGitLab, type RunningGitLab } from '../../src/reference/gitlab/server.js';
import { closedPort } from '../../src/reference/http.js';
import { startHttp1Front, type RunningFront } from '../../src/reference/http1-front.js';
import { makeContext } from '../helpers/context.js';

describe('agent-platform-service gather (reference GitLab and Duo Workflow Service)', () => {
  const chain = buildChain({ host: '127.0.0.1' });
  let dir: string;
  let caFile: string;
  let gitlab: RunningGitLab;
  let plain: RunningDuoWorkflow;
  let secure: RunningDuoWorkflow;
  let front: RunningFront;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-dws-'));
    caFile = path.join(dir, 'ca.pem');
    await writeFile(caFile, chain.root.certPem);
    gitlab = await startGitLab({ ca: chain.root.certPem, log: () => undefined });
    const env = { AIGW_GITLAB_URL: gitlab.url, DUO_WORKFLOW_SELF_SIGNED_JWT__SIGNING_KEY: pooledRsaKey(2048).privatePem };
    [plain, secure] = await Promise.all([
      startDuoWorkflowService({ env, log: () => undefined }),
      startDuoWorkflowService({ env, tls: { certPem: chain.chainPem, keyPem: chain.leaf.keyPem }, log: () => undefined }),
    ]);
    front = await startHttp1Front({ upstream: `http://${plain.address}` });
  });
  afterAll(async () => {
    await Promise.all([plain?.close(), secure?.close(), front?.close()]);
    await gitlab?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (address: string, gitlabSecure: boolean) => {
    gitlab.setDuoAgentPlatform(address, gitlabSecure);
    const facts = (await check.gather(makeContext({ gitlabUrl: gitlab.url, gitlabToken: gitlab.adminToken, caFile }))) as Facts;
    return { facts, ids: judge(facts).findings.map((f) => f.id) };
  };

  it.each([
    ['plain service, GitLab plain', () => plain.address, false, ['gitlabOperational', 'listed']],
    ['TLS service, GitLab TLS', () => secure.address, true, ['gitlabOperational', 'listed']],
    ['plain service, GitLab TLS', () => plain.address, true, ['gitlabNotOperational', 'answersWithoutToken']],
    ['TLS service, GitLab plain', () => secure.address, false, ['gitlabNotOperational', 'answersWithoutToken']],
    ['behind an HTTP/1.1-only front', () => front.address, false, ['gitlabNotOperational', 'http2Refused']],
  ] as const)('%s → %j', async (_name, address, gitlabSecure, expected) => {
    expect((await run(address(), gitlabSecure)).ids).toEqual(expected);
  });

  it('names nothing listening', async () => {
    const { ids } = await run(`127.0.0.1:${await closedPort()}`, false);
    expect(ids).toEqual(['gitlabNotOperational', 'noListener']);
  });

  it("calls with GitLab's workflow token and its TLS decision when GitLab hands them out", async () => {
    const { facts } = await run(secure.address, true);
    expect(facts.measured).toMatchObject({ secure: true, secureSource: 'gitlab', withToken: true, call: { ok: true } });
  });
});
