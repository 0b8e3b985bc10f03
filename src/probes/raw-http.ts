// One HTTP/1.1 request written byte for byte (a Host header an HTTP library would refuse or rewrite), its answer read
// back whole; failures as data. Used by the security probes, which must send exactly the vector they test.
import { errorMessage } from '../error-message.js';
import { noteProbeExchange } from '../record/exchange-log.js';
import { dial, endpointOf, type Finish } from './socket.js';
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
  const { host, port, https } = endpointOf(new URL(req.url));
  const chunks: Buffer[] = [];
  let size = 0;
  let connected = false;
  const failure = (message: string): RawAnswer => ({ ok: false, failure: message, connected });
  const closed = (finish: Finish<RawAnswer>) => {
    const raw = Buffer.concat(chunks);
    finish(parseResponse(raw) ?? failure(raw.length ? 'not an HTTP response' : 'connection closed without an answer'));
  };
  return dial<RawAnswer>(
    { host, port, ...(https ? { tls: { ca: req.ca, ALPNProtocols: ['http/1.1'] } } : {}), timeoutMs: req.timeoutMs, signal: req.signal },
    {
      connected(socket) {
        connected = true;
        socket.write(requestBytes(req));
      },
      listen(socket, finish) {
        socket.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BYTES) return finish(parseResponse(Buffer.concat(chunks)) ?? failure('answer too large'));
          chunks.push(chunk);
        });
        socket.on('end', () => closed(finish));
        socket.on('close', () => closed(finish));
      },
      error: (error, finish) => finish(failure(errorMessage(error))),
      timeout: (finish, timeoutMs) => finish(failure(`no complete answer within ${timeoutMs} ms`)),
      aborted: (finish) => finish(failure('aborted')),
    },
  );
}
