// version-match: the install guide's tag rule, floating tags, the pre-upgrade gate (which never passes without a
// comparison), and where the versions come from (GitLab's metadata; the gateway's tag only from the operator).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { expectedTag, judge, parseGatewayTag, type Facts } from '../../checks/version-match.js';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import { makeContext } from '../helpers/context.js';
import { renderFacts } from '../helpers/render-facts.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
import { startFakeGitLab, type FakeGitLab } from '../helpers/fake-gitlab.js';

describe('parseGatewayTag', () => {
  it.each<[string, string, string]>([
    ['self-hosted-v18.6.0-ee', 'release', 'self-hosted-v18.6.0-ee'],
    ['18.6.0', 'release', '18.6.0'],
    ['v18.6.1', 'release', 'v18.6.1'],
    [
      'registry.gitlab.com/gitlab-org/modelops/applied-ml/code-suggestions/ai-assist/model-gateway:self-hosted-v18.5.2-ee',
      'release',
      'self-hosted-v18.5.2-ee',
    ],
    ['registry.local:5000/model-gateway:self-hosted-v18.6.0-ee@sha256:abc', 'release', 'self-hosted-v18.6.0-ee'],
    ['self-hosted-nightly', 'floating', 'self-hosted-nightly'],
    ['gitlab/model-gateway:latest', 'floating', 'latest'],
    ['main-abc123', 'unreadable', 'main-abc123'],
  ])('%s → %s %s', (value, kind, tag) => {
    expect(parseGatewayTag(value)).toMatchObject({ kind, tag });
  });
});

describe('version-match judge', () => {
  it.each<[string, Facts, string]>([
    ['exact match', { gitlab: '18.6.0-ee', gateway: 'self-hosted-v18.6.0-ee' }, 'match'],
    ['patch one behind', { gitlab: '18.6.1-ee', gateway: 'self-hosted-v18.6.0-ee' }, 'patchDiffers'],
    ['patch one ahead', { gitlab: '18.6.0-ee', gateway: 'self-hosted-v18.6.1-ee' }, 'patchDiffers'],
    ['minor one behind', { gitlab: '18.6.0-ee', gateway: 'self-hosted-v18.5.2-ee' }, 'minorDiffers'],
    ['major differs, minor equal', { gitlab: '18.0.0-ee', gateway: '17.0.0' }, 'minorDiffers'],
    ['nightly', { gitlab: '18.6.0-ee', gateway: 'self-hosted-nightly' }, 'floating'],
    ['unreadable tag', { gitlab: '18.6.0-ee', gateway: 'main-abc123' }, 'tagUnreadable'],
    ['unknown gateway', { gitlab: '18.6.0-ee' }, 'gatewayUnknown'],
    ['unknown GitLab, no target', { gitlabReason: 'HTTP 401', gateway: 'self-hosted-v18.6.0-ee' }, 'gitlabUnknown'],
    ['unreadable GitLab version', { gitlab: 'main', gateway: 'self-hosted-v18.6.0-ee' }, 'gitlabUnreadable'],
    ['gate: gateway still on the old version', { gitlab: '18.6.0-ee', gateway: 'self-hosted-v18.6.0-ee', target: '18.7.0' }, 'minorDiffers'],
    ['gate: gateway already upgraded', { gitlab: '18.6.0-ee', gateway: 'self-hosted-v18.7.0-ee', target: '18.7.0' }, 'match'],
    [
      'gate: GitLab unknown, gateway compared with the target',
      { gitlabReason: 'HTTP 401', gateway: 'self-hosted-v18.7.0-ee', target: '18.7.0' },
      'match',
    ],
    ['gate: unknown gateway', { gitlab: '18.6.0-ee', target: '18.7.0' }, 'gateCannotCompare'],
    ['gate: nightly gateway', { gitlab: '18.6.0-ee', gateway: 'self-hosted-nightly', target: '18.7.0' }, 'gateCannotCompare'],
    ['gate: unreadable tag', { gitlab: '18.6.0-ee', gateway: 'main-abc123', target: '18.7.0' }, 'gateCannotCompare'],
    ['gate: bad target', { gitlab: '18.6.0-ee', gateway: 'self-hosted-v18.6.0-ee', target: 'next' }, 'targetInvalid'],
  ])('%s → %s', (_name, facts, id) => {
    expect(judge(facts).findings.map((f) => f.id)).toEqual([id]);
  });

  it('says loudly that the gate could not compare, and fails', () => {
    const out = renderFacts(check, { gitlab: '18.6.0-ee', target: '18.7.0' });
    expect(out.status).toBe('fail');
    expect(out.summary).toBe(
      "PRE-UPGRADE GATE NOT PASSED: could not compare versions — the AI gateway's version is unknown; the planned GitLab 18.7.0 needs self-hosted-v18.7.0-ee",
    );
    expect(out.evidence).toMatchObject({ compared: false });
  });

  it('names the tag to run in the fix', () => {
    const out = renderFacts(check, { gitlab: '18.7.0-ee', gateway: 'self-hosted-v18.6.0-ee' });
    expect(out.remediation).toContain(':self-hosted-v18.7.0-ee');
    expect(expectedTag({ major: 18, minor: 7, patch: 0 })).toBe('self-hosted-v18.7.0-ee');
  });
});

