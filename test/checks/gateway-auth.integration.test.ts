// gateway-auth against the two servers issue 15 names, run for real: `python3 -m http.server` and `openssl s_server -www`.
// Neither is a gateway: the check must say "something else answers", never "SECURITY: auth bypassed".
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import check from '../../checks/gateway-auth.js';
import { has } from '../helpers/capabilities.js';
import { makeContext } from '../helpers/context.js';
import { freePort } from '../helpers/loopback.js';
import { useTlsFixtures } from '../tls/fixtures.js';

const fixtures = useTlsFixtures();
let running: ChildProcess | undefined;
afterEach(() => {
  running?.kill('SIGKILL');
  running = undefined;
});

/** Starts `argv` and resolves once 127.0.0.1:`port` accepts connections. */
async function serve(argv: string[], port: number): Promise<void> {
  running = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  for (let waited = 0; waited < 10_000; waited += 100) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(true)).on('error', () => resolve(false));
      setTimeout(() => socket.destroy(), 200);
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${argv[0]} did not listen on ${port}`);
}

describe('gateway-auth against servers that are not a gateway', () => {
  it.skipIf(!has('python3'))('python3 -m http.server', async () => {
    const port = await freePort();
    await serve(['python3', '-m', 'http.server', '--bind', '127.0.0.1', String(port)], port);
    const out = await check.run(makeContext({ gatewayUrl: `http://127.0.0.1:${port}`, gatewayUrlSource: 'flag' }));
    expect(out.findings?.map((f) => f.id)).toEqual(['notTheGateway']);
  });

  it('openssl s_server -www (HTML 200 on every path)', async () => {
    const port = await freePort();
    const served = fixtures().served.valid;
    await serve(['openssl', 's_server', '-quiet', '-www', '-accept', `127.0.0.1:${port}`, '-cert', served.chainFile, '-key', served.keyFile], port);
    // s_server sends only the first certificate of -cert: trust the intermediate as well as the root.
    const out = await check.run(
      makeContext({ gatewayUrl: `https://127.0.0.1:${port}`, gatewayUrlSource: 'flag', caFile: fixtures().bundles.withIntermediate }),
    );
    expect(
      out.findings?.map((f) => f.id),
      out.summary,
    ).toEqual(['notTheGateway']);
  });
});
