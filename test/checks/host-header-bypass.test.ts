// host-header-bypass: the judge over every answer class (live probes: host-header-bypass.integration.test.ts).
import { describe, expect, it } from 'vitest';
import check, { HOST_VECTORS, judge, messages, type Facts } from '../../checks/host-header-bypass.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
import { renderJudgement, type Judgement, type Messages } from '../../src/check.js';
import type { ProbeAnswer } from '../../src/probes/security.js';
import { fromGateway as gw, fromProxy as proxy, noAnswer as none, refusedConnection } from '../helpers/probe-answers.js';

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

describe('host-header-bypass renderings (every message, pinned in __renderings__/host-header-bypass.txt)', () => {
  const cases: RenderCase<Facts>[] = [
    { name: 'no gateway URL', facts: { vectors: [] } },
    { name: 'nothing listens', facts: facts(refusedConnection) },
    { name: 'baseline 405: authentication off', facts: facts({ ...gw(405), said: 'Method Not Allowed' }, gw(405)) },
    { name: 'baseline 200 from a proxy', facts: facts(proxy(200)) },
    { name: 'baseline 403, not from the gateway nor a named server', facts: facts({ status: 403, fromGateway: false, connected: true }) },
    { name: 'every vector refused', facts: facts(gw(401), gw(401), gw(401), gw(401)) },
    { name: 'no baseline, one vector refused', facts: { url: 'https://aigw.example.com', vectors: [{ host: HOST_VECTORS[0], answer: gw(401) }] } },
    { name: 'two vectors past auth, one refused', facts: facts(gw(401), { ...gw(405), said: 'Method Not Allowed' }, gw(200), gw(401)) },
    { name: "nginx's 400 for every vector", facts: facts(gw(401), proxy(400), proxy(400), proxy(400)) },
    { name: 'bypassed, unanswered and blocked at once', facts: facts(gw(401), gw(405), none, proxy(400)) },
    { name: 'a 401 from the proxy, not the gateway', facts: facts(gw(401), proxy(401)) },
    { name: 'nothing answers two vectors', facts: facts(gw(401), none, { ...none, failure: 'timeout after 5000 ms' }) },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});
