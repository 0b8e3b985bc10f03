// Connection reuse in a full run of the registry against the reference stack (GitLab and the gateway over https), counted
// on undici's own diagnostics channels: the pooled client opens a connection — one TLS handshake, counted as such — only
// when every connection of its trust list to that origin is busy, so it makes far fewer handshakes than exchanges, and
// none is left open after the run.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { defaultSettings } from '../../src/config/settings.js';
import { findScenario, startStack, type Stack } from '../../src/reference/scenarios.js';
import { runChecks } from '../../src/runner/run.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(findScenario('healthy')!);
});
afterAll(() => stack.close());

interface OriginCount {
  exchanges: number;
  connections: number;
  /** Connections that completed a TLS handshake (every one, to an https origin). */
  handshakes: number;
  /** The most exchanges with this origin in flight at once (created, not yet complete or failed). */
  peakInFlight: number;
  inFlight: number;
  /** The trust lists (TLS secure contexts) its connections used: one pool of connections each. */
  trustLists: Set<unknown>;
  /** Connections that closed while the run went on (a held stream cut, a server closing): they cannot be reused. */
  closedEarly: number;
}

/** One full run, with every exchange and new connection of the pooled client (undici) counted by origin. */
async function countedRun(concurrency: number) {
  const origins = new Map<string, OriginCount>();
  const sockets: Socket[] = [];
  let ended = false;
  const of = (origin: string) => {
    let c = origins.get(origin);
    if (!c)
      origins.set(origin, (c = { exchanges: 0, connections: 0, handshakes: 0, peakInFlight: 0, inFlight: 0, trustLists: new Set(), closedEarly: 0 }));
    return c;
  };
  const listeners: Record<string, (message: unknown) => void> = {
    'undici:client:connected': (message) => {
      const { connectParams: p, socket } = message as {
        connectParams: { protocol: string; host: string };
        socket: Socket & { ssl?: { _secureContext?: unknown }; encrypted?: boolean; getProtocol?(): string | null };
      };
      const c = of(`${p.protocol}//${p.host}`);
      c.connections++;
      // undici reports a connection once it is usable: for https, after its handshake.
      if (socket.encrypted && socket.getProtocol?.()) c.handshakes++;
      c.trustLists.add(socket.ssl?._secureContext ?? 'plain');
      sockets.push(socket);
      socket.once('close', () => {
        if (!ended) c.closedEarly++;
      });
    },
    'undici:request:create': (message) => {
      const c = of((message as { request: { origin: string } }).request.origin);
      c.exchanges++;
      c.peakInFlight = Math.max(c.peakInFlight, ++c.inFlight);
    },
    'undici:request:trailers': (message) => of((message as { request: { origin: string } }).request.origin).inFlight--,
    'undici:request:error': (message) => of((message as { request: { origin: string } }).request.origin).inFlight--,
  };
  for (const [name, listener] of Object.entries(listeners)) subscribe(name, listener);
  try {
    const run = await runChecks(CHECKS, defaultSettings({ ...stack.settingsOverrides, concurrency }));
    ended = true;
    return { run, origins, sockets };
  } finally {
    for (const [name, listener] of Object.entries(listeners)) unsubscribe(name, listener);
  }
}

describe('one connection pool per run', () => {
  it.each([1, 6])(
    'with --concurrency %i, opens a connection only when its pool for the origin is busy, and closes all at the end',
    async (concurrency) => {
      const { run, origins, sockets } = await countedRun(concurrency);
      expect(run.summary.fail + run.summary.error).toBe(0);
      const all = [...origins.values()];
      const exchanges = all.reduce((n, c) => n + c.exchanges, 0);
      const handshakes = all.reduce((n, c) => n + c.handshakes, 0);
      // Without reuse, every exchange had its own connection and TLS handshake.
      expect(exchanges).toBeGreaterThanOrEqual(10);
      expect(handshakes).toBeLessThan(exchanges);
      // One check at a time, most exchanges find their origin's connection idle: at least half of them reuse one.
      if (concurrency === 1) expect(handshakes).toBeLessThanOrEqual(exchanges / 2);
      for (const [origin, c] of origins) {
        // Every connection to an https origin is one TLS handshake; to a plain-http one (the model server), none.
        expect(c.handshakes, origin).toBe(origin.startsWith('https:') ? c.connections : 0);
        expect(c.connections, origin).toBeGreaterThanOrEqual(1);
        // At most one connection per exchange in flight at once for each trust list's pool, plus one for each that closed.
        expect(c.connections, `${origin} ${JSON.stringify({ ...c, trustLists: c.trustLists.size })}`).toBeLessThanOrEqual(
          c.peakInFlight * c.trustLists.size + c.closedEarly,
        );
      }
      // The run closed its pool: none of its connections is left open.
      expect(sockets.filter((s) => !s.destroyed)).toEqual([]);
    },
  );
});
