// A loopback TCP server that speaks HTTP badly on purpose: each connection's request head is parsed, then a scripted behaviour answers.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

/** A request as the server read it (head only). */
export interface RawRequest {
  method: string;
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
}

/** What to do with a connection once its request head has arrived. */
export type Behaviour = (socket: Socket, request: RawRequest) => void;

export interface RawServer {
  url: string;
  port: number;
  /** Every request head received, in order. */
  requests: RawRequest[];
  /** The behaviour for the next connections. */
  behaviour: Behaviour;
  close(): Promise<void>;
}

const MAX_HEAD = 64 * 1024;

function parseHead(head: string): RawRequest {
  const [requestLine = '', ...lines] = head.split('\r\n');
  const [method = '', path = ''] = requestLine.split(' ');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { method, path, headers };
}

/** Starts the server on 127.0.0.1 (free port); `close()` destroys every open connection and its timers. */
export async function startRawServer(behaviour: Behaviour): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const state: RawServer = {
    url: '',
    port: 0,
    requests: [],
    behaviour,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > MAX_HEAD) socket.destroy();
        return;
      }
      socket.off('data', onData);
      const request = parseHead(buffered.slice(0, end));
      state.requests.push(request);
      state.behaviour(socket, request);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}`;
  return state;
}

/** A complete HTTP/1.1 response with Content-Length, then the connection closed. */
export function respond(status: number, headers: Record<string, string>, body: string | Buffer = ''): Behaviour {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return (socket) => {
    const head = [
      `HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'Status'}`,
      ...Object.entries({ 'content-length': String(bytes.length), connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), bytes]));
  };
}

/** Answers by request path (others 404), so one server can play a whole API. */
export function byPath(routes: Record<string, Behaviour>): Behaviour {
  return (socket, request) =>
    (routes[request.path.split('?')[0] ?? ''] ?? respond(404, { 'content-type': 'application/json' }, '{"message":"404 Not Found"}'))(
      socket,
      request,
    );
}

/** Writes raw bytes and closes. */
export function raw(text: string | Buffer): Behaviour {
  return (socket) => socket.end(text);
}

/** Headers of a 200 chunked response, then `write` is called every `everyMs` until the client goes away. */
export function stream(headers: Record<string, string>, everyMs: number, write: (socket: Socket) => void): Behaviour {
  return (socket) => {
    const head = ['HTTP/1.1 200 OK', 'transfer-encoding: chunked', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
    const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : write(socket)), everyMs);
    socket.on('close', () => clearInterval(timer));
  };
}

/** One HTTP/1.1 chunk. */
export function chunk(data: string | Buffer): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
}

/** `megabytes` of zeros, gzipped (about 10 KB per 10 MB). */
export function gzipBomb(megabytes: number): Buffer {
  return gzipSync(Buffer.alloc(megabytes * 1024 * 1024));
}
