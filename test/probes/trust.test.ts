// Trust selection: which bundle the gateway uses (REQUESTS_CA_BUNDLE > SSL_CERT_FILE > --ca-file > system) and what GitLab trusts.
import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { clientTrust, describeTrustSource, gatewayModelTrust, gatewayTrust, readBundle, type TrustSource } from '../../src/probes/trust.js';
import type { Settings } from '../../src/config/settings.js';
import { makeContext } from '../helpers/context.js';
import { useTlsFixtures } from '../tls/fixtures.js';

const fixtures = useTlsFixtures();

type Pick3 = 'good' | 'withIntermediate' | 'missingEnd';

describe('gatewayTrust precedence', () => {
  const cases: { name: string; requests?: Pick3; curl?: Pick3; ssl?: Pick3; caFile?: Pick3; kind: TrustSource['kind']; count: number | 'system' }[] =
    [
      {
        name: 'all set: REQUESTS_CA_BUNDLE wins',
        requests: 'withIntermediate',
        curl: 'good',
        ssl: 'good',
        caFile: 'good',
        kind: 'REQUESTS_CA_BUNDLE',
        count: 2,
      },
      {
        name: 'CURL_CA_BUNDLE when REQUESTS_CA_BUNDLE is unset',
        curl: 'withIntermediate',
        ssl: 'good',
        caFile: 'good',
        kind: 'CURL_CA_BUNDLE',
        count: 2,
      },
      // Python requests never reads SSL_CERT_FILE: certifi's roots; --ca-file never stands in for the gateway's own environment.
      { name: 'SSL_CERT_FILE is not read: certifi roots when nothing else is set', ssl: 'withIntermediate', kind: 'system', count: 'system' },
      {
        name: "--ca-file does not replace the gateway's own (unset) variables",
        ssl: 'withIntermediate',
        caFile: 'good',
        kind: 'system',
        count: 'system',
      },
      { name: 'system roots when nothing is set', kind: 'system', count: 'system' },
      { name: 'a bundle replaces the system roots, even a broken one', requests: 'missingEnd', kind: 'REQUESTS_CA_BUNDLE', count: 1 },
    ];

  it.each(cases)('$name', async ({ requests, curl, ssl, caFile, kind, count }) => {
    const f = fixtures();
    const settings: Partial<Settings> = {
      env: {
        // This process's environment is the gateway's (an AIGW_* variable): its CA variables decide.
        AIGW_GITLAB_URL: 'https://gitlab.example.com',
        ...(requests ? { REQUESTS_CA_BUNDLE: f.bundles[requests] } : {}),
        ...(curl ? { CURL_CA_BUNDLE: f.bundles[curl] } : {}),
        ...(ssl ? { SSL_CERT_FILE: f.bundles[ssl] } : {}),
      },
      ...(caFile ? { caFile: f.bundles[caFile] } : {}),
    };
    const trust = await gatewayTrust(makeContext(settings));
    expect(trust.source.kind).toBe(kind);
    expect(trust.ca).toHaveLength(count === 'system' ? rootCertificates.length : count);
    if (kind !== 'system') expect(trust.source.file).toBe(f.bundles[requests ?? curl ?? caFile ?? 'good']);
    if (ssl && kind === 'system') expect(trust.problems).toEqual([expect.stringMatching(/Python requests does not read it/)]);
  });

  it('names a missing file and bad blocks as problems', async () => {
    const gw = { AIGW_GITLAB_URL: 'https://gitlab.example.com' };
    const missing = await gatewayTrust(makeContext({ env: { ...gw, REQUESTS_CA_BUNDLE: '/nonexistent/ca.pem' } }));
    expect(missing.ca).toEqual([]);
    expect(missing.problems).toEqual(['/nonexistent/ca.pem: the file does not exist']);
    const broken = await gatewayTrust(makeContext({ env: { ...gw, REQUESTS_CA_BUNDLE: fixtures().bundles.missingEnd } }));
    expect(broken.problems).toEqual([expect.stringMatching(/bundle-missingEnd\.pem: block 2 \(line \d+, CERTIFICATE\): no END line/)]);
  });

  it.each([
    [
      'SSL_VERIFY naming a bundle',
      { SSL_VERIFY: 'good', SSL_CERT_FILE: 'withIntermediate', REQUESTS_CA_BUNDLE: 'withIntermediate', AIGW_GITLAB_URL: 'x' },
      'SSL_VERIFY',
    ],
    [
      'SSL_CERT_FILE, never REQUESTS_CA_BUNDLE',
      { SSL_CERT_FILE: 'good', REQUESTS_CA_BUNDLE: 'withIntermediate', AIGW_GITLAB_URL: 'x' },
      'SSL_CERT_FILE',
    ],
    ['certifi when only REQUESTS_CA_BUNDLE is set', { REQUESTS_CA_BUNDLE: 'good', AIGW_GITLAB_URL: 'https://gitlab.example.com' }, 'system'],
  ] as const)("gatewayModelTrust (LiteLLM's rules): %s", async (_name, vars, kind) => {
    const f = fixtures();
    const env = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, k.startsWith('AIGW') ? v : f.bundles[v as Pick3]]));
    const trust = await gatewayModelTrust(makeContext({ env }));
    expect(trust.source.kind).toBe(kind);
  });

  it('gatewayModelTrust: SSL_VERIFY=false is said, and a missing SSL_CERT_FILE falls back to certifi', async () => {
    const trust = await gatewayModelTrust(makeContext({ env: { SSL_VERIFY: 'False', SSL_CERT_FILE: '/nonexistent/ca.pem', AIGW_GITLAB_URL: 'x' } }));
    expect(trust.source.kind).toBe('system');
    expect(trust.problems).toEqual([expect.stringMatching(/does not verify/), expect.stringMatching(/does not exist, so LiteLLM ignores it/)]);
  });

  // Judge the machine you are on: without --exec and without the gateway's environment, this host's CA variables are not the gateway's.
  const elsewhere: { name: string; caFile?: Pick3; exec?: string; kind: TrustSource['kind']; known: boolean }[] = [
    { name: "this host's variables are ignored; --ca-file describes the gateway's bundle", caFile: 'good', kind: '--ca-file', known: true },
    { name: "this host's variables are ignored; nothing described: certifi's roots, the gateway's trust unknown", kind: 'system', known: false },
    { name: "under --exec this host's variables are not the container's either", exec: 'docker exec aigw', kind: 'system', known: false },
  ];
  it.each(elsewhere)('not the gateway: $name', async ({ caFile, exec, kind, known }) => {
    const f = fixtures();
    const env = {
      REQUESTS_CA_BUNDLE: f.bundles.withIntermediate,
      CURL_CA_BUNDLE: f.bundles.withIntermediate,
      SSL_CERT_FILE: f.bundles.withIntermediate,
      SSL_VERIFY: f.bundles.withIntermediate,
    };
    const settings: Partial<Settings> = { env, ...(caFile ? { caFile: f.bundles[caFile] } : {}), ...(exec ? { exec } : {}) };
    for (const trust of [await gatewayTrust(makeContext(settings)), await gatewayModelTrust(makeContext(settings))]) {
      expect(trust.source.kind).toBe(kind);
      expect(trust.unknown ?? false).toBe(!known);
      expect(trust.problems).toEqual([]);
    }
  });

  it('is memoised for the run', async () => {
    const ctx = makeContext({ caFile: fixtures().bundles.good });
    const [a, b] = await Promise.all([gatewayTrust(ctx), gatewayTrust(ctx)]);
    expect(a).toBe(b);
    expect(ctx.memoKeys.filter((k) => k === 'trust:gateway')).toHaveLength(2);
  });
});

