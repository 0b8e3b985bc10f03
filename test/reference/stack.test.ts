// Every scenario's stack starts, is broken exactly as described (seen through GitLab's own probes and TLS), and closes clean.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Agent, fetch as undiciFetch } from 'undici';
import { describe, expect, it } from 'vitest';
import http from 'node:http';
import https from 'node:https';
import { fetchText, readBody } from '../../src/reference/http.js';
import { findScenario, listScenarios, SCENARIOS, startStack, type Stack } from '../../src/reference/scenarios.js';
import { runDemo } from '../../src/reference/demo.js';
import { serveGateway, serveGitLab } from '../../src/reference/serve-cli.js';
import { expectRefused } from './helpers.js';

/** What each scenario must look like from the outside. */
interface Expectation {
  /** Names of GitLab's failing cloudConnectorStatus probes (undefined: not asserted, e.g. depends on port 5052). */
  failingProbes?: string[];
  /** The TLS error a client trusting duo-doctor's CA file (or nothing) gets from GitLab; undefined = it connects. */
  tlsError?: string;
}

// GitLab 18.x's self-hosted health check: presence, host (HEAD through GitLab's HTTP client) and license probes — no
// end-to-end probe, so broken token trust (TLS, keys, audience, clock) shows only through DuoAgentPlatformProbe (the
// Duo Workflow Service verifies GitLab's tokens with the gateway container's trust); a blank URL runs the cloud set.
const EXPECTED: Record<string, Expectation> = {
  healthy: { failingProbes: [] },
  'no-gateway-url': {
    failingProbes: ['license_probe', 'host_probe', 'host_probe', 'access_probe', 'token_probe', 'end_to_end_probe'],
  },
  'gateway-down': { failingProbes: ['host_probe'] },
  'gateway-localhost-url': {},
  'auth-bypassed': { failingProbes: [] },
  'auth-bypassed-with-header': { failingProbes: [] },
  'jwt-signature-unchecked': { failingProbes: [] },
  'ca-only-in-ssl-cert-file': {},
  'key-rotated-after-cache': {},
  'gateway-without-signing-key': { failingProbes: [] },
  'self-signed-gitlab': { failingProbes: ['duo_agent_platform_probe'], tlsError: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
  'private-ca-no-bundle': { failingProbes: ['duo_agent_platform_probe'] },
  'missing-intermediate': { failingProbes: ['duo_agent_platform_probe'], tlsError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
  'expired-gitlab-cert': { failingProbes: ['duo_agent_platform_probe'], tlsError: 'CERT_HAS_EXPIRED' },
  'wrong-host-cert': { failingProbes: ['duo_agent_platform_probe'], tlsError: 'ERR_TLS_CERT_ALTNAME_INVALID' },
  'expired-license': { failingProbes: ['code_suggestions_license_probe'] },
  'no-code-suggestions': { failingProbes: ['code_suggestions_license_probe'] },
  'jwks-unreachable': { failingProbes: ['duo_agent_platform_probe'] },
  'jwks-empty': { failingProbes: ['duo_agent_platform_probe'] },
  'wrong-audience': { failingProbes: [] },
  'clock-skew': { failingProbes: ['duo_agent_platform_probe'] },
  'version-mismatch': { failingProbes: [] },
  'gateway-url-mismatch': { failingProbes: ['host_probe'] },
  'url-blocked': { failingProbes: ['host_probe'] },
  // GitLab 17.5's self-hosted set ends with the end-to-end probe, whose token alone the gateway refuses here.
  'health-check-false-alarm': { failingProbes: ['end_to_end_probe'] },
  'models-unassigned': { failingProbes: [] },
  'model-endpoint-without-v1': { failingProbes: [] },
  'model-name-not-served': { failingProbes: [] },
  'model-without-chat-template': { failingProbes: [] },
  'model-tools-off': { failingProbes: [] },
  'model-context-short': { failingProbes: [] },
  // The Duo Workflow Service reads AIGW_GITLAB_URL too: without it, GitLab's tokens fail its ListTools.
  'gateway-gitlab-url-unset': { failingProbes: ['duo_agent_platform_probe'] },
  'gateway-empty-portal-url': { failingProbes: [] },
  'duo-off-instance': { failingProbes: [] },
  'duo-off-group': { failingProbes: [] },
  'bedrock-temporary-credentials': { failingProbes: [] },
  'gateway-metrics-port-clash': { failingProbes: [] },
  'silent-mode': { failingProbes: [] },
  'readonly-tmp': { failingProbes: [] },
  'gateway-exposed-vulnerable': { failingProbes: [] },
  // With duo_agent_platform_service_url set, the health check's DuoAgentPlatformProbe calls ListTools: it fails wherever the
  // service is down, unreachable over TLS/HTTP/2, or cannot verify GitLab's token (it reads the gateway's trust and keys).
  'workflow-service-down': { failingProbes: ['duo_agent_platform_probe'] },
  'workflow-plain-expected-tls': { failingProbes: ['duo_agent_platform_probe'] },
  'workflow-http1-proxy': { failingProbes: ['duo_agent_platform_probe'] },
  'workflow-token-refused': { failingProbes: ['duo_agent_platform_probe'] },
  'workflow-no-signing-key': { failingProbes: [] },
  'workflow-url-unset': { failingProbes: [] },
  'websocket-upgrade-dropped': { failingProbes: [] },
  // GitLab's timeout and the proxy's bound only long streamed answers; the health check's HEAD and license probes are quick.
  'gitlab-gives-up-first': { failingProbes: [] },
  'proxy-gives-up-first': { failingProbes: [] },
  // The model server is asked by the gateway only, never by GitLab's health check.
  'model-localhost-in-container': { failingProbes: [] },
  'image-emulated': { failingProbes: [] },
};

const ca = (stack: Stack) => (stack.settingsOverrides.caFile ? readFileSync(stack.settingsOverrides.caFile, 'utf8') : undefined);

/** GitLab's failing probes, asked without verifying its certificate (some scenarios break exactly that). */
async function probeFailures(stack: Stack): Promise<string[]> {
  const body = JSON.stringify({ query: '{ cloudConnectorStatus { success probeResults { name success message } } }' });
  const text = await new Promise<string>((resolve, reject) => {
    const url = new URL(`${stack.gitlabUrl}/api/v4/graphql`);
    const req = (url.protocol === 'https:' ? https : http).request(
      url,
      { method: 'POST', headers: { 'PRIVATE-TOKEN': stack.adminToken, 'content-type': 'application/json' }, rejectUnauthorized: false },
      (res) => readBody(res).then(resolve, reject),
    );
    req.on('error', reject);
    req.end(body);
  });
  const status = (JSON.parse(text) as { data: { cloudConnectorStatus: { probeResults: { name: string; success: boolean }[] } } }).data
    .cloudConnectorStatus;
  return status.probeResults.filter((p) => !p.success).map((p) => p.name);
}

describe('scenarios', () => {
  it('lists every scenario the issue names, one line each, name first', () => {
    const names = SCENARIOS.map((s) => s.name);
    expect(Object.keys(EXPECTED).sort()).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
    listScenarios().forEach((line, i) => expect(line.startsWith(`${names[i]} `)).toBe(true));
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s starts, behaves as described and closes cleanly', async (name, scenario) => {
    const expected = EXPECTED[name] as Expectation;
    const stack = await startStack(scenario, { adminToken: 'glpat-scenario-token' });
    let closed = false;
    try {
      expect(stack.adminToken).toBe('glpat-scenario-token');
      expect(stack.settingsOverrides).toMatchObject({ gitlabUrl: stack.gitlabUrl, gitlabToken: 'glpat-scenario-token' });
      const env = stack.settingsOverrides.env ?? {};
      // A scenario that unsets it (gateway-gitlab-url-unset) leaves it out.
      if ((scenario.gateway as { env?: Record<string, string> }).env?.['AIGW_GITLAB_URL'] !== '')
        expect(env['AIGW_GITLAB_URL']).toBe(stack.gitlabUrl);
      if (stack.caFile) expect(existsSync(stack.caFile)).toBe(true);

      const meta = fetchText({
        url: `${stack.gitlabUrl}/api/v4/metadata`,
        headers: { 'PRIVATE-TOKEN': stack.adminToken },
        ca: ca(stack) ?? '',
        timeoutMs: 5000,
      });
      if (expected.tlsError) {
        await expect(meta).rejects.toMatchObject({ code: expected.tlsError });
      } else {
        expect((await meta).status).toBe(200);
      }
      if (expected.failingProbes) expect(await probeFailures(stack)).toEqual(expected.failingProbes);
      if (name === 'readonly-tmp') {
        expect(stack.settingsOverrides.tmpDir).toBeDefined();
        expect(stack.settingsOverrides.tmpDir).not.toBe('/tmp');
      }
    } finally {
      await stack.close();
      closed = true;
    }
    expect(closed).toBe(true);
    expect(await expectRefused(stack.gitlabUrl)).toBe('ECONNREFUSED');
    expect(await expectRefused(stack.gatewayUrl)).toBe('ECONNREFUSED');
    if (stack.caFile) expect(existsSync(stack.caFile)).toBe(false);
  });

  it('an https GitLab whose private CA the gateway and duo-doctor are given works end to end', async () => {
    const stack = await startStack({ ...findScenario('healthy')!, name: 'https-trusted', tls: 'private-ca' });
    try {
      expect(stack.settingsOverrides.env?.['REQUESTS_CA_BUNDLE']).toBe(stack.caFile);
      expect(stack.gitlabUrl).toMatch(/^https:/);
      expect(await probeFailures(stack)).toEqual([]);
    } finally {
      await stack.close();
    }
  });

  it('the gateway of auth-bypassed answers without a token; the healthy one refuses', async () => {
    for (const [name, status] of [
      ['auth-bypassed', 200],
      ['healthy', 401],
    ] as const) {
      const stack = await startStack(findScenario(name)!);
      try {
        // The healthy gateway serves https from the stack's private CA.
        const dispatcher = stack.caFile ? new Agent({ connect: { ca: await readFile(stack.caFile, 'utf8') } }) : undefined;
        const res = await undiciFetch(`${stack.gatewayUrl}/v2/code/completions`, {
          method: 'POST',
          body: JSON.stringify({ current_file: { file_name: 'a.rb', content_above_cursor: 'def a' } }),
          ...(dispatcher ? { dispatcher } : {}),
        });
        expect([name, res.status]).toEqual([name, status]);
      } finally {
        await stack.close();
      }
    }
  });
});

describe('demo', () => {
  it('runs the suite with the stack settings (extra settings win), returns its code and closes the stack', async () => {
    let seen: Record<string, unknown> = {};
    const code = await runDemo({ scenario: 'version-mismatch', extraSettings: { timeoutMs: 1234 } }, async (settings) => {
      seen = settings as Record<string, unknown>;
      const res = await fetch(`${settings.gitlabUrl}/api/v4/version`, { headers: { 'PRIVATE-TOKEN': settings.gitlabToken ?? '' } });
      return res.status === 200 ? 7 : 9;
    });
    expect(code).toBe(7);
    expect(seen).toMatchObject({ timeoutMs: 1234, gatewayVersion: 'self-hosted-v19.3.2-ee' });
    expect(await expectRefused(seen['gitlabUrl'] as string)).toBe('ECONNREFUSED');
  });

  it('closes the stack when the suite throws, and rejects an unknown scenario as a usage error', async () => {
    let url = '';
    await expect(
      runDemo({}, async (s) => {
        url = s.gitlabUrl ?? '';
        throw new Error('suite crashed');
      }),
    ).rejects.toThrow('suite crashed');
    expect(await expectRefused(url)).toBe('ECONNREFUSED');
    await expect(runDemo({ scenario: 'nope' }, async () => 0)).rejects.toMatchObject({ name: 'UsageError' });
  });
});

describe('serve commands', () => {
  it('serveGateway prints its listening line and stops on request', async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const done = serveGateway({ port: 0, log: () => {}, out: (l) => lines.push(l), stop: stop.signal });
    await expect.poll(() => lines.length).toBe(1);
    expect(lines[0]).toMatch(/^reference AI gateway listening on http:\/\/127\.0\.0\.1:\d+$/);
    stop.abort();
    await done;
    expect(await expectRefused(lines[0]!.split(' on ')[1]!)).toBe('ECONNREFUSED');
  });

  it('serveGitLab uses GITLAB_TOKEN when set, else prints a generated token once to stderr', async () => {
    for (const env of [{ GITLAB_TOKEN: 'glpat-from-env' }, {}]) {
      const out: string[] = [];
      const err: string[] = [];
      const stop = new AbortController();
      const done = serveGitLab({ port: 0, env, log: () => {}, out: (l) => out.push(l), err: (l) => err.push(l), stop: stop.signal });
      await expect.poll(() => out.length).toBe(1);
      const url = out[0]!.split(' on ')[1]!;
      const token = 'GITLAB_TOKEN' in env ? env.GITLAB_TOKEN : err[0]?.split(': ')[1];
      expect(err.length).toBe('GITLAB_TOKEN' in env ? 0 : 1);
      const res = await fetch(`${url}/api/v4/user`, { headers: { 'PRIVATE-TOKEN': token ?? '' } });
      expect(res.status).toBe(200);
      stop.abort();
      await done;
    }
  });
});
