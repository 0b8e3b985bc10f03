// gateway-exposure live: behind the real nginx (TLS front) with the reference gateway's own port reachable or not, and its
// documentation on (as the self-hosted image sets it) with auth on and bypassed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/gateway-exposure.js';
import { closedPort } from '../../src/reference/http.js';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import { makeContext } from '../helpers/context.js';
import { guideBlock443, startNginx, type RunningNginx } from '../helpers/nginx.js';
import { useTlsFixtures } from '../tls/fixtures.js';
const fixtures = useTlsFixtures();
const quiet = () => {};
const DOCS_ENV = { AIGW_FASTAPI__DOCS_URL: '/docs', AIGW_FASTAPI__OPENAPI_URL: '/openapi.json' };

describe('gateway-exposure behind the real nginx', () => {
  let gateway: RunningGateway;
  let bypassed: RunningGateway;
  let nginx: RunningNginx;

  beforeAll(async () => {
    [gateway, bypassed] = await Promise.all([
      startGateway({ env: DOCS_ENV, log: quiet }),
      startGateway({ env: { ...DOCS_ENV, AIGW_AUTH__BYPASS_EXTERNAL: 'true' }, log: quiet }),
    ]);
    const { chainFile, keyFile } = fixtures().served.valid;
    nginx = await startNginx({
      serverBlocks: [
        guideBlock443({ port: '{{PORT}}', upstream: gateway.url, certificate: chainFile, key: keyFile }),
        guideBlock443({ port: '{{PORT2}}', upstream: bypassed.url, certificate: chainFile, key: keyFile }),
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await nginx?.stop();
    await Promise.all([gateway?.close(), bypassed?.close()]);
  });

  const run = (port: number, directPorts: number[]) =>
    check.run(
      makeContext({
        gatewayUrl: `https://127.0.0.1:${port}`,
        gatewayUrlSource: 'flag',
        caFile: fixtures().bundles.good,
        gatewayDirectPorts: directPorts,
      }),
    );

  it("warns when the gateway's own port answers plain http next to the proxy", async () => {
    const out = await run(nginx.port, [gateway.port]);
    expect(out.findings).toEqual([
      { id: 'directPortOpen', status: 'warn' },
      { id: 'docsNotServed', status: 'pass' },
    ]);
    expect(out.evidence).toMatchObject({ openPorts: [gateway.port] });
  });

  it('passes when only the proxy answers', async () => {
    const out = await run(nginx.port, [await closedPort()]);
    expect(out.findings).toEqual([
      { id: 'directPortsClosed', status: 'pass' },
      { id: 'docsNotServed', status: 'pass' },
    ]);
  });

  it('warns when the documentation is served without a token (auth bypassed)', async () => {
    const out = await run(nginx.ports['PORT2'] ?? 0, [await closedPort()]);
    expect(out.findings).toEqual([
      { id: 'directPortsClosed', status: 'pass' },
      { id: 'docsServed', status: 'warn' },
    ]);
    expect(out.evidence).toMatchObject({ docsServed: ['/docs', '/openapi.json'] });
  });
});
