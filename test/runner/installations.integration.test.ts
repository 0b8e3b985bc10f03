// The --concurrency cap holds across the targets of a multi-target run, counted on the real suite against the
// reference stack: checks in progress (the runner's observer) and exchanges in flight (undici's diagnostics channels).
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { defaultSettings, type Settings } from '../../src/config/settings.js';
import { findScenario, startStack, type Stack } from '../../src/reference/scenarios.js';
import { runAll } from '../../src/runner/installations.js';

const TARGETS = 3;
let stack: Stack;
let tokens: string[];
beforeAll(async () => {
  tokens = Array.from({ length: TARGETS }, (_, i) => `glpat-fleet-target-${i}-0123456789`);
  // Latency keeps exchanges in flight long enough to overlap; each target has its own administrator's token.
  stack = await startStack(findScenario('healthy')!, { latencyMs: 50, otherAdminTokens: tokens });
});
afterAll(() => stack.close());

function fleet(targets: number, concurrency: number): Settings {
  const one = defaultSettings({ ...stack.settingsOverrides, skip: ['proxy-streaming'], concurrency });
  const installations = tokens.slice(0, targets).map((gitlabToken, i) => ({ name: `site-${i + 1}`, settings: { ...one, gitlabToken } }));
  return targets === 1 ? { ...one, gitlabToken: tokens[0]! } : { ...one, installations };
}

/** Runs `settings` and returns the most checks in progress and the most exchanges in flight at once. */
async function peaks(settings: Settings): Promise<{ checks: number; exchanges: number; failing: string[] }> {
  let checks = 0;
  let exchanges = 0;
  const peak = { checks: 0, exchanges: 0 };
  const began = () => (peak.exchanges = Math.max(peak.exchanges, ++exchanges));
  const ended = () => exchanges--;
  subscribe('undici:request:create', began);
  subscribe('undici:request:trailers', ended);
  subscribe('undici:request:error', ended);
  try {
    const run = await runAll(CHECKS, settings, {
      observer: {
        onStart: () => (peak.checks = Math.max(peak.checks, ++checks)),
        onFinish: (r) => r.status !== 'skip' && checks--,
      },
    });
    return { ...peak, failing: run.results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => `${r.target}/${r.id}`) };
  } finally {
    unsubscribe('undici:request:create', began);
    unsubscribe('undici:request:trailers', ended);
    unsubscribe('undici:request:error', ended);
  }
}

describe('--concurrency across targets', () => {
  // Three runs of the suite (one of them three targets at two checks at a time): slow on a loaded machine.
  it(`caps checks and exchanges in flight across ${TARGETS} targets, each with its own token`, { timeout: 180_000 }, async () => {
    // What one check alone has in flight at most: the suite one check at a time.
    const alone = await peaks(fleet(1, 1));
    expect(alone.failing).toEqual([]);
    expect(alone.checks).toBe(1);

    const capped = await peaks(fleet(TARGETS, 2));
    expect(capped.failing).toEqual([]);
    expect(capped.checks).toBe(2);
    expect(capped.exchanges).toBeLessThanOrEqual(2 * alone.exchanges);

    // Uncapped, the targets' checks overlap far beyond it: the bound above is not met by accident.
    const free = await peaks(fleet(TARGETS, Number.POSITIVE_INFINITY));
    expect(free.checks).toBeGreaterThan(2 * TARGETS);
    expect(free.exchanges).toBeGreaterThan(2 * alone.exchanges);
  });
});
