// The run's connection pool: sequential exchanges with one origin share one TLS handshake per trust list, a reused
// connection's timeout names the right stage, the chain capture still handshakes on its own, and closing leaves nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChain } from '../../src/pki/generate.js';
import { currentPool, withConnectionPool } from '../../src/probes/connection-pool.js';
import { httpRequest } from '../../src/probes/http.js';
import { streamRequest } from '../../src/probes/stream.js';
import { handshake } from '../../src/probes/tls.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';

const chain = buildChain({ host: '127.0.0.1' });
const trust = [chain.root.certPem];
let server: LoopbackServer;
let handshakes = 0;

beforeAll(async () => {
  server = await startLoopback(
    (req, res) => {
      // /slow answers after 300 ms: a timeout on a reused connection is past TCP and TLS.
      if (req.url === '/slow') setTimeout(() => res.end('late'), 300);
      else res.end('ok');
    },
    { cert: chain.chainPem, key: chain.leaf.keyPem },
  );
  // Counted as TCP connections: every one is a TLS handshake here, and the chain capture's ends before the server's side does.
  server.server.on('connection', () => handshakes++);
});
afterAll(() => server.close());

/** Handshakes the server completed while `fn` ran. */
async function counted(fn: () => Promise<unknown>): Promise<number> {
  const before = handshakes;
  await fn();
  return handshakes - before;
}

const get = (path = '/', ca: readonly string[] = trust, timeoutMs?: number) =>
  httpRequest({ url: `${server.url}${path}`, ca, ...(timeoutMs ? { timeoutMs } : {}) });

describe('withConnectionPool', () => {
  it.each([
    { exchanges: 1, lists: 1, expected: 1 },
    { exchanges: 2, lists: 1, expected: 1 },
    { exchanges: 8, lists: 1, expected: 1 },
    { exchanges: 8, lists: 2, expected: 2 },
  ])('$exchanges sequential exchanges over $lists trust list(s) make $expected handshake(s)', async ({ exchanges, lists, expected }) => {
    // The same certificates in another array, then another list: a copy is the same trust list, a different list is not.
    const listsUsed = [trust, [chain.root.certPem, chain.leaf.certPem]].slice(0, lists);
    const made = await counted(() =>
      withConnectionPool(5000, async () => {
        for (let i = 0; i < exchanges; i++) expect((await get('/', [...listsUsed[i % lists]!])).ok).toBe(true);
      }),
    );
    expect(made).toBe(expected);
  });

  it('shares connections between whole reads and streams of one run', async () => {
    const made = await counted(() =>
      withConnectionPool(5000, async () => {
        expect((await get()).ok).toBe(true);
        const streamed = await streamRequest({ url: `${server.url}/`, ca: trust });
        expect(streamed.ok && streamed.response.end).toBe('complete');
        expect((await get()).ok).toBe(true);
      }),
    );
    expect(made).toBe(1);
  });

  it('outside a run, every exchange has its own connection', async () => {
    expect(await counted(async () => Promise.all([get(), get(), get()]))).toBe(3);
    expect(currentPool()).toBeUndefined();
  });

  it('opens one connection per exchange in flight at once, no more', async () => {
    const made = await counted(() =>
      withConnectionPool(5000, () => Promise.all([get(), get(), get()]).then(() => Promise.all([get(), get(), get()]))),
    );
    expect(made).toBe(3);
  });

  it('names a timeout on a reused connection as waiting for the headers, not the connect', async () => {
    await withConnectionPool(5000, async () => {
      expect((await get()).ok).toBe(true);
      const late = await get('/slow', trust, 100);
      expect(late.ok).toBe(false);
      if (!late.ok) expect(late.failure).toMatchObject({ kind: 'timeout' });
      if (!late.ok) expect(late.failure.message).toContain('waiting for the response headers');
    });
  });

  it('tries once more on a fresh connection when the server closed a kept-alive one, and reports a reset that repeats', async () => {
    // A server that answers the first request of each connection and resets it on the second (an idle close racing a reuse).
    const perSocket = new WeakMap<object, number>();
    let attempts = 0;
    const racy = await startLoopback(
      (req, res) => {
        attempts++;
        const n = (perSocket.get(req.socket) ?? 0) + 1;
        perSocket.set(req.socket, n);
        if (n > 1 || req.url === '/always-reset') req.socket.destroy();
        else res.end('ok');
      },
      { cert: chain.chainPem, key: chain.leaf.keyPem },
    );
    try {
      await withConnectionPool(5000, async () => {
        const at = (path: string) => httpRequest({ url: `${racy.url}${path}`, ca: trust });
        const stream = (path: string) => streamRequest({ url: `${racy.url}${path}`, ca: trust });
        expect((await at('/')).ok).toBe(true);
        expect((await at('/')).ok).toBe(true);
        expect((await stream('/')).ok).toBe(true);
        expect(attempts).toBe(5);
        const reset = await at('/always-reset');
        expect(reset.ok ? 'ok' : reset.failure.kind).toBe('reset');
      });
      // Out of a run there is no kept-alive connection to go stale: a reset is reported at once.
      const before = attempts;
      const alone = await httpRequest({ url: `${racy.url}/always-reset`, ca: trust });
      expect(alone.ok ? 'ok' : alone.failure.kind).toBe('reset');
      expect(attempts - before).toBe(1);
    } finally {
      await racy.close();
    }
  });

  it.each([
    { timeouts: [5000, 5000], handshakes: 1, dispatchers: 1 },
    { timeouts: [5000, 5000, 5000], handshakes: 1, dispatchers: 1 },
    { timeouts: [5000, 3000], handshakes: 2, dispatchers: 2 },
  ])(
    'installations of one run (connect timeouts $timeouts) share its connections: $handshakes handshake(s), closed by the run alone',
    async ({ timeouts, handshakes: expected, dispatchers }) => {
      const sockets = () => new Promise<number>((resolve) => server.server.getConnections((_, n) => resolve(n)));
      let outer: ReturnType<typeof currentPool>;
      const made = await counted(() =>
        withConnectionPool(5000, async () => {
          outer = currentPool();
          // One after another, as a fleet's installations finish: the first one's end must not close the second one's pool.
          for (const ms of timeouts)
            await withConnectionPool(ms, async () => {
              expect(currentPool()!.connectTimeoutMs).toBe(ms);
              expect((await get()).ok).toBe(true);
            });
          expect(outer!.size).toBe(dispatchers);
          await new Promise((r) => setTimeout(r, 50));
          expect(await sockets()).toBe(expected);
        }),
      );
      expect(made).toBe(expected);
      await new Promise((r) => setTimeout(r, 50));
      expect(await sockets()).toBe(0);
    },
  );

  it('leaves the TLS chain capture its own handshake', async () => {
    const made = await counted(() =>
      withConnectionPool(5000, async () => {
        await get();
        expect((await handshake({ host: '127.0.0.1', port: server.port }, 2000)).ok).toBe(true);
        await get();
      }),
    );
    expect(made).toBe(2);
  });

  it('closes every connection when the run ends, and a straggler after it owns its own', async () => {
    const sockets = () => new Promise<number>((resolve) => server.server.getConnections((_, n) => resolve(n)));
    let pool: ReturnType<typeof currentPool>;
    await withConnectionPool(5000, async () => {
      pool = currentPool();
      await Promise.all([get(), get()]);
      expect(pool!.size).toBe(1);
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(await sockets()).toBe(0);
    expect(
      pool!.lease(
        'k',
        new URL(server.url),
        () => {
          throw new Error('no dispatcher after close');
        },
        undefined,
      ),
    ).toBeUndefined();
  });
});
