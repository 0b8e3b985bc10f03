// runtime-host: where runtime probes run — the judge's table, and this host with or without the gateway's environment.
// Real --exec prefixes: runtime-host.integration.test.ts.
import { describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/runtime-host.js';
import { makeContext } from '../helpers/context.js';

describe('runtime-host judge', () => {
  it.each([
    ['a prefix that runs', { place: { kind: 'exec', prefix: 'docker exec aigw' } }, 'exec'],
    ['a broken prefix', { place: { kind: 'exec', prefix: 'docker exec nope' }, error: 'no such container' }, 'prefixBroken'],
    ["the gateway's environment", { place: { kind: 'gateway-env', hostname: 'gw' }, variables: ['AIGW_GITLAB_URL'] }, 'gatewayEnvironment'],
    ['another host', { place: { kind: 'elsewhere', hostname: 'laptop' } }, 'elsewhere'],
  ] as [string, Facts, string][])('%s → %s', (_name, facts, id) => {
    expect(judge(facts).findings.map((f) => f.id)).toEqual([id]);
  });
});

describe('runtime-host', () => {
  it("says this host is not the gateway's without --exec and without AIGW_* variables", async () => {
    const outcome = await check.run(makeContext({ env: { HOME: '/root' } }));
    expect(outcome.findings).toEqual([{ id: 'elsewhere', status: 'pass' }]);
    expect(outcome.summary).toMatch(/runtime checks .* skip/);
  });

  it("names the AIGW_* variables that make this host the gateway's", async () => {
    const outcome = await check.run(makeContext({ env: { AIGW_GITLAB_URL: 'https://g', AIGW_CUSTOM_MODELS__ENABLED: 'true' } }));
    expect(outcome.findings).toEqual([{ id: 'gatewayEnvironment', status: 'pass' }]);
    expect(outcome.summary).toContain('AIGW_CUSTOM_MODELS__ENABLED, AIGW_GITLAB_URL');
  });
});
