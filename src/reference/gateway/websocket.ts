// A minimal RFC 6455 server side for the gateway's agent route: the handshake, one text frame, a clean close.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** The GUID RFC 6455 appends to the client's key. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + WS_GUID).digest('base64');
}

/** Writes a plain HTTP response on a raw socket (an upgrade refused) and closes it. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${reason}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(text)}`,
    'connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
}

/** Why a request is not a valid WebSocket handshake (undefined when it is). */
export function handshakeProblem(req: IncomingMessage): string | undefined {
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return 'Upgrade header is not websocket';
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || Buffer.from(key, 'base64').length !== 16) return 'invalid Sec-WebSocket-Key';
  if (req.headers['sec-websocket-version'] !== '13') return 'unsupported Sec-WebSocket-Version';
  return undefined;
}

/** One unmasked server frame (FIN set); payloads stay under 64 KiB (the 16-bit length form). */
function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  if (len > 0xffff) throw new RangeError('frame payload over 64 KiB');
  const head =
    len < 126
      ? Buffer.from([0x80 | opcode, len])
      : Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, payload]);
}

/** Completes the handshake (101), sends `message` as one text frame, then a normal close (1000). */
export function acceptAndGreet(req: IncomingMessage, socket: Duplex, message: string, headers: Record<string, string> = {}): void {
  const key = req.headers['sec-websocket-key'] as string;
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptKey(key)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  socket.write(frame(0x1, Buffer.from(message, 'utf8')));
  const closePayload = Buffer.alloc(2);
  closePayload.writeUInt16BE(1000);
  socket.end(frame(0x8, closePayload));
}
