// The run-wide deadline (--deadline) and abort (serve shutting down): running checks end as `error` naming the check,
// how long it ran and — when its probes say so — the stage they were in; queued checks never start; the rest stand. On a
// fake clock: the deadline and the abort grace pass without being waited for, and the elapsed time read is exact.
import { describe, expect, it } from 'vitest';
import { type CheckDefinition } from '../../src/check.js';
import { defaultSettings } from '../../src/config/settings.js';
import { runAll } from '../../src/runner/installations.js';
import { ABORT_GRACE_MS } from '../../src/runner/run.js';
import { onFakeClock } from '../helpers/clock.js';
import { testCheck } from '../helpers/check.js';

const check = (id: string, run: CheckDefinition['run']) => testCheck(id, run, { tags: ['ci'] });

/** Answers when its signal aborts, as a probe does: naming where it was. */
const tellsStage = check(
  'tells-stage',
  (ctx) =>
    new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({ status: 'fail', summary: 'no answer during the TLS handshake' }))),
);
/** Ignores its signal altogether. */
const deaf = check('deaf', () => new Promise(() => undefined));
const quick = check('quick', async () => ({ status: 'pass', summary: 'fine' }));
const queued = check('queued', async () => ({ status: 'pass', summary: 'ran' }));

describe('--deadline', () => {
  it('cuts the run short: the stage a check was in, the check that ignored its signal, the queued one; the finished one stands', async () => {
    const { value: run, elapsedMs } = await onFakeClock(() =>
      runAll([quick, tellsStage, deaf, queued], defaultSettings({ deadlineMs: 200, concurrency: 2, timeoutMs: 60_000 })),
    );
    expect(elapsedMs).toBeLessThanOrEqual(200 + ABORT_GRACE_MS);
    const byId = Object.fromEntries(run.results.map((r) => [r.id, r]));
    expect(byId['quick']).toMatchObject({ status: 'pass' });
    expect(byId['tells-stage']).toMatchObject({
      status: 'error',
      summary: expect.stringMatching(
        /^the run's deadline \(--deadline 0\.2 s\) passed while tells-stage was running \(after \d+ ms\): no answer during the TLS handshake$/,
      ),
    });
    expect(byId['deaf']).toMatchObject({
      status: 'error',
      summary: expect.stringMatching(/^the run's deadline \(--deadline 0\.2 s\) passed while deaf was running \(after \d+ ms\)$/),
    });
    expect(byId['queued']).toMatchObject({ status: 'error', summary: "the run's deadline (--deadline 0.2 s) passed before queued started" });
    expect(run.aborted).toMatch(/deadline/);
  });

  it('a run that ends before its deadline is untouched', async () => {
    const { value: run } = await onFakeClock(() => runAll([quick], defaultSettings({ deadlineMs: 5000 })));
    expect(run.aborted).toBeUndefined();
    expect(run.results[0]).toMatchObject({ status: 'pass', summary: 'fine' });
  });
});