describe('version-match renderings (every message, pinned in __renderings__/version-match.txt)', () => {
  const cases: RenderCase<Facts>[] = [
    { name: 'match', facts: { gitlab: '18.6.0-ee', gateway: 'self-hosted-v18.6.0-ee' } },
    {
      name: 'patch differs, from a full image reference',
      facts: { gitlab: '18.6.1-ee', gateway: 'registry.local:5000/model-gateway:self-hosted-v18.6.0-ee@sha256:abc' },
    },
    { name: 'minor differs', facts: { gitlab: '18.6.0-ee', gateway: '18.5.2' } },
    { name: 'major differs', facts: { gitlab: '18.0.0-ee', gateway: 'v17.0.0' } },
    { name: 'nightly', facts: { gitlab: '18.6.0-ee', gateway: 'self-hosted-nightly' } },
    { name: 'latest', facts: { gitlab: '18.6.0-ee', gateway: 'model-gateway:latest' } },
    { name: 'unreadable tag', facts: { gitlab: '18.6.0-ee', gateway: 'main-abc123' } },
    { name: 'gateway unknown', facts: { gitlab: '18.6.0-ee' } },
    { name: 'GitLab unknown, said why', facts: { gitlabReason: 'HTTP 401 from /api/v4/metadata', gateway: 'self-hosted-v18.6.0-ee' } },
    { name: 'GitLab unknown, silent', facts: {} },
    { name: 'GitLab unreadable', facts: { gitlab: 'main', gateway: 'self-hosted-v18.6.0-ee' } },
    { name: 'target invalid', facts: { gitlab: '18.6.0-ee', gateway: 'self-hosted-v18.6.0-ee', target: 'next' } },
    { name: 'gate: gateway on the running version', facts: { gitlab: '18.6.0-ee', gateway: 'self-hosted-v18.6.0-ee', target: '18.7.0' } },
    { name: 'gate: gateway on the planned version', facts: { gitlab: '18.6.0-ee', gateway: 'self-hosted-v18.7.0-ee', target: '18.7.0' } },
    { name: 'gate: gateway on neither (patch of the planned)', facts: { gitlab: '18.6.0-ee', gateway: 'self-hosted-v18.7.1-ee', target: '18.7.0' } },
    { name: 'gate: gateway a major behind the running GitLab', facts: { gitlab: '18.6.0-ee', gateway: 'self-hosted-v17.6.0-ee', target: '18.7.0' } },
    { name: 'gate: gateway a patch off the running GitLab', facts: { gitlab: '18.6.0-ee', gateway: 'self-hosted-v18.6.1-ee', target: '18.7.0' } },
    { name: 'gate: GitLab unknown', facts: { gitlabReason: 'HTTP 401', gateway: 'self-hosted-v18.7.0-ee', target: '18.7.0' } },
    { name: 'gate: gateway unknown', facts: { gitlab: '18.6.0-ee', target: '18.7.0' } },
    { name: 'gate: nightly', facts: { gitlab: '18.6.0-ee', gateway: 'self-hosted-nightly', target: '18.7.0' } },
    { name: 'gate: unreadable tag', facts: { gitlab: '18.6.0-ee', gateway: 'main-abc123', target: '18.7.0' } },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});

describe('version-match gather', () => {
  let gitlab: FakeGitLab;
  let gateway: RunningGateway;
  beforeAll(async () => {
    [gitlab, gateway] = await Promise.all([
      startFakeGitLab({ 'GET /api/v4/metadata': { body: { version: '18.6.0-ee', revision: 'abc' } } }),
      startGateway({ log: () => {} }),
    ]);
  });
  afterAll(() => Promise.all([gitlab.close(), gateway.close()]));

  it("reads GitLab's version from its metadata and the gateway's only from the flag", async () => {
    const ctx = makeContext({ gitlabUrl: gitlab.url, gitlabToken: 'glpat-x', gatewayVersion: 'self-hosted-v18.6.0-ee' });
    expect(await check.gather(ctx)).toEqual({ gitlab: '18.6.0-ee', gateway: 'self-hosted-v18.6.0-ee' });
  });

  it('learns nothing about the version from the reference gateway, as from the real one', async () => {
    const ctx = makeContext({
      gitlabUrl: gitlab.url,
      gitlabToken: 'glpat-x',
      gatewayUrl: gateway.url,
      gatewayUrlSource: 'flag',
      targetVersion: '18.7.0',
    });
    const facts = (await check.gather(ctx)) as Facts;
    expect(facts.gateway).toBeUndefined();
    expect((await check.run(ctx)).status).toBe('fail');
    const res = await fetch(`${gateway.url}/monitoring/healthz`);
    expect([...res.headers.keys()].filter((h) => /version/i.test(h))).toEqual([]);
    expect(await res.json()).toEqual({});
  });
});
