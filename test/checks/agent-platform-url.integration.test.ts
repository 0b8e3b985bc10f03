// agent-platform-url gather against the reference GitLab: the setting as an administrator reads it (GraphQL duoSettings).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/agent-platform-url.js';
import { startGitLab, type RunningGitLab } from '../../src/reference/gitlab/server.js';
import { makeContext } from '../helpers/context.js';

describe('agent-platform-url gather (reference GitLab)', () => {
  let gitlab: RunningGitLab;
  beforeAll(async () => {
    gitlab = await startGitLab({ log: () => undefined });
  });
  afterAll(() => gitlab?.close());

  it('reads the setting as the administrator sees it (blank, then set)', async () => {
    gitlab.setDuoAgentPlatform(undefined, true);
    expect(await check.gather(makeContext({ gitlabUrl: gitlab.url, gitlabToken: gitlab.adminToken }))).toMatchObject({
      gitlabVersion: expect.stringMatching(/^\d+\.\d+/),
      setting: { ok: true, value: null },
    });
    gitlab.setDuoAgentPlatform('http://127.0.0.1:9', true);
    const facts = (await check.gather(makeContext({ gitlabUrl: gitlab.url, gitlabToken: gitlab.adminToken }))) as Facts;
    expect(facts.setting).toEqual({ ok: true, value: 'http://127.0.0.1:9' });
    expect(judge(facts).findings.map((f) => f.id)).toEqual(['scheme']);
  });
});
