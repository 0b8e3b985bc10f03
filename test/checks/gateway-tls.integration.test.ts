// gateway-tls against real TLS servers on loopback: the gateway's front judged as GitLab trusts it (system roots plus --ca-file).
import { afterAll, describe, expect, it } from 'vitest';
import check from '../../checks/gateway-tls.js';
import type { Settings } from '../../src/config/settings.js';
import type { ServedFixture, TlsFixtures } from '../../scripts/fixtures.js';
import { makeContext } from '../helpers/context.js';
import { startTlsServer, useTlsFixtures, type CountingTlsServer } from '../tls/fixtures.js';

const fixtures = useTlsFixtures();
const servers: CountingTlsServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

async function gatewayAt(pick: (f: TlsFixtures) => ServedFixture, settings: Partial<Settings> = {}) {
  const served = pick(fixtures());
  const server = await startTlsServer({ cert: served.chainPem, key: served.leaf.keyPem });
  servers.push(server);
  return check.run(makeContext({ gatewayUrl: `https://localhost:${server.port}`, gatewayUrlSource: 'flag', ...settings }));
}

describe('gateway-tls', () => {
  it('passes with the private root given as --ca-file (on top of the system roots)', async () => {
    const outcome = await gatewayAt((f) => f.served.valid, { caFile: fixtures().bundles.good });
    expect(outcome.status).toBe('pass');
    expect(outcome.summary).toMatch(/^The AI gateway at localhost:\d+ presents a valid chain to "duo-doctor fixtures root CA"/);
    expect(outcome.details).toContainEqual(
      expect.stringMatching(/^trust: as GitLab would, the system roots plus --ca-file \(.*\) \(\d{3} certificates\)$/),
    );
  });

  it("ignores the gateway's own bundle variables: GitLab does not read them", async () => {
    const outcome = await gatewayAt((f) => f.served.valid, {
      env: { SSL_CERT_FILE: fixtures().bundles.good, REQUESTS_CA_BUNDLE: fixtures().bundles.good },
    });
    expect(outcome.status).toBe('fail');
    expect(outcome.remediation).toMatch(
      /^Add the root CA behind .* to GitLab's trusted certificates \(copy it to \/etc\/gitlab\/trusted-certs\/ and run sudo gitlab-ctl reconfigure\), and give it to duo-doctor with --ca-file\.$/,
    );
  });

  it('fails a self-signed front, with the fix on the front', async () => {
    const outcome = await gatewayAt((f) => f.served.selfSigned, { caFile: fixtures().bundles.good });
    expect(outcome.findings).toEqual([{ id: 'selfSignedLeaf', status: 'fail' }]);
    expect(outcome.summary).toMatch(/^The AI gateway: the server's certificate "gitlab\.test" .* is self-signed/);
    expect(outcome.remediation).toMatch(/^Replace the self-signed certificate on the gateway's TLS front/);
  });

  it('trusts a self-signed front whose certificate the user gives with --ca-file, as gateway-reachable does', async () => {
    const outcome = await gatewayAt((f) => f.served.selfSigned, { caFile: fixtures().served.selfSigned.chainFile });
    expect(outcome.findings).toEqual([{ id: 'selfSignedTrusted', status: 'pass' }]);
    expect(outcome.summary).toMatch(/presents the self-signed certificate "gitlab\.test" .* which the system roots plus --ca-file .* holds/);
  });

  it('fails a front that does not send its intermediate', async () => {
    const outcome = await gatewayAt((f) => f.served.missingIntermediate, { caFile: fixtures().bundles.good });
    expect(outcome.status).toBe('fail');
    expect(outcome.remediation).toMatch(/fullchain\.pem/);
  });
});
