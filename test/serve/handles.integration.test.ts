// serve runs for months: after runs of the real suite against the reference stack, stopping it leaves no timer, socket
// or child process behind — the process's active resources and open file descriptors are what they were before it
// started. Descriptors too: undici unrefs an idle keep-alive socket, so the active resources alone would not show one.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { defaultSettings } from '../../src/config/settings.js';
import { findScenario, startStack, type Stack } from '../../src/reference/scenarios.js';
import { runAll } from '../../src/runner/installations.js';
import { startServe } from '../../src/serve/server.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(findScenario('healthy')!);
});
afterAll(() => stack.close());

/** Active resources by type, sorted ("FSReqCallback", "TCPServerWrap", "Timeout", ...), and the open descriptors. */
const resources = () => ({ active: [...process.getActiveResourcesInfo()].sort(), fds: readdirSync('/proc/self/fd').length });

/**
 * Waits until the resources settle back to `expected` (closed handles go on the next turns), or 1 s passes — well
 * within undici's keep-alive timeout (4 s), so an idle connection the run left open would still be open then.
 */
async function settledTo(expected: ReturnType<typeof resources>): Promise<ReturnType<typeof resources>> {
  for (let waited = 0; waited < 1000; waited += 50) {
    if (JSON.stringify(resources()) === JSON.stringify(expected)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return resources();
}

describe('serve leaves nothing behind', () => {
  it.each([1, 3])('after %i run(s) of the suite, stopping it restores the active handle count', async (runs) => {
    // Let the stack's start-up settle first: its own handles are the baseline.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = resources();
    const settings = defaultSettings({ ...stack.settingsOverrides, skip: ['proxy-streaming'] });
    const handle = await startServe({
      port: 0,
      host: '127.0.0.1',
      intervalMs: 10,
      runSuite: () => runAll(CHECKS, settings),
      secrets: [stack.adminToken],
    });
    for (let i = 0; i < runs; i++) {
      const run = await handle.nextRun();
      expect(run.summary.fail + run.summary.error).toBe(0);
    }
    // While it runs there is more (its server, the next run's timer): the comparison below can fail.
    expect(resources().active.length).toBeGreaterThan(before.active.length);
    await handle.close();
    expect(await settledTo(before)).toEqual(before);
  });
});
