// host-header-bypass: the judge over every answer class (live probes: host-header-bypass.integration.test.ts).
import { describe, expect, it } from 'vitest';
import { HOST_VECTORS, judge, messages, type Facts } from '../../checks/host-header-bypass.js';
import { renderJudgement, type Judgement, type Messages } from '../../src/check.js';
import type { ProbeAnswer } from '../../src/probes/security.js';
import { fromGateway as gw, fromProxy as proxy, noAnswer as none } from '../helpers/probe-answers.js';

const facts = (baseline: ProbeAnswer, ...answers: ProbeAnswer[]): Facts => ({
  url: 'https://aigw.example.com',
  baseline,
  vectors: answers.map((answer, i) => ({ host: HOST_VECTORS[i % HOST_VECTORS.length] ?? '', answer })),
});
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

describe('host-header-bypass judge', () => {
  it.each<[string, Facts, string[]]>([
    ['no gateway URL', { vectors: [] }, ['noGateway']],
    ['baseline not 401 (auth off altogether: gateway-auth says so)', facts(gw(405), gw(405)), ['baselineNot401']],
    ['baseline unanswered', facts(none, gw(401)), ['noAnswer']],
    ['every vector refused', facts(gw(401), gw(401), gw(401), gw(401)), ['refused']],
    ['one vector past auth (405)', facts(gw(401), gw(405), gw(401), gw(401)), ['bypassed', 'refused']],
    ['every vector past auth', facts(gw(401), gw(405), gw(405), gw(405)), ['bypassed']],
    ['a 400 from the gateway itself is still past auth', facts(gw(401), gw(400)), ['bypassed']],
    ['a 200 from the gateway', facts(gw(401), gw(200)), ['bypassed']],
    ["nginx's 400 for every vector", facts(gw(401), proxy(400), proxy(400), proxy(400)), ['blockedByProxy']],
    ['nginx blocks one, the gateway refuses the others', facts(gw(401), proxy(400), gw(401)), ['blockedByProxy', 'refused']],
    ['nothing answers a vector', facts(gw(401), none, gw(401)), ['unanswered', 'refused']],
  ])('%s', (_name, f, expected) => {
    expect(ids(f)).toEqual(expected);
  });

  it('a bypass is a failure whose fix names the fix commit and the proxy', () => {
    const out = renderJudgement(messages, judge(facts(gw(401), gw(405))) as Judgement<Messages>);
    expect(out.status).toBe('fail');
    expect(out.remediation).toMatch(/219d702b3/);
    expect(out.remediation).toMatch(/proxy/);
    expect(out.evidence).toMatchObject({ securityFinding: true });
  });
});
