// auth-bypass-switches: the judge over every answer class (live probes: auth-bypass-switches.integration.test.ts).
import { describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/auth-bypass-switches.js';
import type { ProbeAnswer } from '../../src/probes/security.js';
import { fromGateway as gw, fromProxy as proxy, noAnswer as none, refusedConnection } from '../helpers/probe-answers.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';

const facts = (baseline: ProbeAnswer, bypassHeader: ProbeAnswer, forged: ProbeAnswer): Facts => ({
  url: 'http://aigw:5052',
  baseline,
  bypassHeader,
  forged,
});
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

describe('auth-bypass-switches judge', () => {
  it.each<[string, Facts, string[]]>([
    ['no gateway URL', {}, ['noGateway']],
    ['auth off altogether', facts(gw(405), gw(405), gw(405)), ['authOff']],
    ['the gateway does not answer', facts(none, none, none), ['noAnswer']],
    ['a proxy answers the plain request with 403', facts(proxy(403), gw(405), gw(405)), ['noAnswer']],
    ["a proxy relays the gateway's 401", facts({ ...proxy(401) }, gw(401), gw(401)), ['headerRefused', 'forgedRefused']],
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

describe('auth-bypass-switches renderings', () => {
  const said = (status: number, text: string): ProbeAnswer => ({ ...gw(status), said: text });
  const NO_AUTH = said(401, 'No authorization header presented');
  const cases: RenderCase<Facts>[] = [
    { name: 'no gateway URL', facts: {} },
    { name: 'nothing listens', facts: facts(refusedConnection, refusedConnection, refusedConnection) },
    { name: 'no answer, reason unknown', facts: facts({ fromGateway: false, connected: true }, none, none) },
    { name: 'auth off altogether', facts: facts(said(405, 'Method Not Allowed'), gw(405), gw(405)) },
    { name: 'a proxy answers the plain request', facts: facts(proxy(403), proxy(403), proxy(403)) },
    {
      name: "both switches off, the kid of GitLab's key",
      facts: { ...facts(NO_AUTH, NO_AUTH, said(401, 'Forbidden by auth provider')), forgedKid: { kid: 'kid-oidc', from: 'gitlab-jwks' } },
    },
    {
      name: 'both switches on, a made-up kid',
      facts: { ...facts(NO_AUTH, said(405, 'Method Not Allowed'), gw(405)), forgedKid: { kid: 'duo-doctor-probe', from: 'made-up' } },
    },
    { name: 'header honoured, forged refused', facts: facts(NO_AUTH, gw(405), NO_AUTH) },
    { name: 'a proxy answers the probes', facts: facts(NO_AUTH, { fromGateway: false, connected: true, status: 502 }, proxy(502)) },
    { name: 'the probes get no answer', facts: facts(NO_AUTH, none, refusedConnection) },
    { name: 'no baseline, only the header probe', facts: { url: 'http://aigw:5052', bypassHeader: NO_AUTH } },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});

describe('auth-bypass-switches evidence', () => {
  it.each<[string, Facts, Record<string, unknown>]>([
    ['both off', facts(gw(401), gw(401), gw(401)), { securityFinding: false, bypassHeaderStatus: 401, forgedStatus: 401 }],
    ['header on', facts(gw(401), gw(405), gw(401)), { securityFinding: true, bypassHeaderStatus: 405 }],
    ['forged accepted', facts(gw(401), gw(401), gw(200)), { securityFinding: true, forgedStatus: 200 }],
    ['unjudged only', facts(gw(401), proxy(502), none), { securityFinding: false, bypassHeaderStatus: 502, forgedStatus: null }],
    ['probes not run', { url: 'http://aigw:5052', baseline: gw(401) }, { securityFinding: false, bypassHeaderStatus: null, forgedStatus: null }],
  ])('%s', (_name, f, evidence) => {
    expect(judge(f).evidence).toEqual(expect.objectContaining(evidence));
  });
});
