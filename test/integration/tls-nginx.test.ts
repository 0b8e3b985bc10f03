// A real nginx (Debian package) in front of the reference gateway, configured with the install guide's default.conf
// on loopback ports; gateway-tls judges each front: full chain, missing intermediate, self-signed (trusted or not).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/gateway-tls.js';
import { httpRequest } from '../../src/probes/http.js';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import type { ServedFixture, TlsFixtures } from '../../scripts/fixtures.js';
import { makeContext } from '../helpers/context.js';
import { guideBlock443, startNginx, type RunningNginx } from '../helpers/nginx.js';
import { useTlsFixtures } from '../tls/fixtures.js';

const fixtures = useTlsFixtures();

type Front = 'fullchain' | 'missingIntermediate' | 'selfSigned';
/** Each front: the certificate it serves and the startNginx port placeholder it listens on. */
const FRONTS: Record<Front, { served: (f: TlsFixtures) => ServedFixture; port: string }> = {
  fullchain: { served: (f) => f.served.valid, port: 'PORT' },
  missingIntermediate: { served: (f) => f.served.missingIntermediate, port: 'PORT2' },
  selfSigned: { served: (f) => f.served.selfSigned, port: 'PORT3' },
};

describe('gateway-tls against a real nginx front (install guide default.conf)', () => {
  let nginx: RunningNginx | undefined;
  let gateway: RunningGateway | undefined;

  beforeAll(async () => {
    gateway = await startGateway({ env: {}, log: () => undefined });
    const upstream = `http://127.0.0.1:${gateway.port}`;
    const servers = Object.values(FRONTS).map(({ served, port }) => {
      const { chainFile, keyFile } = served(fixtures());
      return guideBlock443({ port: `{{${port}}}`, upstream, certificate: chainFile, key: keyFile });
    });
    nginx = await startNginx({ serverBlocks: servers.join('\n') });
  });

  afterAll(async () => {
    await nginx?.stop();
    await gateway?.close();
  });

  const portOf = (front: Front): number => {
    const port = nginx?.ports[FRONTS[front].port];
    if (port === undefined) throw new Error(`nginx does not listen for the ${front} front`);
    return port;
  };
  const judge = (front: Front, caFile?: string) =>
    check.run(makeContext({ gatewayUrl: `https://127.0.0.1:${portOf(front)}`, gatewayUrlSource: 'flag', ...(caFile ? { caFile } : {}) }));

  it('proxies to the reference gateway (the front is real)', async () => {
    const exchange = await httpRequest({
      url: `https://127.0.0.1:${portOf('fullchain')}/monitoring/healthz`,
      ca: [fixtures().root.certPem],
      timeoutMs: 5000,
    });
    expect(exchange.ok && exchange.response.status).toBe(200);
    expect(exchange.ok && exchange.response.headers['server']).toMatch(/^nginx/);
  });

  it('passes the full chain with the private root given as --ca-file', async () => {
    const outcome = await judge('fullchain', fixtures().bundles.good);
    expect(outcome.status).toBe('pass');
    expect(outcome.evidence?.['chain']).toHaveLength(2);
    expect(outcome.details).toContainEqual(expect.stringMatching(/^handshake: TLSv1\.3/));
  });

  it('fails the full chain when GitLab does not trust the private root', async () => {
    const outcome = await judge('fullchain');
    expect(outcome.status).toBe('fail');
    expect(outcome.findings).toEqual([{ id: 'untrustedRoot', status: 'fail' }]);
    expect(outcome.remediation).toMatch(/\/etc\/gitlab\/trusted-certs/);
  });

  it('fails a front serving cert.pem instead of fullchain.pem: missing intermediate', async () => {
    const outcome = await judge('missingIntermediate', fixtures().bundles.good);
    expect(outcome.status).toBe('fail');
    expect(outcome.findings).toEqual([{ id: 'missingIntermediate', status: 'fail' }]);
    expect(outcome.remediation).toMatch(/ssl_certificate must name fullchain\.pem/);
  });

  it('fails a self-signed front nobody trusts', async () => {
    const outcome = await judge('selfSigned', fixtures().bundles.good);
    expect(outcome.findings).toEqual([{ id: 'selfSignedLeaf', status: 'fail' }]);
  });

  it('passes a self-signed front whose certificate the user trusts explicitly with --ca-file, as gateway-reachable does', async () => {
    const outcome = await check.run(
      makeContext({
        gatewayUrl: `https://localhost:${portOf('selfSigned')}`,
        gatewayUrlSource: 'flag',
        caFile: fixtures().served.selfSigned.chainFile,
      }),
    );
    expect(outcome.findings).toEqual([{ id: 'selfSignedTrusted', status: 'pass' }]);
  });
});
