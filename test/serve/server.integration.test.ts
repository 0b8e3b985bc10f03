// serve: one run at a time on an interval, /healthz flips with the verdict, /metrics parses as Prometheus text, no secret leaks.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { testCheck } from '../helpers/check.js';
import { defaultSettings } from '../../src/config/settings.js';
import type { RunResult, Status } from '../../src/model.js';
import { runChecks } from '../../src/runner/run.js';
import { startServe, type ServeHandle } from '../../src/serve/server.js';

const TOKEN = 'glpat-serve-secret-123456';
let handle: ServeHandle | undefined;
afterEach(async () => {
  await handle?.close();
  handle = undefined;
});

function suiteWith(statusOf: () => Status, delayMs = 0) {
  let active = 0;
  let peak = 0;
  let calls = 0;
  const check = testCheck('flip', async () => {
    const status = statusOf();
    return {
      status,
      summary: status === 'fail' ? `gateway down (token ${TOKEN})` : 'gateway up',
      evidence: { chain: [{ subject: 'CN=gw', notAfter: '2030-01-01T00:00:00Z', fingerprint256: 'AA:BB' }] },
    };
  });
  return {
    stats: () => ({ peak, calls }),
    runSuite: async (_signal?: AbortSignal) => {
      calls++;
      peak = Math.max(peak, ++active);
      await new Promise((r) => setTimeout(r, delayMs));
      try {
        return await runChecks([check], defaultSettings());
      } finally {
        active--;
      }
    },
  };
}

const get = async (h: ServeHandle, path: string) => {
  const res = await fetch(`${h.url}${path}`);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
};

describe('serve', () => {
  it('answers 503 before the first run, then flips /healthz 200 → 503 with the verdict', async () => {
    let status: Status = 'pass';
    const suite = suiteWith(() => status, 100);
    // The first run waits until /readyz was asked: a loaded machine's first fetch can take longer than a run.
    let release!: () => void;
    const asked = new Promise<void>((r) => (release = r));
    let first = true;
    const runSuite = async (signal: AbortSignal) => {
      if (first) await asked;
      first = false;
      return suite.runSuite(signal);
    };
    handle = await startServe({ port: 0, host: '127.0.0.1', intervalMs: 50, runSuite, secrets: [TOKEN] });
    expect((await get(handle, '/readyz')).status).toBe(503);
    release();
    await handle.nextRun();
    expect(await get(handle, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect((await get(handle, '/healthz?verbose')).body).toBe('[+]flip ok\nhealthz check passed\n');
    status = 'fail';
    await handle.nextRun();
    const verbose = await get(handle, '/healthz?verbose');
    expect(verbose.status).toBe(503);
    expect(verbose.body).toMatch(/^\[-\]flip failed: gateway down/m);
    expect(verbose.body).not.toContain(TOKEN);
    expect((await get(handle, '/readyz')).status).toBe(200);
  });

  it('serves /metrics that a Prometheus text parser reads, with status, certificate expiry and run counters', async () => {
    const suite = suiteWith(() => 'pass');
    handle = await startServe({ port: 0, host: '127.0.0.1', intervalMs: 60_000, runSuite: suite.runSuite, secrets: [] });
    await handle.nextRun();
    const metrics = await get(handle, '/metrics');
    expect(metrics.type).toContain('text/plain; version=0.0.4');
    const families = parsePrometheusTextFormat(metrics.body);
    const byName = new Map(families.map((f) => [f.name, f]));
    const status = byName.get('duo_doctor_check_status')!.metrics.find((m) => m.labels?.id === 'flip' && m.labels?.status === 'pass');
    expect(status?.value).toBe('1');
    expect(Number(byName.get('duo_doctor_certificate_not_after_seconds')!.metrics[0]!.value)).toBe(Date.parse('2030-01-01T00:00:00Z') / 1000);
    expect(byName.get('duo_doctor_serve_runs_total')!.metrics[0]!.value).toBe('1');
    expect(byName.has('duo_doctor_run_timestamp_seconds')).toBe(true);
  });

  it('serves the JSON RunResult on /results', async () => {
    handle = await startServe({ port: 0, host: '127.0.0.1', intervalMs: 60_000, runSuite: suiteWith(() => 'warn').runSuite, secrets: [] });
    await handle.nextRun();
    const res = await get(handle, '/results');
    expect(res.type).toBe('application/json');
    expect(JSON.parse(res.body)).toMatchObject({ schemaVersion: 1, summary: { warn: 1 } });
  });

  it('never runs two suites at once, however short the interval', async () => {
    const suite = suiteWith(() => 'pass', 80);
    handle = await startServe({ port: 0, host: '127.0.0.1', intervalMs: 1, runSuite: suite.runSuite, secrets: [] });
    await handle.nextRun();
    await handle.nextRun();
    await handle.nextRun();
    expect(suite.stats().peak).toBe(1);
  });

  it('shuts down gracefully: nothing left listening', async () => {
    const h = await startServe({ port: 0, host: '127.0.0.1', intervalMs: 60_000, runSuite: suiteWith(() => 'pass').runSuite, secrets: [] });
    await h.nextRun();
    await h.close();
    await expect(fetch(`${h.url}/healthz`)).rejects.toThrow();
  });

  it.each([
    ['--strict and a warning', (run: RunResult): RunResult => ({ ...run, strict: true })],
    [
      'a missing input',
      (run: RunResult): RunResult => ({
        ...run,
        missingInputs: [{ input: 'token', reason: 'no GitLab token given (GITLAB_TOKEN is unset)', checks: ['flip'] }],
      }),
    ],
  ])('/healthz is 503 with %s, as the exit code of check is 1', async (_name, alter) => {
    const suite = suiteWith(() => 'warn');
    handle = await startServe({ port: 0, host: '127.0.0.1', intervalMs: 60_000, runSuite: async () => alter(await suite.runSuite()), secrets: [] });
    await handle.nextRun();
    const verbose = await get(handle, '/healthz?verbose');
    expect(verbose.status).toBe(503);
    expect(verbose.body).toMatch(/healthz check failed\n$/);
    expect((await get(handle, '/healthz')).status).toBe(503);
  });

  it('close() aborts the run in flight instead of waiting for it', async () => {
    const hung = testCheck('hung', () => new Promise(() => undefined));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const h = await startServe({
      port: 0,
      host: '127.0.0.1',
      intervalMs: 60_000,
      runSuite: (signal) => {
        started();
        return runChecks([hung], defaultSettings({ timeoutMs: 600_000 }), { signal });
      },
      secrets: [],
    });
    await running;
    const t0 = Date.now();
    await h.close();
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
