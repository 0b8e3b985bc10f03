// The security checks against the healthy installation and the vulnerable, directly exposed one: which finding each
// check reports (the scenario table only records which checks fail).
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { defaultSettings } from '../../src/config/settings.js';
import { findScenario, startStack } from '../../src/reference/scenarios.js';
import { runChecks } from '../../src/runner/run.js';

const SECURITY = CHECKS.filter((c) => c.category === 'security');

async function findingsOf(name: string): Promise<Record<string, string[]>> {
  const scenario = findScenario(name);
  if (!scenario) throw new Error(name);
  const stack = await startStack(scenario);
  try {
    const run = await runChecks(SECURITY, defaultSettings(stack.settingsOverrides));
    return Object.fromEntries(run.results.map((r) => [r.id, (r.findings ?? []).map((f) => `${f.id}:${f.status}`)]));
  } finally {
    await stack.close();
  }
}

describe('security checks × scenarios', () => {
  it('healthy: every security check passes', async () => {
    expect(await findingsOf('healthy')).toEqual({
      'host-header-bypass': ['refused:pass'],
      'auth-bypass-switches': ['headerRefused:pass', 'forgedRefused:pass'],
      'gateway-exposure': ['directPortsClosed:pass', 'docsNotServed:pass'],
      'proxy-tls': ['protocolsOk:pass', 'certificateOk:pass'],
      'known-vulnerabilities': ['clear:pass', 'clear:pass'],
    });
  });

  it('gateway-exposed-vulnerable: the bypass, the open port and both versions are reported', async () => {
    expect(await findingsOf('gateway-exposed-vulnerable')).toEqual({
      'host-header-bypass': ['bypassed:fail'],
      'auth-bypass-switches': ['headerRefused:pass', 'forgedRefused:pass'],
      'gateway-exposure': ['directPortOpen:warn', 'docsNotServed:pass'],
      'proxy-tls': ['protocolsOk:pass', 'certificateOk:pass'],
      'known-vulnerabilities': ['gitlabAffected:fail', 'gatewayAffected:fail'],
    });
  });
});
