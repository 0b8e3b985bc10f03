// Shared plumbing of the reference servers: listening, closing, JSON replies, bodies, latency and outgoing requests.
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { INTERMEDIATE_CIPHERS } from '../data/tls-guidance.js';

/** A request handler; thrown errors become a 500 (the servers never crash on a request). */
export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** TLS material for an https server: the chain it presents (leaf first) and the leaf's key. */
export interface TlsOptions {
  certPem: string;
  keyPem: string;
}

/** A started reference server. */
export interface Listening {
  server: Server;
  url: string;
  port: number;
  /** Stops listening and ends every socket, keep-alive ones included; resolves when nothing is left open. */
  close(): Promise<void>;
}

/** Sends a JSON body with the status; `headers` are added (e.g. a version header). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Reads a request body as text, up to `limit` bytes (over it, the request is destroyed and the read fails). Listens for
 * events rather than iterating the stream: an async iterator costs several microtasks per chunk on every request.
 */
export function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error(`request body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
    // Closed before its end: the peer went away. (Every request closes; the Error, with its stack, only when it matters.)
    req.once('close', () => {
      if (!req.readableEnded) reject(new Error('the request closed before its body ended'));
    });
  });
}

/**
 * A path of only these characters is its own WHATWG pathname: no dot segments, escapes, backslashes, query or fragment,
 * and no leading `//` (which URL would read as a host).
 */
const PLAIN_PATH = /^\/(?!\/)[\w/-]*$/;

/** The path of a request target, as `new URL(target, base).pathname` gives it (without parsing a plain path). */
export function pathOf(target: string | undefined): string {
  if (target !== undefined && PLAIN_PATH.test(target)) return target;
  return new URL(target ?? '/', 'http://reference').pathname;
}

/** Parses a body as JSON; `undefined` when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Wraps a handler: waits `latencyMs` first (a benchmark knob), turns a throw into a 500. */
function guarded(handler: Handler, latencyMs: number, log: (line: string) => void): Handler {
  return async (req, res) => {
    try {
      if (latencyMs > 0) await sleep(latencyMs);
      await handler(req, res);
    } catch (err) {
      log(`error handling ${req.method} ${req.url}: ${(err as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { message: '500 Internal Server Error' });
      else res.destroy();
    }
  };
}

/** Starts an http (or, with `tls`, https) server on host:port (port 0 = a free one). */
export async function listen(opts: {
  handler: Handler;
  host?: string;
  port?: number;
  tls?: TlsOptions;
  latencyMs?: number;
  log?: (line: string) => void;
  /** Hook to add listeners (e.g. `upgrade`) before the server starts. */
  setup?: (server: Server) => void;
}): Promise<Listening> {
  const host = opts.host ?? '127.0.0.1';
  const handler = guarded(opts.handler, opts.latencyMs ?? 0, opts.log ?? (() => {}));
  // TLS as current guidance configures it (Mozilla "intermediate"): the healthy installation passes proxy-tls.
  const server: Server = opts.tls
    ? https.createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem, minVersion: 'TLSv1.2', ciphers: INTERMEDIATE_CIPHERS }, handler)
    : http.createServer(handler);
  opts.setup?.(server);
  const sockets = new Set<Socket>();
  // Upgraded sockets leave the http layer, so closeAllConnections() alone would miss them.
  server.on(opts.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    port,
    url: `${opts.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released): a "down" service's address. */
export async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** What an outgoing request came back with. */
export interface OutgoingResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The response itself, unread: pipe it (streaming relay) or read it with `readBody`. */
  stream: IncomingMessage;
}

/** One outgoing http(s) request with a timeout on the whole exchange up to the response head; rejects on network errors. */
export function request(opts: {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** PEM CAs to trust (replaces Node's default store, like Python's `cafile`); undefined = the defaults. */
  ca?: string;
  timeoutMs: number;
}): Promise<OutgoingResponse> {
  const url = new URL(opts.url);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: opts.method ?? 'GET',
        headers: opts.body === undefined ? opts.headers : { ...opts.headers, 'content-length': Buffer.byteLength(opts.body) },
        ...(opts.ca ? { ca: opts.ca } : {}),
        agent: false,
      },
      (res) => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, stream: res });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(opts.body);
  });
}

/** An outgoing request whose body is read whole. */
export async function fetchText(opts: Parameters<typeof request>[0]): Promise<{ status: number; body: string }> {
  const res = await request(opts);
  return { status: res.status, body: await readBody(res.stream, 10_000_000) };
}