describe('clientTrust', () => {
  it('is the system roots without --ca-file', async () => {
    const trust = await clientTrust(makeContext({ env: { SSL_CERT_FILE: fixtures().bundles.good } }));
    expect(trust.source).toEqual({ kind: 'system' });
    expect(trust.ca).toEqual([...rootCertificates]);
  });

  it('adds the --ca-file certificates to the system roots (and ignores the gateway variables)', async () => {
    const f = fixtures();
    const trust = await clientTrust(makeContext({ caFile: f.bundles.withIntermediate, env: { REQUESTS_CA_BUNDLE: f.bundles.good } }));
    expect(trust.source).toEqual({ kind: '--ca-file', file: f.bundles.withIntermediate });
    expect(trust.ca).toHaveLength(rootCertificates.length + 2);
  });
});

describe('readBundle', () => {
  it('reads each file once per run, whoever asks', async () => {
    const f = fixtures();
    const ctx = makeContext({ caFile: f.bundles.good, env: { SSL_CERT_FILE: f.bundles.good } });
    await Promise.all([gatewayTrust(ctx), clientTrust(ctx), readBundle(ctx, f.bundles.good)]);
    const bundleKeys = ctx.memoKeys.filter((k) => k.startsWith('bundle:'));
    expect(new Set(bundleKeys)).toEqual(new Set([`bundle:${f.bundles.good}`]));
  });

  it.each([
    ['a directory', () => fixtures().dir, 'EISDIR', 'it is a directory, not a file'],
    ['a missing file', () => '/nonexistent/x.pem', 'ENOENT', 'the file does not exist'],
  ])('reports %s as data', async (_, file, code, message) => {
    const read = await readBundle(makeContext(), file());
    expect(read.readError).toEqual({ code, message });
  });
});

describe('describeTrustSource', () => {
  it.each([
    [{ kind: 'system' } as const, /certifi's roots/],
    [{ kind: 'SSL_CERT_FILE', file: '/etc/ca.pem' } as const, /^SSL_CERT_FILE \(\/etc\/ca\.pem\)$/],
  ])('%o', (source, expected) => {
    expect(describeTrustSource(source)).toMatch(expected);
  });
});
