// The server side of an RFC 6455 opening handshake, for GitLab's agent WebSocket (Workhorse's gorilla/websocket Upgrader) and ActionCable.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** The GUID RFC 6455 appends to the client's key. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
}

/** Writes a plain HTTP response on a raw socket (an upgrade refused) and closes it. */
export function refuseUpgrade(
  socket: Duplex,
  status: number,
  reason: string,
  body: { type: string; text: string },
  headers: Record<string, string> = {},
): void {
  const lines = [
    `HTTP/1.1 ${status} ${reason}`,
    `content-type: ${body.type}`,
    `content-length: ${Buffer.byteLength(body.text)}`,
    'connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body.text}`);
}

/** Why a request is not a valid WebSocket handshake (undefined when it is). */
export function handshakeProblem(req: IncomingMessage): string | undefined {
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return 'Upgrade header is not websocket';
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || Buffer.from(key, 'base64').length !== 16) return 'invalid Sec-WebSocket-Key';
  if (req.headers['sec-websocket-version'] !== '13') return 'unsupported Sec-WebSocket-Version';
  return undefined;
}

/** Completes the handshake (101) and keeps the connection open until the client closes it (Workhorse then relays frames). */
export function acceptUpgrade(req: IncomingMessage, socket: Duplex, headers: Record<string, string> = {}): void {
  const key = req.headers['sec-websocket-key'] as string;
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptKey(key)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  socket.on('data', () => undefined);
  socket.once('end', () => socket.end());
}
