// proxy-upgrade: the rake task's classification of the agent WebSocket's answer (table over judge); the runs against the
// reference GitLab are in the .integration test.
import { describe, expect, it } from 'vitest';
import check, { judge, type Facts, type UpgradeAnswer } from '../../checks/proxy-upgrade.js';

const URL = 'https://gitlab.example.com/api/v4/ai/duo_workflows/ws';
const answer = (a: Partial<Extract<UpgradeAnswer, { ok: true }>>): UpgradeAnswer => ({
  ok: true,
  status: 101,
  reason: 'Switching Protocols',
  acceptValid: true,
  bodyExcerpt: '',
  elapsedMs: 3,
  ...a,
});
const facts = (a: UpgradeAnswer, more: Partial<Facts> = {}): Facts => ({ url: URL, answer: a, grpcPassed: false, ...more });
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

describe('proxy-upgrade judge', () => {
  it.each([
    ['101 with the right accept', facts(answer({})), ['upgraded']],
    ['101 through nginx', facts(answer({ proxy: 'nginx/1.22.1' })), ['upgraded']],
    ['101 with a wrong accept', facts(answer({ acceptValid: false })), ['badAccept']],
    ['401 (rejected)', facts(answer({ status: 401, reason: 'Unauthorized' })), ['rejected']],
    ['403 (rejected: origin or seat)', facts(answer({ status: 403, reason: 'Forbidden' })), ['rejected']],
    ['400 (Workhorse: no Upgrade header)', facts(answer({ status: 400, reason: 'Bad Request' })), ['notUpgraded']],
    ['402 (one below the rejected pair is not rejected)', facts(answer({ status: 402 })), ['notUpgraded']],
    ['404', facts(answer({ status: 404 })), ['notUpgraded']],
    ['200 (a plain answer)', facts(answer({ status: 200 })), ['notUpgraded']],
    ['no answer', facts({ ok: false, kind: 'refused', message: 'connect ECONNREFUSED', elapsedMs: 1 }), ['unreachable']],
    [
      'an untrusted certificate (no unverified retry with the token)',
      facts({ ok: false, kind: 'tls', message: 'unable to verify the first certificate', elapsedMs: 1 }),
      ['untrusted'],
    ],
  ] as const)('%s → %j', (_name, f, expected) => {
    expect(ids(f)).toEqual(expected);
  });

  it('names gitlab-org/gitlab#604755 only when gRPC to the service works', () => {
    const dropped = answer({ status: 400 });
    expect(check.messages.notUpgraded.text({ status: 400, grpcPassed: true })).toMatch(/604755/);
    expect(check.messages.notUpgraded.text({ status: 400, grpcPassed: false })).not.toMatch(/604755/);
    expect(judge(facts(dropped, { grpcPassed: true })).findings[0]).toMatchObject({ data: { grpcPassed: true } });
  });

  it("carries the rake task's NGINX example as the fix", () => {
    expect(check.messages.notUpgraded.fix).toMatch(
      /proxy_http_version 1\.1;\n {2}proxy_set_header Upgrade \$http_upgrade;\n {2}proxy_set_header Connection "upgrade";/,
    );
  });
});
