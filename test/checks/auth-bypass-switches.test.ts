// auth-bypass-switches: the judge over every answer class (live probes: auth-bypass-switches.integration.test.ts).
import { describe, expect, it } from 'vitest';
import { judge, type Facts } from '../../checks/auth-bypass-switches.js';
import type { ProbeAnswer } from '../../src/probes/security.js';
import { fromGateway as gw, fromProxy as proxy, noAnswer as none } from '../helpers/probe-answers.js';

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
