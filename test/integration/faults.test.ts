// Faults during a run: the gateway dies, GitLab answers 502 once, a host does not resolve — the run completes, every check reports, exit 1.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { defaultSettings, type Settings } from '../../src/config/settings.js';
import { exitCodeFor, type RunResult } from '../../src/model.js';
import { startGateway } from '../../src/reference/gateway/server.js';
import { findScenario, startStack, type Scenario, type Stack } from '../../src/reference/scenarios.js';
import { runChecks, type RunObserver } from '../../src/runner/run.js';
import { canUnshare, runCli } from '../helpers/cli.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';
import { failOnUnhandled } from '../corpus/harness.js';

failOnUnhandled();

/** The healthy installation over plain http (so a fault in front of GitLab is a plain HTTP proxy). */
const HTTP_HEALTHY: Scenario = { ...findScenario('healthy')!, name: 'healthy-http', tls: 'none' };
/** Generous for a loaded 2-core machine, far below "hangs": every check has its own 5 s timeout. */
const WALL_MS = 60_000;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(HTTP_HEALTHY);
});
afterAll(async () => {
  await stack?.close();
});

/** Runs every check one after another (so "mid-run" is a fixed point), timing the whole run. */
async function runAllChecks(overrides: Partial<Settings>, observer?: RunObserver): Promise<{ run: RunResult; ms: number }> {
  const started = Date.now();
  const run = await runChecks(
    CHECKS,
    defaultSettings({ ...stack.settingsOverrides, concurrency: 1, timeoutMs: 5_000, ...overrides }),
    observer ? { observer } : {},
  );
  return { run, ms: Date.now() - started };
}

/** The fault contract: bounded time, one result per check in registry order, no crash, exit code 1. */
function expectCompleted({ run, ms }: { run: RunResult; ms: number }): void {
  expect(ms).toBeLessThan(WALL_MS);
  expect(run.results.map((r) => r.id)).toEqual(CHECKS.map((c) => c.id));
  for (const r of run.results) expect(r.summary.trim(), r.id).not.toBe('');
  expect(run.results.filter((r) => r.status === 'error').map((r) => `${r.id}: ${r.summary}`)).toEqual([]);
  expect(exitCodeFor(run)).toBe(1);
}

const statusOf = (run: RunResult, id: string) => run.results.find((r) => r.id === id);

describe('faults during a run', () => {
  it('the gateway dies right after its health check', async () => {
    const gateway = await startGateway({ env: stack.settingsOverrides.env, log: () => undefined });
    try {
      const observer: RunObserver = { onFinish: (r) => void (r.id === 'gateway-health' && gateway.close()) };
      const result = await runAllChecks({ gatewayUrl: gateway.url, gatewayUrlSource: 'flag' }, observer);
      expectCompleted(result);
      expect(statusOf(result.run, 'gateway-health')?.status).toBe('pass');
      expect(statusOf(result.run, 'gateway-auth')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/refused/i) });
      // GitLab's own path to its (still running) gateway is unaffected.
      expect(statusOf(result.run, 'gitlab-reachable')?.status).toBe('pass');
    } finally {
      await gateway.close();
    }
  });

  describe('GitLab answers 502 once, then recovers', () => {
    let front: LoopbackServer;
    let answered = 0;
    beforeAll(async () => {
      // A proxy in front of GitLab whose upstream is down for the first request only.
      front = await startLoopback((req: IncomingMessage, res: ServerResponse) => {
        if (answered++ === 0) {
          res.writeHead(502, { 'content-type': 'text/html' }).end('<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>');
          return;
        }
        const upstream = httpRequest(`${stack.gitlabUrl}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        upstream.on('error', () => res.writeHead(502).end());
        req.pipe(upstream);
      });
    });
    afterAll(async () => {
      await front?.close();
    });

    it('the checks that met the 502 fail and say so; those after the recovery pass', async () => {
      const result = await runAllChecks({ gitlabUrl: front.url });
      expectCompleted(result);
      expect(statusOf(result.run, 'gitlab-reachable')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/gave HTTP 502/) });
      expect(statusOf(result.run, 'license')).toMatchObject({ status: 'skip', summary: 'depends on gitlab-reachable, which failed' });
      expect(statusOf(result.run, 'gitlab-health-check')?.status).toBe('pass');
      expect(answered).toBeGreaterThan(1);
    });
  });

  it.skipIf(!canUnshare())('one host does not resolve (the resolver only asks 127.0.0.1, where nothing answers)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duo-doctor-dns-'));
    try {
      // A private mount namespace whose resolv.conf names only the loopback: the lookup fails without leaving this machine.
      const resolv = join(dir, 'resolv.conf');
      await writeFile(resolv, 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
      const wrapper = ['unshare', '-m', 'sh', '-c', `mount --bind '${resolv}' /etc/resolv.conf && exec "$@"`, 'sh'];
      const s = stack.settingsOverrides;
      const started = Date.now();
      const r = await runCli(
        [
          'check',
          '--gitlab-url',
          stack.gitlabUrl,
          '--gateway-url',
          'http://aigw.invalid:5052',
          '--tmp-dir',
          s.tmpDir ?? tmpdir(),
          '--timeout',
          '5000',
          '--format',
          'json',
        ],
        { env: { PATH: process.env.PATH, GITLAB_TOKEN: stack.adminToken, ...s.env }, wrapper },
      );
      expect(Date.now() - started).toBeLessThan(WALL_MS);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('');
      const run = JSON.parse(r.stdout) as RunResult;
      expect(run.results.map((x) => x.id)).toEqual(CHECKS.map((c) => c.id));
      expect(statusOf(run, 'gateway-reachable')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/aigw\.invalid/) });
      expect(JSON.stringify(statusOf(run, 'gateway-reachable'))).toMatch(/DNS|ENOTFOUND|EAI_AGAIN/);
      expect(statusOf(run, 'gitlab-reachable')?.status).toBe('pass');
      expect(run.results.filter((x) => x.status === 'error')).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
