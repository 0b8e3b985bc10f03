// The security checks against a gateway that accepts TCP and never answers (PERFORMANCE.md figure 5): each ends with its
// own verdict within --timeout — not abandoned by the runner as `error` — though it resolves GitLab's settings, forges a
// token and sends several requests, some of them late in its budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { defaultSettings } from '../../src/config/settings.js';
import { findScenario, startStack, type Stack } from '../../src/reference/scenarios.js';
import { runChecks, TIMEOUT_GRACE_MS } from '../../src/runner/run.js';
import { startSilentServer } from '../helpers/loopback.js';

const TIMEOUT_MS = 2000;
/** GitLab answers this late: what the checks ask it first (its gateway setting, its key set for the forged token's kid) eats into their budget. */
const GITLAB_LATENCY_MS = 700;
let stack: Stack;
let hung: Awaited<ReturnType<typeof startSilentServer>>;

beforeAll(async () => {
  stack = await startStack(findScenario('healthy')!, { latencyMs: GITLAB_LATENCY_MS });
  hung = await startSilentServer();
});
afterAll(() => Promise.all([stack?.close(), hung?.close()]));

describe('the security checks against a hung gateway', () => {
  it.each([
    {
      scheme: 'http',
      expected: {
        'host-header-bypass': [{ id: 'noAnswer', status: 'skip' }],
        'auth-bypass-switches': [{ id: 'noAnswer', status: 'skip' }],
        'gateway-exposure': [
          { id: 'notBehindTls', status: 'skip' },
          { id: 'docsNotServed', status: 'pass' },
        ],
      },
    },
    {
      // The TLS handshake is never answered either; the direct ports (the stack's closed one) are probed too.
      scheme: 'https',
      expected: {
        'host-header-bypass': [{ id: 'noAnswer', status: 'skip' }],
        'auth-bypass-switches': [{ id: 'noAnswer', status: 'skip' }],
        'gateway-exposure': [
          { id: 'directPortsClosed', status: 'pass' },
          { id: 'docsNotServed', status: 'pass' },
        ],
      },
    },
  ])('$scheme: each check says the gateway did not answer, within --timeout', async ({ scheme, expected }) => {
    const ids = Object.keys(expected);
    const run = await runChecks(
      CHECKS,
      defaultSettings({
        ...stack.settingsOverrides,
        gatewayUrl: `${scheme}://127.0.0.1:${hung.port}`,
        gatewayUrlSource: 'flag',
        timeoutMs: TIMEOUT_MS,
        only: ids,
      }),
    );
    for (const id of ids) {
      const result = run.results.find((r) => r.id === id)!;
      expect(result.findings, `${id}: ${result.status} ${result.summary}`).toEqual(expected[id as keyof typeof expected]);
      // Its own verdict came before the runner's abandonment (which would have made it `error`).
      expect(result.durationMs, id).toBeLessThan(TIMEOUT_MS + TIMEOUT_GRACE_MS);
      if (id !== 'gateway-exposure') expect(result.summary, id).toContain(`within ${TIMEOUT_MS} ms`);
    }
  });
});
