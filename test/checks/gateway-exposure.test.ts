// gateway-exposure: the judge over ports and documentation answers; live behind the real nginx (TLS front) with the
// reference gateway's own port reachable or not, documentation on (self-hosted image) with auth on and bypassed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/gateway-exposure.js';
import { closedPort } from '../../src/reference/http.js';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import { makeContext } from '../helpers/context.js';
import { guideBlock443, startNginx, type RunningNginx } from '../helpers/nginx.js';
import { fromGateway, noAnswer, refusedConnection } from '../helpers/probe-answers.js';
import { useTlsFixtures } from '../tls/fixtures.js';

const base = (over: Partial<Facts>): Facts => ({
  url: 'https://aigw.example.com',
  host: 'aigw.example.com',
  https: true,
  ports: [
    { port: 5052, answer: refusedConnection },
    { port: 50052, answer: refusedConnection },
  ],
  docs: [
    { path: '/docs', answer: fromGateway(401) },
    { path: '/openapi.json', answer: fromGateway(401) },
  ],
  ...over,
});
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

describe('gateway-exposure judge', () => {
  it.each<[string, Facts, string[]]>([
    ['no gateway URL', { https: false, ports: [], docs: [] }, ['noGateway']],
    ['closed ports, docs behind auth', base({}), ['directPortsClosed', 'docsNotServed']],
    ['the gateway port answers', base({ ports: [{ port: 5052, answer: fromGateway(200) }, { port: 50052, answer: refusedConnection }] }), ['directPortOpen', 'docsNotServed']],
    ['the workflow port accepts but speaks no HTTP/1.1', base({ ports: [{ port: 5052, answer: refusedConnection }, { port: 50052, answer: noAnswer }] }), ['directPortOpen', 'docsNotServed']],
    ['docs served', base({ docs: [{ path: '/docs', answer: fromGateway(200) }, { path: '/openapi.json', answer: fromGateway(401) }] }), ['directPortsClosed', 'docsServed']],
    ['docs off (404)', base({ docs: [{ path: '/docs', answer: fromGateway(404) }, { path: '/openapi.json', answer: fromGateway(404) }] }), ['directPortsClosed', 'docsNotServed']],
    ['plain http gateway URL: no proxy to go around', base({ url: 'http://aigw.example.com:5052', https: false, ports: [] }), ['notBehindTls', 'docsNotServed']],
  ])('%s', (_name, f, expected) => {
    expect(ids(f)).toEqual(expected);
  });
});

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
    check.run(makeContext({ gatewayUrl: `https://127.0.0.1:${port}`, gatewayUrlSource: 'flag', caFile: fixtures().bundles.good, gatewayDirectPorts: directPorts }));

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
