// auth-bypass-switches: the judge over every answer class; live against the reference gateway with the switches off and on,
// directly and behind the real nginx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/auth-bypass-switches.js';
import type { ProbeAnswer } from '../../src/probes/security.js';
import { fromGateway as gw, fromProxy as proxy, noAnswer as none } from '../helpers/probe-answers.js';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import { startIssuer, type TestIssuer } from '../reference/helpers.js';
import { makeContext } from '../helpers/context.js';
import { guideBlock80, startNginx, type RunningNginx } from '../helpers/nginx.js';

const facts = (baseline: ProbeAnswer, bypassHeader: ProbeAnswer, forged: ProbeAnswer): Facts => ({ url: 'http://aigw:5052', baseline, bypassHeader, forged });
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

describe('auth-bypass-switches judge', () => {
  it.each<[string, Facts, string[]]>([
    ['no gateway URL', {}, ['noGateway']],
    ['auth off altogether', facts(gw(405), gw(405), gw(405)), ['authOff']],
    ['the gateway does not answer', facts(none, none, none), ['noAnswer']],
    ['both switches off', facts(gw(401), gw(401), gw(401)), ['headerRefused', 'forgedRefused']],
    ['Bypass-Auth honoured', facts(gw(401), gw(405), gw(401)), ['headerHonoured', 'forgedRefused']],
    ['forged signature accepted', facts(gw(401), gw(401), gw(405)), ['headerRefused', 'forgedAccepted']],
    ['both on', facts(gw(401), gw(405), gw(405)), ['headerHonoured', 'forgedAccepted']],
    ['a 403 from the gateway is past authentication too', facts(gw(401), gw(403), gw(401)), ['headerHonoured', 'forgedRefused']],
    ['a proxy answers instead', facts(gw(401), proxy(502), gw(401)), ['unjudged', 'forgedRefused']],
    ['no answer', facts(gw(401), gw(401), none), ['headerRefused', 'unjudged']],
  ])('%s', (_name, f, expected) => {
    expect(ids(f)).toEqual(expected);
  });
});

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
