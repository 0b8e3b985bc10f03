// version-match: the install guide's tag rule, nightly tags, the pre-upgrade gate, and where the versions come from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { expectedTag, judgeVersions, parseGatewayTag, type VersionFacts } from '../../checks/version-match.js';
import type { CheckResult, Status } from '../../src/model.js';
import { GATEWAY_VERSION_HEADER } from '../../src/probes/gateway.js';
import { GATEWAY_VERSION_HEADER as REFERENCE_HEADER } from '../../src/reference/gateway/server.js';
import { makeContext } from '../helpers/context.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';

const flag = (value: string) => ({ value, from: '--gateway-image-tag / --gateway-version' });

describe('parseGatewayTag', () => {
  it.each<[string, string, string]>([
    ['self-hosted-v18.6.0-ee', 'release', 'self-hosted-v18.6.0-ee'],
    ['18.6.0', 'release', '18.6.0'],
    ['v18.6.1', 'release', 'v18.6.1'],
    ['registry.gitlab.com/gitlab-org/modelops/applied-ml/code-suggestions/ai-assist/model-gateway:self-hosted-v18.5.2-ee', 'release', 'self-hosted-v18.5.2-ee'],
    ['registry.local:5000/model-gateway:self-hosted-v18.6.0-ee@sha256:abc', 'release', 'self-hosted-v18.6.0-ee'],
    ['self-hosted-nightly', 'floating', 'self-hosted-nightly'],
    ['gitlab/model-gateway:latest', 'floating', 'latest'],
    ['main-abc123', 'unreadable', 'main-abc123'],
  ])('%s → %s %s', (value, kind, tag) => {
    expect(parseGatewayTag(value)).toMatchObject({ kind, tag });
  });
});

describe('judgeVersions', () => {
  it.each<[string, VersionFacts, Status, RegExp]>([
    ['exact match', { gitlab: '18.6.0-ee', gateway: flag('self-hosted-v18.6.0-ee') }, 'pass', /^AI gateway self-hosted-v18\.6\.0-ee matches GitLab 18\.6\.0-ee$/],
    ['patch differs', { gitlab: '18.6.1-ee', gateway: flag('self-hosted-v18.6.0-ee') }, 'warn', /patch release differs.*use self-hosted-v18\.6\.1-ee/],
    ['minor differs', { gitlab: '18.6.0-ee', gateway: flag('self-hosted-v18.5.2-ee') }, 'fail', /major\.minor differs.*use self-hosted-v18\.6\.0-ee/],
    ['major differs', { gitlab: '18.0.0-ee', gateway: flag('17.11.0') }, 'fail', /major\.minor differs/],
    ['nightly', { gitlab: '18.6.0-ee', gateway: flag('self-hosted-nightly') }, 'warn', /nightly image \(self-hosted-nightly\): not recommended/],
    ['unreadable tag', { gitlab: '18.6.0-ee', gateway: flag('main-abc123') }, 'warn', /No version in the gateway tag "main-abc123"/],
    ['unknown gateway', { gitlab: '18.6.0-ee' }, 'skip', /version is unknown \(GitLab 18\.6\.0-ee needs self-hosted-v18\.6\.0-ee\)/],
    ['gate: gateway still on the old version', { gitlab: '18.6.0-ee', gateway: flag('self-hosted-v18.6.0-ee'), target: '18.7.0' }, 'fail', /^Upgrading GitLab to 18\.7\.0 needs gateway tag self-hosted-v18\.7\.0-ee; the gateway runs self-hosted-v18\.6\.0-ee/],
    ['gate: gateway already upgraded', { gitlab: '18.6.0-ee', gateway: flag('self-hosted-v18.7.0-ee'), target: '18.7.0' }, 'pass', /already matches the planned GitLab 18\.7\.0/],
    ['gate: bad target', { gitlab: '18.6.0-ee', gateway: flag('self-hosted-v18.6.0-ee'), target: 'next' }, 'fail', /is not a version/],
  ])('%s → %s', (_name, facts, status, summary) => {
    const outcome = judgeVersions(facts);
    expect(outcome.status).toBe(status);
    expect(outcome.summary).toMatch(summary);
    if (status === 'fail' || status === 'warn') expect(outcome.remediation).toBeTruthy();
  });

  it('names the tag to run in the fix', () => {
    const outcome = judgeVersions({ gitlab: '18.7.0-ee', gateway: flag('self-hosted-v18.6.0-ee') });
    expect(outcome.remediation).toContain(':self-hosted-v18.7.0-ee');
    expect(expectedTag({ major: 18, minor: 7, patch: 0 })).toBe('self-hosted-v18.7.0-ee');
  });
});

describe('version-match run', () => {
  const gitlabReachable = (version: string): CheckResult => ({
    id: 'gitlab-reachable', category: 'network', status: 'pass', title: '', summary: '', details: [], durationMs: 1, evidence: { version },
  });
  let gateway: LoopbackServer;
  beforeAll(async () => {
    gateway = await startLoopback((_req, res) => res.writeHead(200, { [GATEWAY_VERSION_HEADER]: 'self-hosted-v18.5.0-ee' }).end('{"status":"ok"}'));
  });
  afterAll(() => gateway.close());

  it('reads the header the reference gateway sends', () => {
    expect(GATEWAY_VERSION_HEADER).toBe(REFERENCE_HEADER);
  });

  it("prefers the flag, and reads GitLab's version from gitlab-reachable", async () => {
    const ctx = makeContext({ gatewayVersion: 'self-hosted-v18.6.0-ee', gatewayUrl: gateway.url }, [gitlabReachable('18.6.0-ee')]);
    expect((await check.run(ctx)).status).toBe('pass');
  });

  it("falls back to the gateway's version header", async () => {
    const ctx = makeContext({ gatewayUrl: gateway.url, gatewayUrlSource: 'flag' }, [gitlabReachable('18.6.0-ee')]);
    const outcome = await check.run(ctx);
    expect(outcome.status).toBe('fail');
    expect(outcome.details).toContain(`AI gateway: self-hosted-v18.5.0-ee (from the gateway's ${GATEWAY_VERSION_HEADER} header)`);
  });
});
