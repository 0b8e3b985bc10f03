// A probe that starts late in its check gives up when the check's budget (--timeout from the check's start) runs out,
// not a whole --timeout later: the check then ends with its own verdict instead of being abandoned by the runner
// (--timeout + 500 ms) as `error`. An answer that comes before the budget ends is still read.
// Against loopback servers (budget.test.ts: the budget itself).
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCheck } from '../helpers/check.js';
import { defaultSettings } from '../../src/config/settings.js';
import { httpRequest } from '../../src/probes/http.js';
import { loadUndici } from '../../src/probes/undici.js';
import { rawRequest } from '../../src/probes/raw-http.js';
import { tryHandshake } from '../../src/probes/tls-scan.js';
import { websocketHandshake } from '../../src/probes/websocket.js';
import { TIMEOUT_GRACE_MS, runChecks } from '../../src/runner/run.js';
import { startLoopback, startSilentServer, type LoopbackServer } from '../helpers/loopback.js';

/** The check's --timeout, and how long it works before its probe starts: more than the runner's grace, so a probe given a whole --timeout of its own would be abandoned. */
const TIMEOUT_MS = 1200;
const WORK_MS = 700;
/** How long after the request the "late" server answers: within what is left of the budget (500 ms), with room for a loaded machine. */
const ANSWER_AFTER_MS = 150;

let late: LoopbackServer;
let silent: Awaited<ReturnType<typeof startSilentServer>>;

beforeAll(async () => {
  // /never: accepts the request and never answers; anything else answers after ANSWER_AFTER_MS, an upgrade with a 404.
  late = await startLoopback((req, res) => {
    if (req.url !== '/never') setTimeout(() => res.end('late'), ANSWER_AFTER_MS);
  });
  late.server.on('upgrade', (req, socket: Duplex) => {
    if (req.url !== '/never') setTimeout(() => socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'), ANSWER_AFTER_MS);
  });
  silent = await startSilentServer();
  // Loaded once per process, on the first request: not what these tests time.
  await loadUndici();
});
afterAll(() => Promise.all([late.close(), silent.close()]));

/** Each socket probe and the http client, asked for `path` with the whole --timeout as its own timeout; whether it got an answer. */
const PROBES = {
  raw: async (path: string) => {
    const a = await rawRequest({ url: `${late.url}${path}`, method: 'GET', headers: [['host', 'x']], timeoutMs: TIMEOUT_MS });
    return a.ok ? 'answered' : a.failure;
  },
  http: async (path: string) => {
    const ex = await httpRequest({ url: `${late.url}${path}`, timeoutMs: TIMEOUT_MS });
    return ex.ok ? 'answered' : ex.failure.kind;
  },
  websocket: async (path: string) => {
    const ex = await websocketHandshake({ url: `${late.url}${path}`, timeoutMs: TIMEOUT_MS });
    return ex.ok ? 'answered' : ex.failure.kind;
  },
} as const;

/** Runs one check that works WORK_MS, then runs `probe`; its result, and how long the probe waited. */
async function lateProbe(probe: () => Promise<string>) {
  let waited = 0;
  const check = testCheck('late-probe', async () => {
    await new Promise((resolve) => setTimeout(resolve, WORK_MS));
    const started = performance.now();
    const said = await probe();
    waited = performance.now() - started;
    return { status: said === 'answered' ? 'pass' : 'fail', summary: said };
  });
  const run = await runChecks([check], defaultSettings({ timeoutMs: TIMEOUT_MS }));
  return { result: run.results[0]!, waited };
}

describe('a probe started late in its check', () => {
  it.each(Object.keys(PROBES) as (keyof typeof PROBES)[])('%s: an answer just before the budget ends is read', async (name) => {
    const { result } = await lateProbe(() => PROBES[name]('/answers'));
    expect(result).toMatchObject({ status: 'pass', summary: 'answered' });
  });

  it.each([
    ['raw', `no complete answer within ${TIMEOUT_MS} ms`],
    ['http', 'timeout'],
    ['websocket', 'timeout'],
  ] as const)('%s: no answer ends the probe when the budget does, with its own verdict', async (name, said) => {
    const { result, waited } = await lateProbe(() => PROBES[name]('/never'));
    expect(result).toMatchObject({ status: 'fail', summary: said });
    // What was left of the budget (500 ms), not a whole --timeout; the runner's abandonment comes TIMEOUT_GRACE_MS later.
    expect(waited).toBeLessThan(TIMEOUT_MS - WORK_MS + TIMEOUT_GRACE_MS);
    expect(result.durationMs).toBeLessThan(TIMEOUT_MS + TIMEOUT_GRACE_MS);
  });

  it('tls-scan: a handshake nobody answers is refused when the budget ends', async () => {
    const { result, waited } = await lateProbe(async () => {
      const r = await tryHandshake('127.0.0.1', silent.port, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, TIMEOUT_MS);
      return `${r.outcome}: ${r.detail}`;
    });
    expect(result).toMatchObject({ status: 'fail', summary: `refused: no handshake within ${TIMEOUT_MS} ms` });
    expect(waited).toBeLessThan(TIMEOUT_MS - WORK_MS + TIMEOUT_GRACE_MS);
  });
});
