// The runner honours a check's own time budget (CheckDefinition.timeoutMs), e.g. proxy-timeouts under --deep. On a fake
// clock: the checks' 1200 ms and the runner's timeouts pass in order without being waited for.
import { describe, expect, it } from 'vitest';
import { type CheckDefinition } from '../../src/check.js';
import { defaultSettings } from '../../src/config/settings.js';
import { runChecks } from '../../src/runner/run.js';
import { onFakeClock } from '../helpers/clock.js';
import { testCheck } from '../helpers/check.js';

/** A check that needs 1200 ms (more than a 50 ms timeout plus the grace), with an optional budget of its own. */
function slow(id: string, timeoutMs?: CheckDefinition['timeoutMs']): CheckDefinition {
  return testCheck(
    id,
    () => new Promise((resolve) => setTimeout(() => resolve({ status: 'pass', summary: 'done' }), 1200)),
    timeoutMs ? { timeoutMs } : {},
  );
}

describe("a check's own timeout", () => {
  it('replaces --timeout for that check only, computed from the settings', async () => {
    const { value: run } = await onFakeClock(() =>
      runChecks([slow('own', (s) => (s.deep ? 5_000 : s.timeoutMs)), slow('default')], defaultSettings({ timeoutMs: 50, deep: true })),
    );
    expect(run.results[0]).toMatchObject({ id: 'own', status: 'pass' });
    expect(run.results[1]).toMatchObject({ id: 'default', status: 'error', summary: 'timed out after 50 ms' });
  });

  it('still times the check out when its own budget is short', async () => {
    const { value: run } = await onFakeClock(() => runChecks([slow('own', () => 10)], defaultSettings({ timeoutMs: 5_000 })));
    expect(run.results[0]).toMatchObject({ status: 'error', summary: 'timed out after 10 ms' });
  });
});
