// websocketHandshake against loopback servers that accept, botch, refuse, ignore and drop the upgrade, over http and https.
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedLeaf } from '../../src/pki/generate.js';
import { expectedAccept, parseHead, websocketHandshake } from '../../src/probes/websocket.js';
import { acceptKey } from '../../src/reference/websocket.js';
import { freePort, startLoopback, type LoopbackServer } from '../helpers/loopback.js';

let plain: LoopbackServer;
let secure: LoopbackServer;
let silent: net.Server;
let leafPem: string;
const silentSockets: net.Socket[] = [];
let lastHeaders: IncomingMessage['headers'] = {};

/** Answers by path: a proper 101, a 101 with a wrong accept, a 404 with a body, or a dropped connection. */
function onUpgrade(req: IncomingMessage, socket: Duplex): void {
  lastHeaders = req.headers;
  const key = String(req.headers['sec-websocket-key']);
  if (req.url === '/ok' || req.url === '/bad-accept') {
    const accept = req.url === '/ok' ? acceptKey(key) : 'wrong=';
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.end(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
  } else if (req.url === '/drop') {
    socket.destroy();
  } else {
    socket.end('HTTP/1.1 404 Not Found\r\nServer: nginx/1.22.1\r\nContent-Length: 22\r\n\r\n{"detail":"Not Found"}');
  }
}

beforeAll(async () => {
  const leaf = createSelfSignedLeaf({ commonName: '127.0.0.1', altNames: ['127.0.0.1'] });
  leafPem = leaf.certPem;
  plain = await startLoopback((_req, res) => res.end('plain GET'));
  secure = await startLoopback((_req, res) => res.end('plain GET'), { cert: leaf.certPem, key: leaf.keyPem });
  plain.server.on('upgrade', onUpgrade);
  secure.server.on('upgrade', onUpgrade);
  silent = net.createServer((socket) => silentSockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  for (const s of silentSockets) s.destroy();
  await Promise.all([plain.close(), secure.close(), new Promise((resolve) => silent.close(resolve))]);
});

describe('websocketHandshake', () => {
  it("computes RFC 6455's sample accept value", () => {
    expect(expectedAccept('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('parses a status line and folds repeated headers', () => {
    expect(parseHead('HTTP/1.1 426 Upgrade Required\r\nVia: 1.1 a\r\nvia: 1.1 b')).toEqual({
      httpVersion: '1.1',
      status: 426,
      reason: 'Upgrade Required',
      headers: { via: '1.1 a, 1.1 b' },
    });
    expect(parseHead('SSH-2.0-OpenSSH')).toBeUndefined();
  });

  it('sends the handshake with the extra headers and verifies a correct 101', async () => {
    const ex = await websocketHandshake({ url: `${plain.url}/ok`, headers: { Authorization: 'Bearer t', 'X-Gitlab-Realm': 'self-managed' } });
    expect(ex).toMatchObject({ ok: true, answer: { status: 101, acceptValid: true, body: '' } });
    expect(lastHeaders).toMatchObject({
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-version': '13',
      authorization: 'Bearer t',
      'x-gitlab-realm': 'self-managed',
    });
  });

  it('flags a 101 whose Sec-WebSocket-Accept is wrong', async () => {
    expect(await websocketHandshake({ url: `${plain.url}/bad-accept` })).toMatchObject({ ok: true, answer: { status: 101, acceptValid: false } });
  });

  it('returns a refusal with its headers and body', async () => {
    const ex = await websocketHandshake({ url: `${plain.url}/nope` });
    expect(ex).toMatchObject({ ok: true, answer: { status: 404, headers: { server: 'nginx/1.22.1' }, body: '{"detail":"Not Found"}' } });
    expect(ex.ok && ex.answer.acceptValid).toBeUndefined();
  });

  it('works over TLS with the given CA, and fails as tls without it', async () => {
    expect(await websocketHandshake({ url: `${secure.url}/ok`, ca: [leafPem] })).toMatchObject({
      ok: true,
      answer: { status: 101, acceptValid: true },
    });
    expect(await websocketHandshake({ url: `${secure.url}/ok`, ca: [] })).toMatchObject({ ok: false, failure: { kind: 'tls' } });
  });

  it('accepts ws:// and wss:// spellings', async () => {
    expect(await websocketHandshake({ url: `${plain.url.replace('http:', 'ws:')}/ok` })).toMatchObject({ ok: true, answer: { status: 101 } });
  });

  it('turns a dropped connection, a refused port and a silent server into failures', async () => {
    expect(await websocketHandshake({ url: `${plain.url}/drop` })).toMatchObject({ ok: false });
    expect(await websocketHandshake({ url: `http://127.0.0.1:${await freePort()}/ok` })).toMatchObject({ ok: false, failure: { kind: 'refused' } });
    const port = (silent.address() as net.AddressInfo).port;
    expect(await websocketHandshake({ url: `http://127.0.0.1:${port}/ok`, timeoutMs: 300 })).toMatchObject({
      ok: false,
      failure: { kind: 'timeout' },
    });
  });

  it('honours an aborted signal', async () => {
    expect(await websocketHandshake({ url: `${plain.url}/ok`, signal: AbortSignal.abort() })).toMatchObject({
      ok: false,
      failure: { kind: 'aborted' },
    });
  });
});
