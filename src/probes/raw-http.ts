// One HTTP/1.1 request written byte for byte (a Host header an HTTP library would refuse or rewrite), its answer read
// back whole; failures as data. Used by the security probes, which must send exactly the vector they test.
import net from 'node:net';
import tls from 'node:tls';
import { errorMessage } from '../error-message.js';
import { noteProbeExchange } from '../record/exchange-log.js';
import { secureContextFor } from './secure-context.js';
import { parseHead } from './websocket.js';

/** What to send: the URL names where to connect and the request target; `headers` go out in this order, verbatim. */
export interface RawRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: ReadonlyArray<readonly [string, string]>;
  body?: string;
  /** PEM roots trusted for an https URL (the certificate is verified; SNI is the URL's host unless it is an IP). */
  ca?: readonly string[];
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The answer: status, lower-cased headers (repeats joined by ', '), and the body as text (chunked framing removed). */
export type RawAnswer =
  | { ok: true; status: number; headers: Record<string, string>; body: string }
  | { ok: false; failure: string; /** Whether a connection (and TLS handshake) was made before it failed. */ connected: boolean };

const MAX_BYTES = 256 * 1024;

function decodeChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size <= 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Parses a whole HTTP/1.x response; undefined when it is not one. */
export function parseResponse(raw: Buffer): Extract<RawAnswer, { ok: true }> | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = parseHead(raw.subarray(0, end).toString('latin1'));
  if (!head || !head.httpVersion.startsWith('1.')) return undefined;
  const { headers } = head;
  const rawBody = raw.subarray(end + 4);
  const body = /chunked/i.test(headers['transfer-encoding'] ?? '') ? decodeChunked(rawBody) : rawBody;
  return { ok: true, status: head.status, headers, body: body.toString('utf8') };
}

/** The request's bytes: request line, headers as given, `connection: close`, content-length when there is a body. */
export function requestBytes(req: RawRequest): string {
  const url = new URL(req.url);
  const lines = [`${req.method} ${url.pathname}${url.search} HTTP/1.1`, ...req.headers.map(([k, v]) => `${k}: ${v}`), 'connection: close'];
  if (req.body !== undefined) lines.push(`content-length: ${Buffer.byteLength(req.body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${req.body ?? ''}`;
}

/** Sends `req` on a fresh connection and reads the answer until the server closes; never throws. Noted for `--record`. */
export async function rawRequest(req: RawRequest): Promise<RawAnswer> {
  const startedAt = Date.now();
  const answer = await rawExchange(req);
  noteProbeExchange('raw', startedAt, {
    request: { method: req.method, url: req.url, headers: Object.fromEntries(req.headers), ...(req.body === undefined ? {} : { body: req.body }) },
    outcome: answer.ok
      ? { ok: true, status: answer.status, headers: answer.headers, body: answer.body, timeMs: Date.now() - startedAt }
      : { ok: false, failure: { kind: answer.connected ? 'protocol' : 'refused', message: answer.failure }, timeMs: Date.now() - startedAt },
  });
  return answer;
}

function rawExchange(req: RawRequest): Promise<RawAnswer> {
  const url = new URL(req.url);
  const https = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port) || (https ? 443 : 80);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    let connected = false;
    const socket = https
      ? // One secure context per trust list (secure-context.ts): `ca` here would parse its ~150 roots again per request.
        tls.connect({
          host,
          port,
          ...(net.isIP(host) ? {} : { servername: host }),
          ...(req.ca ? { secureContext: secureContextFor(req.ca) } : {}),
          ALPNProtocols: ['http/1.1'],
        })
      : net.connect({ host, port });
    const finish = (answer: RawAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(answer);
    };
    const fail = (failure: string) => finish({ ok: false, failure, connected });
    const onAbort = () => fail('aborted');
    const timer = setTimeout(() => fail(`no complete answer within ${req.timeoutMs} ms`), req.timeoutMs);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once(https ? 'secureConnect' : 'connect', () => {
      connected = true;
      socket.write(requestBytes(req));
    });
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BYTES) return finish(parseResponse(Buffer.concat(chunks)) ?? { ok: false, failure: 'answer too large', connected });
      chunks.push(chunk);
    });
    const closed = () => {
      const raw = Buffer.concat(chunks);
      finish(parseResponse(raw) ?? { ok: false, failure: raw.length ? 'not an HTTP response' : 'connection closed without an answer', connected });
    };
    socket.on('end', closed);
    socket.on('close', closed);
    socket.on('error', (err) => fail(errorMessage(err)));
  });
}
