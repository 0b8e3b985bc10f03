// auth-bypass-switches live: the reference gateway with the switches off and on, directly and behind the real nginx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/auth-bypass-switches.js';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import { startIssuer, type TestIssuer } from '../reference/helpers.js';
import { makeContext } from '../helpers/context.js';
import { guideBlock80, startNginx, type RunningNginx } from '../helpers/nginx.js';
const quiet = () => {};

describe('auth-bypass-switches against the reference gateway', () => {
  let issuer: TestIssuer;
  let gateway: RunningGateway;
  let nginx: RunningNginx;

  beforeAll(async () => {
    issuer = await startIssuer();
    gateway = await startGateway({ env: { AIGW_GITLAB_URL: issuer.url }, log: quiet });
    nginx = await startNginx({ serverBlocks: guideBlock80({ port: '{{PORT}}', upstream: gateway.url }) });
  });
  afterAll(async () => {
    await nginx?.stop();
    await gateway?.close();
    await issuer?.close();
  });

  const run = (gatewayUrl: string) => check.run(makeContext({ gatewayUrl, gatewayUrlSource: 'flag', gitlabUrl: issuer.url }));

  it.each([
    ['directly', () => gateway.url],
    ['behind nginx', () => nginx.url],
  ])('with both switches off, %s: both probes refused with 401', async (_how, url) => {
    const out = await run(url());
    expect(out.findings).toEqual([
      { id: 'headerRefused', status: 'pass' },
      { id: 'forgedRefused', status: 'pass' },
    ]);
    expect(out.details?.[0]).toMatch(/kid .* \(GitLab's published key\)/);
  });
});
