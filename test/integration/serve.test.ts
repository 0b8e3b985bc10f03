// `duo-doctor serve` (the real command, as a process) against the reference stack: /healthz goes 200 → 503 and
// /metrics changes when the gateway stops, as a Prometheus text parser reads them; SIGTERM shuts it down cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findScenario, startStack, type Stack } from '../../src/reference/scenarios.js';
import { BIN } from '../helpers/cli.js';
import { freePort } from '../helpers/loopback.js';

let stack: Stack;
let serve: ChildProcess;
let base: string;
let stderr = '';

beforeAll(async () => {
  stack = await startStack(findScenario('healthy')!);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const s = stack.settingsOverrides;
  serve = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--interval',
      '1s',
      '--gitlab-url',
      s.gitlabUrl!,
      '--gateway-url',
      s.gatewayUrl!,
      '--ca-file',
      s.caFile!,
      '--tmp-dir',
      s.tmpDir!,
    ],
    { env: { PATH: process.env.PATH, GITLAB_TOKEN: stack.adminToken, ...s.env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  serve.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
});

afterAll(async () => {
  if (serve?.exitCode === null) serve.kill('SIGKILL');
  await stack?.close();
});

async function get(path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.text() };
}

/** Polls until `pred` holds for the answer at `path` (runs complete every second or so). */
async function until(path: string, pred: (r: { status: number; body: string }) => boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const r = await get(path);
      if (pred(r)) return r;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${path} did not reach the expected state within ${ms} ms; serve said: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function statusOf(metrics: string, id: string): string | undefined {
  const family = parsePrometheusTextFormat(metrics).find((f) => f.name === 'duo_doctor_check_status');
  return family?.metrics.find((m) => m.labels?.id === id && m.value === '1')?.labels?.status;
}

describe('duo-doctor serve against the reference stack', () => {
  it('reports healthy, then 503 with the failing checks once the gateway stops, then shuts down on SIGTERM', async () => {
    const healthy = await until('/healthz', (r) => r.status !== 503 || !/no run completed/.test(r.body));
    expect(healthy).toEqual({ status: 200, body: 'ok\n' });
    const before = (await get('/metrics')).body;
    expect(statusOf(before, 'gateway-health')).toBe('pass');
    const families = parsePrometheusTextFormat(before);
    const notAfter = families.find((f) => f.name === 'duo_doctor_certificate_not_after_seconds')!;
    expect(notAfter.metrics.length).toBeGreaterThan(0);
    expect(Number(notAfter.metrics[0]!.value)).toBeGreaterThan(Date.now() / 1000);
    expect(families.find((f) => f.name === 'duo_doctor_jwks_keys')!.metrics[0]!.value).toBe('2'); // GitLab's OpenID Connect key and its Cloud Connector key
    expect(before).not.toContain(stack.adminToken);

    await stack.stopGateway();
    const broken = await until('/healthz?verbose', (r) => r.status === 503);
    expect(broken.body).toMatch(/^\[-\]gateway-reachable failed: /m);
    expect(broken.body).toMatch(/^\[\+\]gitlab-reachable ok$/m);
    expect(broken.body).toMatch(/healthz check failed\n$/);
    const after = (await get('/metrics')).body;
    expect(statusOf(after, 'gateway-reachable')).toBe('fail');
    expect(statusOf(after, 'gateway-health')).toBe('skip');
    const results = JSON.parse((await get('/results')).body) as { summary: { fail: number } };
    expect(results.summary.fail).toBeGreaterThan(0);
    expect(JSON.stringify(results)).not.toContain(stack.adminToken);

    const exited = new Promise<number | null>((resolve) => serve.once('exit', resolve));
    serve.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(get('/healthz')).rejects.toThrow();
  });
});
