// agent-platform-service against the reference Duo Workflow Service: plain, TLS, the TLS mismatches both ways, an
// HTTP/1.1-only front, no listener — GitLab's own call and duo-doctor's, side by side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/agent-platform-service.js';
import { closedPort } from '../../src/reference/http.js';
import { startHttp1Front, type RunningFront } from '../../src/reference/http1-front.js';
import { makeContext } from '../helpers/context.js';
import { startWorkflowRig, type WorkflowRig } from '../helpers/duo-workflow.js';

describe('agent-platform-service gather (reference GitLab and Duo Workflow Service)', () => {
  let rig: WorkflowRig;
  let front: RunningFront;
  beforeAll(async () => {
    rig = await startWorkflowRig();
    front = await startHttp1Front({ upstream: `http://${rig.plain.address}` });
  });
  afterAll(async () => {
    await front?.close();
    await rig?.close();
  });

  const run = async (address: string, gitlabSecure: boolean) => {
    rig.gitlab.setDuoAgentPlatform(address, gitlabSecure);
    const facts = (await check.gather(makeContext({ gitlabUrl: rig.gitlab.url, gitlabToken: rig.gitlab.adminToken, caFile: rig.caFile }))) as Facts;
    return { facts, ids: judge(facts).findings.map((f) => f.id) };
  };

  it.each([
    ['plain service, GitLab plain', () => rig.plain.address, false, ['gitlabOperational', 'listed']],
    ['TLS service, GitLab TLS', () => rig.secure.address, true, ['gitlabOperational', 'listed']],
    ['plain service, GitLab TLS', () => rig.plain.address, true, ['gitlabNotOperational', 'answersWithoutToken']],
    ['TLS service, GitLab plain', () => rig.secure.address, false, ['gitlabNotOperational', 'answersWithoutToken']],
    ['behind an HTTP/1.1-only front', () => front.address, false, ['gitlabNotOperational', 'http2Refused']],
  ] as const)('%s → %j', async (_name, address, gitlabSecure, expected) => {
    expect((await run(address(), gitlabSecure)).ids).toEqual(expected);
  });

  it('names nothing listening', async () => {
    const { ids } = await run(`127.0.0.1:${await closedPort()}`, false);
    expect(ids).toEqual(['gitlabNotOperational', 'noListener']);
  });

  it("calls with GitLab's workflow token and its TLS decision when GitLab hands them out", async () => {
    const { facts } = await run(rig.secure.address, true);
    expect(facts.measured).toMatchObject({ secure: true, secureSource: 'gitlab', withToken: true, call: { ok: true } });
  });
});
