// A check abandoned at its timeout or at the run's deadline is named with the stage its http probe was in, read from the
// run's stage board — without the probe's cooperation (the check below ignores its signal altogether). Against loopback
// servers that stall; stage-board.test.ts holds the case without a probe.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCheck } from '../helpers/check.js';
import { defaultSettings } from '../../src/config/settings.js';
import { httpRequest } from '../../src/probes/http.js';
import { loadUndici } from '../../src/probes/undici.js';
import { reach } from '../../src/probes/reach.js';
import { runAll } from '../../src/runner/installations.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';

let silent: LoopbackServer;
let dripping: LoopbackServer;
/** Accepts TCP and never says a byte (no TLS ServerHello, no HTTP 400 either). */
let mute: Server;
const muteSockets = new Set<Socket>();
beforeAll(async () => {
  mute = createServer((socket) => muteSockets.add(socket.on('error', () => undefined)));
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
  // Accepts and never answers; answers headers and then never ends the body.
  silent = await startLoopback(() => undefined);
  dripping = await startLoopback((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('a');
  });
  // Loaded once per process, on the first request: inside a 300 ms budget on a loaded machine it would be the stage.
  await loadUndici();
});
afterAll(async () => {
  for (const socket of muteSockets) socket.destroy();
  await Promise.all([silent.close(), dripping.close(), new Promise((resolve) => mute.close(resolve))]);
});

/** A check whose one request outlives everything: no signal passed, a 60 s timeout of its own. */
const deafRequest = (id: string, url: () => string) =>
  testCheck(
    id,
    async () => {
      const ex = await httpRequest({ url: url(), timeoutMs: 60_000 });
      return { status: ex.ok ? 'pass' : 'fail', summary: ex.ok ? 'answered' : ex.failure.message };
    },
    { tags: ['ci'] },
  );

describe('the stage board', () => {
  // The request's own timer is cut to the check's budget (src/probes/stage-board.ts `budget`): it ends at the check's
  // timeout with its own verdict, naming its stage and the budget that ran out, before the runner would abandon it.
  it.each([
    ['the response headers', () => silent.url, 'waiting for the response headers'],
    ['the body', () => dripping.url, 'reading the body'],
  ])("a request outliving its check's timeout ends there, naming its stage: %s", async (_name, url, stage) => {
    const run = await runAll([deafRequest('hangs', url)], defaultSettings({ timeoutMs: 300 }));
    expect(run.results[0]).toMatchObject({ status: 'fail' });
    expect(run.results[0]!.summary).toMatch(new RegExp(`^No answer from http://127\\.0\\.0\\.1:\\d+ within 300 ms \\(${stage}\\)$`));
  });

  it("names the stage at the run's deadline", async () => {
    const run = await runAll([deafRequest('hangs', () => silent.url)], defaultSettings({ timeoutMs: 60_000, deadlineMs: 300 }));
    expect(run.results[0]!.summary).toMatch(
      /^the run's deadline \(--deadline 0\.3 s\) passed while hangs was running \(after \d+ ms\): waiting for the response headers from http:\/\/127\.0\.0\.1:\d+$/,
    );
  });

  it("names the reach probe's TLS handshake (a port that accepts TCP and never speaks TLS)", async () => {
    // The check's own budget (100 ms) is shorter than the --timeout the probe waits (5 s): the runner abandons it mid-handshake.
    const hangs = testCheck(
      'reach-hangs',
      async (ctx) => {
        const address = mute.address();
        await reach(ctx, `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
        return { status: 'pass', summary: 'answered' };
      },
      { tags: ['ci'], timeoutMs: () => 100 },
    );
    const run = await runAll([hangs], defaultSettings({ timeoutMs: 5_000 }));
    expect(run.results[0]!.summary).toMatch(/^timed out after 100 ms, in the TLS handshake with 127\.0\.0\.1$/);
  });
});
