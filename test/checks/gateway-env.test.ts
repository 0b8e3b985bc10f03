// gateway-env: the gateway's AIGW_* variables against the GitLab being checked.
import { describe, expect, it } from 'vitest';
import check from '../../checks/gateway-env.js';
import { makeContext } from '../helpers/context.js';

const GITLAB = 'https://gitlab.example.com';
const good = { AIGW_GITLAB_URL: GITLAB, AIGW_GITLAB_API_URL: `${GITLAB}/api/v4/` };

describe('gateway-env', () => {
  it.each([
    ['consistent', good, 'pass', /are consistent with the GitLab checked/],
    ['trailing slash on the instance URL', { ...good, AIGW_GITLAB_URL: `${GITLAB}/` }, 'pass', /consistent/],
    ['missing AIGW_GITLAB_URL', { AIGW_GITLAB_API_URL: `${GITLAB}/api/v4/` }, 'fail', /AIGW_GITLAB_URL is not set/],
    ['another GitLab', { ...good, AIGW_GITLAB_URL: 'https://old-gitlab.example.com', AIGW_GITLAB_API_URL: 'https://old-gitlab.example.com/api/v4/' }, 'fail', /is not the GitLab being checked/],
    ['not a URL', { ...good, AIGW_GITLAB_URL: 'gitlab.example.com' }, 'fail', /is not an http\(s\) URL/],
    ['API URL without trailing slash', { ...good, AIGW_GITLAB_API_URL: `${GITLAB}/api/v4` }, 'fail', /does not end with \/api\/v4\/.*urljoin/],
    ['API URL of another host', { ...good, AIGW_GITLAB_API_URL: 'https://other.example.com/api/v4/' }, 'fail', /does not belong to AIGW_GITLAB_URL/],
    ['API URL missing', { AIGW_GITLAB_URL: GITLAB }, 'warn', /AIGW_GITLAB_API_URL is not set/],
    ['auth bypassed', { ...good, AIGW_AUTH__BYPASS_EXTERNAL: 'true' }, 'fail', /BYPASS_EXTERNAL is on.*security finding/],
    ['custom models off', { ...good, AIGW_CUSTOM_MODELS__ENABLED: 'false' }, 'warn', /self-hosted models are disabled/],
  ] as const)('%s → %s', async (_name, env, status, summary) => {
    const outcome = await check.run(makeContext({ gitlabUrl: GITLAB, env }));
    expect(outcome.status).toBe(status);
    expect(outcome.summary).toMatch(summary);
    if (status !== 'pass') expect(outcome.remediation).toMatch(/AIGW_|restart/);
  });

  it('skips where no AIGW_* variable is set: not the gateway environment', async () => {
    const outcome = await check.run(makeContext({ env: { PATH: '/usr/bin' } }));
    expect(outcome).toMatchObject({ status: 'skip' });
    expect(outcome.details?.join()).toMatch(/--exec/);
  });

  it('reports every finding, not just the first', async () => {
    const outcome = await check.run(makeContext({ gitlabUrl: GITLAB, env: { AIGW_GITLAB_URL: GITLAB, AIGW_GITLAB_API_URL: GITLAB, AIGW_AUTH__BYPASS_EXTERNAL: '1' } }));
    expect(outcome.status).toBe('fail');
    expect(outcome.details?.filter((d) => d.startsWith('✗'))).toHaveLength(2);
  });

  it('never echoes other AIGW_* values, which may hold provider keys', async () => {
    const outcome = await check.run(makeContext({ env: { ...good, AIGW_ANTHROPIC__API_KEY: 'sk-secret-value' } }));
    expect(JSON.stringify(outcome)).not.toContain('sk-secret-value');
  });
});
