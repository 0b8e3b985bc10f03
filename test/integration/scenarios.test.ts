// Every scenario of the reference stack against the whole registry: exactly its expected checks fail, and the healthy
// installation passes everything that applies. The table lives with the scenarios (src/reference/scenarios.ts).
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { defaultSettings } from '../../src/config/settings.js';
import { runChecks } from '../../src/runner/run.js';
import { SCENARIOS, startStack, type Scenario } from '../../src/reference/scenarios.js';
import { isFailing } from '../../src/model.js';
import { scenarioLacks } from '../helpers/scenario-needs.js';

describe('reference scenarios × every check', () => {
  it.for(SCENARIOS.map((s) => [s.name, s] as const))('%s fails exactly its expected checks', async ([, scenario], { skip }) => {
    const lacks = scenarioLacks(scenario as Scenario);
    if (lacks) return skip(lacks);
    const stack = await startStack(scenario);
    try {
      const run = await runChecks(CHECKS, defaultSettings(stack.settingsOverrides));
      const failing = run.results
        .filter((r) => isFailing(r.status))
        .map((r) => r.id)
        .sort();
      expect(failing, JSON.stringify(run.results.filter((r) => failing.includes(r.id)).map((r) => [r.id, r.summary]))).toEqual(
        [...scenario.expectedFailures].sort(),
      );
      const warned = run.results.filter((r) => r.status === 'warn').map((r) => r.id);
      expect(warned).toEqual(expect.arrayContaining([...((scenario as Scenario).expectedWarnings ?? [])]));
      for (const [id, findings] of Object.entries((scenario as Scenario).expectedFindings ?? {}))
        expect([id, run.results.find((r) => r.id === id)?.findings?.map((f) => f.id)]).toEqual([id, findings]);
      if (scenario.name === 'healthy') {
        const notPassing = run.results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.status} ${r.summary}`);
        // Both servers over https with one private CA that every side trusts: every check applies and passes.
        expect(notPassing).toEqual([]);
      }
    } finally {
      await stack.close();
    }
  });
});
