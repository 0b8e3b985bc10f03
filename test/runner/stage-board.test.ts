// The stage board without a probe: a check abandoned at its timeout with no stage to name keeps the bare message
// (stage-board.integration.test.ts names the stages of real probes). On a fake clock: the timeout is not waited for.
import { describe, expect, it } from 'vitest';
import { defineCheck } from '../../src/check.js';
import { defaultSettings } from '../../src/config/settings.js';
import { runAll } from '../../src/runner/installations.js';
import { onFakeClock } from '../helpers/clock.js';

describe('the stage board', () => {
  it('says nothing it does not know: a check with no probe running keeps the bare message', async () => {
    const sleeper = defineCheck({
      id: 'sleeps',
      title: 'x',
      category: 'network',
      tags: ['ci'],
      explain: { checks: 'x', failsWhen: 'x', fix: 'x' },
      run: () => new Promise(() => undefined),
    });
    const { value: run } = await onFakeClock(() => runAll([sleeper], defaultSettings({ timeoutMs: 100 })));
    expect(run.results[0]!.summary).toBe('timed out after 100 ms');
  });
});
