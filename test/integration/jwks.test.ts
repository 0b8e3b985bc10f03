// The jwks checks against the reference stack: healthy passes all three, each broken installation fails exactly its check.
import { describe, expect, it } from 'vitest';
import jwksReachable from '../../checks/jwks-reachable.js';
import jwksValid from '../../checks/jwks-valid.js';
import tokenVerifies from '../../checks/token-verifies.js';
import { defaultSettings, type Settings } from '../../src/config/settings.js';
import type { CheckResult, Status } from '../../src/model.js';
import { findScenario, startStack, type Scenario, type Stack } from '../../src/reference/scenarios.js';
import { runChecks } from '../../src/runner/run.js';

const CHECKS = [jwksReachable, jwksValid, tokenVerifies];

function scenario(name: string): Scenario {
  const s = findScenario(name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

async function runStack(s: Scenario, extra: (stack: Stack) => Partial<Settings> = () => ({})): Promise<Record<string, CheckResult>> {
  const stack = await startStack(s);
  try {
    const run = await runChecks(CHECKS, defaultSettings({ ...stack.settingsOverrides, ...extra(stack), timeoutMs: 15_000 }));
    expect(JSON.stringify(run)).not.toContain(stack.adminToken);
    return Object.fromEntries(run.results.map((r) => [r.id, r]));
  } finally {
    await stack.close();
  }
}

const statuses = (r: Record<string, CheckResult>) => CHECKS.map((c) => r[c.id]?.status);

/** Scenario → statuses of jwks-reachable, jwks-valid, token-verifies (a failed dependency skips the rest), and what else to assert. */
const TABLE: [string, Status[], (r: Record<string, CheckResult>) => void][] = [
  [
    'healthy',
    ['pass', 'pass', 'pass'],
    (r) => {
      // GitLab publishes its OpenID Connect key and its Cloud Connector key.
      expect(r['jwks-valid']?.evidence).toMatchObject({ keyCount: 2 });
      expect(r['token-verifies']?.evidence).toMatchObject({ directAccessStatus: 201 });
      expect(r['token-verifies']?.findings?.map((f) => f.id)).toEqual(['exchanged']);
    },
  ],
  [
    'jwks-unreachable',
    ['fail', 'skip', 'skip'],
    (r) => expect(r['jwks-reachable']?.summary).toMatch(/^the key set \(jwks_uri\): connection to 127\.0\.0\.1:\d+ refused/),
  ],
  ['jwks-empty', ['pass', 'fail', 'skip'], (r) => expect(r['jwks-valid']?.findings?.map((f) => f.id)).toEqual(['keysEmpty'])],
  [
    'wrong-audience',
    ['pass', 'pass', 'fail'],
    (r) => expect(r['token-verifies']?.findings?.map((f) => f.id)).toEqual(['gatewayRefused', 'staleOrForeignKeys']),
  ],
  [
    'clock-skew',
    ['pass', 'pass', 'fail'],
    (r) => expect(r['token-verifies']?.findings?.map((f) => f.id)).toEqual(['gatewayRefused', 'gitlabClockAhead']),
  ],
  [
    'key-rotated-after-cache',
    ['pass', 'pass', 'fail'],
    (r) => expect(r['token-verifies']?.findings?.map((f) => f.id)).toEqual(['gatewayRefused', 'staleOrForeignKeys']),
  ],
  [
    'gateway-without-signing-key',
    ['pass', 'pass', 'fail'],
    (r) => expect(r['token-verifies']?.findings?.map((f) => f.id)).toEqual(['gatewayFailed', 'signingKeyUnset']),
  ],
  ['ca-only-in-ssl-cert-file', ['fail', 'skip', 'skip'], (r) => expect(r['jwks-reachable']?.findings?.map((f) => f.id)).toEqual(['tls'])],
  // No Code Suggestions access: GitLab refuses the token (401); that is the license check's failure, not a key problem.
  ['expired-license', ['pass', 'pass', 'skip'], (r) => expect(r['token-verifies']?.evidence).toMatchObject({ directAccessStatus: 401 })],
  ['private-ca-no-bundle', ['fail', 'skip', 'skip'], (r) => expect(r['jwks-reachable']?.summary).toMatch(/TLS failure .* trusting certifi's roots/)],
  ['self-signed-gitlab', ['fail', 'skip', 'skip'], (r) => expect(r['jwks-reachable']?.evidence).toMatchObject({ failureKind: 'tls' })],
  [
    'expired-gitlab-cert',
    ['fail', 'skip', 'skip'],
    (r) => expect(r['jwks-reachable']?.evidence).toMatchObject({ failureKind: 'tls', trustSource: 'REQUESTS_CA_BUNDLE' }),
  ],
];

describe('jwks checks against the reference stack', () => {
  it.each(TABLE)('%s → %j', async (name, expected, also) => {
    const results = await runStack(scenario(name));
    expect(statuses(results)).toEqual(expected);
    also(results);
  });

  describe('GitLab over https with a private CA', () => {
    const trusted: Scenario = { ...scenario('healthy'), name: 'private-ca-trusted', tls: 'private-ca', trust: { gateway: true, doctor: true } };

    it('passes when REQUESTS_CA_BUNDLE holds the root', async () => {
      const r = await runStack(trusted);
      expect(statuses(r)).toEqual(['pass', 'pass', 'pass']);
      expect(r['jwks-reachable']?.evidence).toMatchObject({ trustSource: 'REQUESTS_CA_BUNDLE' });
    });

    it('fails with the TLS verdict when the bundle lacks the root', async () => {
      const r = await runStack(trusted, (stack) => ({ env: { ...stack.settingsOverrides.env, REQUESTS_CA_BUNDLE: '/dev/null' } }));
      expect(r['jwks-reachable']?.status).toBe('fail');
      expect(r['jwks-reachable']?.summary).toMatch(/TLS failure with 127\.0\.0\.1:\d+ — the gateway, trusting REQUESTS_CA_BUNDLE \(\/dev\/null\)/);
      expect(r['jwks-reachable']?.remediation).toMatch(/gitlab-tls and ca-bundle/);
    });
  });
});
