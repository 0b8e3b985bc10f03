// The stage board without a probe: a check abandoned at its timeout with no stage to name keeps the bare message
// (stage-board.integration.test.ts names the stages of real probes). On a fake clock: the timeout is not waited for.
import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../src/config/settings.js';
import { runAll } from '../../src/runner/installations.js';
import { onFakeClock } from '../helpers/clock.js';
import { testCheck } from '../helpers/check.js';

describe('the stage board', () => {
  it('says nothing it does not know: a check with no probe running keeps the bare message', async () => {
    const sleeper = testCheck('sleeps', () => new Promise(() => undefined), { title: 'x', tags: ['ci'] });
    const { value: run } = await onFakeClock(() => runAll([sleeper], defaultSettings({ timeoutMs: 100 })));
    expect(run.results[0]!.summary).toBe('timed out after 100 ms');
  });
});
