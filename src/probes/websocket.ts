// A raw RFC 6455 opening handshake over net/tls: sends the upgrade request, reads the status line and headers, checks Sec-WebSocket-Accept.
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { redactUrl } from '../redact.js';
import { kindOfCode, type HttpFailure } from './http.js';
import { dial, endpointOf, type Finish } from './socket.js';
import { errorMessage } from '../error-message.js';
import { noteProbeExchange } from '../record/exchange-log.js';

/** The GUID RFC 6455 (section 1.3) appends to the client's key. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** One upgrade attempt. */
export interface WebSocketRequest {
  /** http(s) URL of the WebSocket route (ws/wss are accepted too). */
  url: string;
  /** Extra request headers (auth); the handshake headers are added. */
  headers?: Record<string, string>;
  /** PEM certificates to trust instead of Node's defaults (https). */
  ca?: readonly string[];
  /** Budget for connect + TLS + the response head (default 10000). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What came back: the status line, headers, whether the accept value is right, and the start of any body. */
export interface WebSocketAnswer {
  status: number;
  reason: string;
  httpVersion: string;
  /** Lower-case names; repeated values joined by ', '. */
  headers: Record<string, string>;
  /** For a 101: whether Sec-WebSocket-Accept is the hash of our key (RFC 6455 section 4.1); undefined otherwise. */
  acceptValid?: boolean;
  /** The first bytes after the head of a refusal (its error page), as text. */
  body: string;
  elapsedMs: number;
}

/** The outcome: an answer, or a failure before any answer, as data. */
export type WebSocketExchange = { ok: true; answer: WebSocketAnswer } | { ok: false; failure: HttpFailure; elapsedMs: number };

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_BODY_BYTES = 4 * 1024;
/** How long to wait for a refusal's body after its head (it usually comes in the same packet). */
const BODY_WAIT_MS = 200;

/** The Sec-WebSocket-Accept a server must answer for `key`. */
export function expectedAccept(key: string): string {
  return createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
}

/** The request head of an opening handshake for `url` with `key`. */
export function handshakeRequest(url: URL, key: string, headers: Record<string, string> = {}): string {
  const lines = [
    `GET ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Parses a response head (status line + headers, without the blank line); undefined when it is not HTTP. */
export function parseHead(head: string): Omit<WebSocketAnswer, 'acceptValid' | 'body' | 'elapsedMs'> | undefined {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const match = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { httpVersion: match[1] ?? '', status: Number(match[2]), reason: match[3] ?? '', headers };
}

function failureOf(err: unknown, url: URL): HttpFailure {
  const code = (err as { code?: unknown })?.code;
  const message = errorMessage(err);
  const kind = typeof code === 'string' ? kindOfCode(code) : undefined;
  const suffix = typeof code === 'string' ? ` (${code})` : '';
  return {
    kind: kind ?? 'other',
    ...(typeof code === 'string' ? { code } : {}),
    message: `WebSocket upgrade to ${url.origin} failed: ${message}${suffix}`,
  };
}

/** Sends an RFC 6455 opening handshake and reads the answer's head (and a refusal's first bytes); closes the connection. Never throws. Noted for `--record`. */
export async function websocketHandshake(req: WebSocketRequest): Promise<WebSocketExchange> {
  const startedAt = Date.now();
  const result = await handshake(req);
  noteProbeExchange('websocket', startedAt, {
    request: { method: 'GET', url: req.url, headers: { ...req.headers, connection: 'Upgrade', upgrade: 'websocket' } },
    outcome: result.ok
      ? { ok: true, status: result.answer.status, headers: result.answer.headers, body: result.answer.body, timeMs: result.answer.elapsedMs }
      : { ok: false, failure: result.failure, timeMs: result.elapsedMs },
  });
  return result;
}

function handshake(req: WebSocketRequest): Promise<WebSocketExchange> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let url: URL;
  try {
    url = new URL(req.url.replace(/^ws(s?):/i, 'http$1:'));
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return Promise.resolve({ ok: false, elapsedMs: 0, failure: { kind: 'other', message: `Not an http(s) URL: ${redactUrl(req.url)}` } });
  }
  const target = url;
  const key = randomBytes(16).toString('base64');
  const { host, port, https } = endpointOf(target);
  let received = Buffer.alloc(0);
  let head: ReturnType<typeof parseHead> | undefined;
  let bodyStart = 0;
  const failed = (failure: HttpFailure): WebSocketExchange => ({ ok: false, elapsedMs: elapsed(), failure });
  const answer = (finish: Finish<WebSocketExchange>): void => {
    if (!head) return;
    const accept = head.headers['sec-websocket-accept'];
    const body = head.status === 101 ? '' : received.subarray(bodyStart, bodyStart + MAX_BODY_BYTES).toString('utf8');
    finish({
      ok: true,
      answer: { ...head, ...(head.status === 101 ? { acceptValid: accept === expectedAccept(key) } : {}), body, elapsedMs: elapsed() },
    });
  };
  // Once the head is in, whatever ends the connection (its end, an error, the timer) ends the wait for a refusal's body.
  const orAnswer = (finish: Finish<WebSocketExchange>, failure: () => HttpFailure) => (head ? answer(finish) : finish(failed(failure())));

  return dial<WebSocketExchange>(
    { host, port, ...(https ? { tls: { ca: req.ca } } : {}), timeoutMs, signal: req.signal },
    {
      connected: (socket) => socket.write(handshakeRequest(target, key, req.headers)),
      listen(socket, finish) {
        socket.on('data', (data: Buffer) => {
          received = Buffer.concat([received, data]);
          if (head) {
            if (received.length - bodyStart >= MAX_BODY_BYTES) answer(finish);
            return;
          }
          const end = received.indexOf('\r\n\r\n');
          if (end < 0) {
            if (received.length > MAX_HEAD_BYTES)
              finish(failed({ kind: 'protocol', message: `Response head from ${target.origin} exceeds ${MAX_HEAD_BYTES} bytes` }));
            return;
          }
          head = parseHead(received.subarray(0, end).toString('latin1'));
          bodyStart = end + 4;
          if (!head) return finish(failed({ kind: 'protocol', message: `Not an HTTP response from ${target.origin}` }));
          // A 101's bytes after the head are WebSocket frames, not ours to read; a refusal's body usually follows at once.
          if (head.status === 101) return answer(finish);
          setTimeout(() => answer(finish), BODY_WAIT_MS);
        });
        socket.on('end', () =>
          orAnswer(finish, () => ({ kind: 'reset', message: `${target.origin} closed the connection without answering the WebSocket upgrade` })),
        );
      },
      error: (error, finish) => orAnswer(finish, () => failureOf(error, target)),
      timeout: (finish, budgetMs) =>
        orAnswer(finish, () => ({ kind: 'timeout', message: `No answer to the WebSocket upgrade from ${target.origin} within ${budgetMs} ms` })),
      aborted: (finish) => finish(failed({ kind: 'aborted', message: `WebSocket upgrade to ${target.origin} was cancelled` })),
    },
  );
}
