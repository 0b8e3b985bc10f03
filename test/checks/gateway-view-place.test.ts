// Judge the machine you are on: without --exec and without the gateway's environment (no AIGW_*), the checks that run
// Python "as the gateway" must not run it here with this process's environment: they skip, saying how to run them there.
import { describe, expect, it } from 'vitest';
import gatewayFetchesJwks from '../../checks/gateway-fetches-jwks.js';
import gatewayTrustsGitlab from '../../checks/gateway-trusts-gitlab.js';
import { makeContext } from '../helpers/context.js';

const checks = [gatewayTrustsGitlab, gatewayFetchesJwks];

describe.each(checks)('$id off the gateway', (check) => {
  it('skips with notTheGateway and starts nothing on this host', async () => {
    const ctx = makeContext({
      gitlabUrl: 'https://gitlab.example.com',
      env: { PATH: process.env.PATH, REQUESTS_CA_BUNDLE: '/etc/ssl/certs/ca-certificates.crt' },
    });
    const out = await check.run(ctx);
    expect(out.findings).toEqual([{ id: 'notTheGateway', status: 'skip' }]);
    expect(out.details?.join('\n')).toMatch(/--exec "docker exec <container>"/);
    expect(ctx.memoKeys).not.toContain('runtime:host');
  });
});
