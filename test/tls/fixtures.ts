// Test helpers: TLS fixtures valid around now (shared by every test file of a run), and counting TLS servers on 127.0.0.1.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, inject } from 'vitest';
import { generateFixtures, type TlsFixtures } from '../../scripts/fixtures.js';

const MANIFEST = 'fixtures.json';

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The run's shared fixtures: the first test file to get here creates `<shared>/set` (mkdir is atomic) and generates into
 * it, writing the manifest last; the others wait for the manifest. Saves ~2 s of RSA key generation per test file.
 */
async function sharedFixtures(shared: string): Promise<TlsFixtures> {
  const dir = join(shared, 'set');
  const manifest = join(dir, MANIFEST);
  try {
    mkdirSync(dir);
  } catch {
    for (let waited = 0; !existsSync(manifest); waited += 50) {
      if (waited > 60_000) throw new Error(`TLS fixtures in ${dir} were never completed`);
      await sleep(50);
    }
    return JSON.parse(readFileSync(manifest, 'utf8')) as TlsFixtures;
  }
  const fixtures = generateFixtures(dir);
  writeFileSync(`${manifest}.tmp`, JSON.stringify(fixtures));
  renameSync(`${manifest}.tmp`, manifest);
  return fixtures;
}

/**
 * TLS fixtures valid around now, for the tests of the calling file (call it at the top level). With test/tls/global-setup.ts
 * registered, every file of the run shares one set; without it, each file generates its own in a temp dir removed afterwards.
 * Shared fixtures come back through JSON: the `spec` dates of their Issued objects are strings.
 */
export function useTlsFixtures(): () => TlsFixtures {
  let fixtures: TlsFixtures | undefined;
  let own: string | undefined;
  beforeAll(async () => {
    const shared = inject('tlsFixturesDir') as string | undefined;
    if (shared) {
      fixtures = await sharedFixtures(shared);
      return;
    }
    own = mkdtempSync(join(tmpdir(), 'duo-doctor-tls-'));
    fixtures = generateFixtures(own);
  });
  afterAll(() => {
    if (own) rmSync(own, { recursive: true, force: true });
  });
  return () => {
    if (!fixtures) throw new Error('TLS fixtures are generated in beforeAll');
    return fixtures;
  };
}

/** A TLS server on 127.0.0.1 that counts TCP connections and completed handshakes. */
export interface CountingTlsServer {
  port: number;
  /** Accepted TCP connections (counted before any handshake can complete, so exact right after a client finishes). */
  connections(): number;
  handshakes(): number;
  close(): Promise<void>;
}

/** Serves `cert` (a chain PEM) with `key`; `ciphers` lets a test lower OpenSSL's security level to serve a SHA-1 leaf. */
export async function startTlsServer(opts: { cert: string; key: string; ciphers?: string }): Promise<CountingTlsServer> {
  const server: Server = createServer({ cert: opts.cert, key: opts.key, ...(opts.ciphers ? { ciphers: opts.ciphers } : {}) });
  let count = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  server.on('secureConnection', (s) => {
    count++;
    s.on('error', () => undefined);
    s.end();
  });
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    handshakes: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
