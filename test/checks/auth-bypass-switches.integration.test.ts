// auth-bypass-switches live: the reference gateway with the switches off and each on, directly and behind the real nginx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/auth-bypass-switches.js';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import { startIssuer, type TestIssuer } from '../reference/helpers.js';
import { makeContext } from '../helpers/context.js';
import { guideBlock80, startNginx, type RunningNginx } from '../helpers/nginx.js';

const quiet = () => {};
/** Each gateway: its extra environment, the nginx port placeholder in front of it, and the findings expected. */
const GATEWAYS = {
  off: {
    env: {},
    port: 'PORT',
    findings: [
      { id: 'headerRefused', status: 'pass' },
      { id: 'forgedRefused', status: 'pass' },
    ],
  },
  header: {
    env: { AIGW_AUTH__BYPASS_EXTERNAL_WITH_HEADER: 'yes' },
    port: 'PORT2',
    findings: [
      { id: 'headerHonoured', status: 'fail' },
      { id: 'forgedRefused', status: 'pass' },
    ],
  },
  signature: {
    env: { AIGW_AUTH__BYPASS_JWT_SIGNATURE: '1' },
    port: 'PORT3',
    findings: [
      { id: 'headerRefused', status: 'pass' },
      { id: 'forgedAccepted', status: 'fail' },
    ],
  },
} as const;
type Name = keyof typeof GATEWAYS;

describe('auth-bypass-switches against the reference gateway', () => {
  let issuer: TestIssuer;
  const gateways = {} as Record<Name, RunningGateway>;
  let nginx: RunningNginx;

  beforeAll(async () => {
    issuer = await startIssuer();
    for (const [name, g] of Object.entries(GATEWAYS) as [Name, (typeof GATEWAYS)[Name]][]) {
      gateways[name] = await startGateway({ env: { AIGW_GITLAB_URL: issuer.url, ...g.env }, log: quiet });
    }
    nginx = await startNginx({
      serverBlocks: (Object.keys(GATEWAYS) as Name[])
        .map((name) => guideBlock80({ port: `{{${GATEWAYS[name].port}}}`, upstream: gateways[name].url }))
        .join('\n'),
    });
  });
  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(Object.values(gateways).map((g) => g.close()));
    await issuer?.close();
  });

  const run = (gatewayUrl: string) => check.run(makeContext({ gatewayUrl, gatewayUrlSource: 'flag', gitlabUrl: issuer.url }));
  const cases = (Object.keys(GATEWAYS) as Name[]).flatMap((name) => [
    [name, 'directly', () => gateways[name].url] as const,
    [name, 'behind nginx', () => `http://127.0.0.1:${nginx.ports[GATEWAYS[name].port]}`] as const,
  ]);

  it.each(cases)('switch %s, %s', async (name, _how, url) => {
    const out = await run(url());
    expect(out.findings).toEqual(GATEWAYS[name].findings);
    expect(out.details?.[0]).toMatch(/kid .* \(GitLab's published key\)/);
  });
});
