// host-header-bypass live: the reference gateway emulating a release before and after ai-gateway 219d702b3 — directly,
// and behind the real nginx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { HOST_VECTORS } from '../../checks/host-header-bypass.js';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import { makeContext } from '../helpers/context.js';
import { guideBlock80, startNginx, type RunningNginx } from '../helpers/nginx.js';
const quiet = () => {};

async function runAgainst(url: string) {
  return check.run(makeContext({ gatewayUrl: url, gatewayUrlSource: 'flag' }));
}

describe('host-header-bypass against the reference gateway', () => {
  let vulnerable: RunningGateway;
  let fixed: RunningGateway;
  let nginx: RunningNginx;

  beforeAll(async () => {
    [vulnerable, fixed] = await Promise.all([
      startGateway({ env: {}, log: quiet, version: 'self-hosted-v18.6.0-ee' }),
      startGateway({ env: {}, log: quiet, version: 'self-hosted-v19.1.0-ee' }),
    ]);
    nginx = await startNginx({ serverBlocks: guideBlock80({ port: '{{PORT}}', upstream: vulnerable.url }) });
  });
  afterAll(async () => {
    await nginx?.stop();
    await Promise.all([vulnerable?.close(), fixed?.close()]);
  });

  it('fails a release before the fix, reached directly: every vector gets 405 past authentication', async () => {
    const out = await runAgainst(vulnerable.url);
    expect(out.findings).toEqual([{ id: 'bypassed', status: 'fail' }]);
    expect(out.evidence?.['vectors']).toEqual(HOST_VECTORS.map((host) => ({ host, status: 405, fromGateway: true })));
  });

  it('passes the first release after the fix: every vector gets 401', async () => {
    const out = await runAgainst(fixed.url);
    expect(out.findings).toEqual([{ id: 'refused', status: 'pass' }]);
  });

  it("behind the install guide's nginx the vulnerable release is shielded: nginx answers the vectors with 400 itself", async () => {
    const out = await runAgainst(nginx.url);
    expect(out.findings).toEqual([{ id: 'blockedByProxy', status: 'pass' }]);
    expect(out.evidence?.['vectors']).toEqual(HOST_VECTORS.map((host) => ({ host, status: 400, fromGateway: false })));
  });
});
