// The one HTTP client: undici request() with timeouts, a decoded-size cap, custom CAs, optional proxy, no redirects, failures as data.
import { budget, enterStage } from './stage-board.js';
import { performance } from 'node:perf_hooks';
import { pipeline, type Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createUnzip } from 'node:zlib';
import type { Socket } from 'node:net';
import type { Dispatcher, buildConnector } from 'undici';
import { loadUndici } from './undici.js';
import type { Env } from '../config/settings.js';
import { redactUrl } from '../redact.js';
import { attemptAndNote } from '../record/exchange-log.js';
import { proxyFor } from './proxy-env.js';
import { currentPool, watchRequestStart, type ConnectionWatch } from './connection-pool.js';
import { secureContextFor } from './secure-context.js';
import { errorMessage } from '../error-message.js';

/** One request to make. */
export interface HttpRequest {
  url: string;
  method?: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  /** Sent as-is; the caller sets content-type. */
  body?: string;
  /** PEM certificates to trust INSTEAD of Node's defaults (callers pass system roots + extras from trust.ts); one secure context per list. */
  ca?: readonly string[];
  /** Overall budget for connect + headers + body (default 10000). */
  timeoutMs?: number;
  /** Response body cap after decoding (default 1 MiB); exceeding it => failure kind 'too-large'. */
  maxBytes?: number;
  /** Injectable for tests (undici MockAgent); when given, `ca`, `timeoutMs` socket options and `proxyEnv` are not applied to it. */
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  /** The environment whose HTTP(S)_PROXY / NO_PROXY apply (Settings.env); undefined = always direct. */
  proxyEnv?: Env;
}

/** Why an exchange failed. */
export type FailureKind = 'dns' | 'refused' | 'timeout' | 'tls' | 'reset' | 'too-large' | 'protocol' | 'proxy' | 'aborted' | 'other';

/** A failed exchange: the kind, the Node/undici code when there is one, and a human, secret-free message. */
export interface HttpFailure {
  kind: FailureKind;
  code?: string;
  message: string;
}

/** A response, read whole (within the cap). */
export interface HttpResponse {
  status: number;
  /** Lower-case names; multiple values joined by ', '. */
  headers: Record<string, string>;
  /** UTF-8 text of the decoded body. */
  body: string;
  elapsedMs: number;
  /** Absolute Location of a 3xx (never followed). */
  redirectTo?: string;
}

/** The outcome of httpRequest: a response, or a failure as data. */
export type HttpExchange = { ok: true; response: HttpResponse } | { ok: false; failure: HttpFailure; elapsedMs: number };

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;

/** Thrown inside the body reader; turned into a failure by `classify`. */
class TooLargeError extends Error {
  readonly code = 'TOO_LARGE';
}

/** The error codes of an error and its causes, outermost first. */
function codesOf(err: unknown): { codes: string[]; messages: string[]; names: string[] } {
  const codes: string[] = [];
  const messages: string[] = [];
  const names: string[] = [];
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message, name } = e as { code?: unknown; message?: unknown; name?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (typeof message === 'string' && message) messages.push(message);
    if (typeof name === 'string') names.push(name);
    // AggregateError (happy-eyeballs connect attempts) keeps the real errors in `errors`.
    const inner = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(inner) && inner[0]) {
      const first = codesOf(inner[0]);
      return { codes: [...codes, ...first.codes], messages: [...messages, ...first.messages], names: [...names, ...first.names] };
    }
  }
  return { codes, messages, names };
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$|ERR_OSSL_)/;

/** The failure kind a Node/undici error code means, or undefined when the code says nothing specific (shared with the socket probes). */
export function kindOfCode(code: string): FailureKind | undefined {
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') return 'dns';
  if (code === 'ECONNREFUSED') return 'refused';
  if (['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'].includes(code)) return 'timeout';
  if (TLS_CODE.test(code) || code === 'UND_ERR_PRX_TLS') return 'tls';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'ECONNABORTED') return 'reset';
  if (
    code.startsWith('HPE_') ||
    code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' ||
    code === 'UND_ERR_HEADERS_OVERFLOW' ||
    code === 'Z_DATA_ERROR' ||
    code === 'Z_BUF_ERROR'
  ) {
    return 'protocol';
  }
  if (code === 'TOO_LARGE') return 'too-large';
  return undefined;
}

/** The stage a request was in when it failed, for timeout messages: TCP, TLS, headers, body. */
export type Stage = 'TCP connect' | 'TLS handshake' | 'waiting for the response headers' | 'reading the body';

interface FailureContext {
  origin: string;
  host: string;
  timeoutMs: number;
  maxBytes: number;
  phase: Stage;
  proxy?: string;
  timedOut: boolean;
  callerAborted: boolean;
}

/** Whether a request in `stage` had no connection yet (through a proxy, the proxy makes the onward one). */
export function isConnecting(stage: Stage): boolean {
  return stage === 'TCP connect' || stage === 'TLS handshake';
}

/** Turns any thrown error into a FailureKind with a message that names the host and never echoes request headers. */
export function classify(err: unknown, c: FailureContext): HttpFailure {
  const { codes, messages, names } = codesOf(err);
  if (c.callerAborted) return { kind: 'aborted', message: `Request to ${c.origin} was cancelled` };
  if (c.timedOut) return { kind: 'timeout', code: codes[0], message: `No answer from ${c.origin} within ${c.timeoutMs} ms (${c.phase})` };
  let kind: FailureKind | undefined;
  let code: string | undefined;
  for (const candidate of codes) {
    kind = kindOfCode(candidate);
    if (kind) {
      code = candidate;
      break;
    }
  }
  // undici's llhttp parser errors (invalid status line, not HTTP at all) carry no code, only their name.
  if (!kind && names.includes('HTTPParserError')) kind = 'protocol';
  const detail = messages.find((m) => !/^fetch failed$/i.test(m)) ?? 'unknown error';
  const proxyTunnel = /Proxy response \((\d+)\)/.exec(messages.join(' '));
  if (proxyTunnel) {
    return {
      kind: 'proxy',
      code: codes[0],
      message: `Proxy ${c.proxy ?? '(unknown)'} refused to open a tunnel to ${c.host}: HTTP ${proxyTunnel[1]}`,
    };
  }
  // Through a proxy, a connect-phase error is the proxy's own (the proxy makes the onward connection).
  if (c.proxy && isConnecting(c.phase) && (kind === 'dns' || kind === 'refused' || kind === 'timeout' || kind === 'reset')) {
    return { kind: 'proxy', code, message: `Could not use proxy ${c.proxy}: ${detail}${code ? ` (${code})` : ''}` };
  }
  const suffix = code ? ` (${code})` : '';
  switch (kind) {
    case 'dns':
      return { kind, code, message: `DNS lookup of ${c.host} failed${suffix}` };
    case 'refused':
      return { kind, code, message: `Connection to ${c.host} refused${suffix}: nothing listens on that port` };
    case 'timeout':
      return { kind, code, message: `No answer from ${c.origin} within ${c.timeoutMs} ms (${c.phase})${suffix}` };
    case 'tls':
      return { kind, code, message: `TLS with ${c.host} failed: ${detail}${suffix}` };
    case 'reset':
      return { kind, code, message: `Connection to ${c.host} was reset (${c.phase})${suffix}` };
    case 'protocol':
      return { kind, code, message: `Invalid HTTP response from ${c.origin}: ${detail}${suffix}` };
    case 'too-large':
      return { kind, message: `Response from ${c.origin} is larger than ${c.maxBytes} bytes; stopped reading` };
    default:
      return { kind: 'other', code: codes[0], message: `Request to ${c.origin} failed: ${detail}${codes[0] ? ` (${codes[0]})` : ''}` };
  }
}

/** Flattens undici's header record: lower-case names, repeated values joined by ', '. */
export function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The decoders for a Content-Encoding value, in the order to apply them (the header lists them in the order applied). */
function decodersFor(contentEncoding: string | undefined): Transform[] {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s && s !== 'identity');
  return codings.reverse().map((coding) => {
    if (coding === 'gzip' || coding === 'x-gzip' || coding === 'deflate') return createUnzip();
    if (coding === 'br') return createBrotliDecompress();
    throw Object.assign(new Error(`unsupported content-encoding "${coding}"`), { code: 'HPE_UNSUPPORTED_ENCODING' });
  });
}

/** Reads `body` through `decoders`, failing with TooLargeError as soon as the decoded size passes `maxBytes` (a gzip bomb stops there). */
async function readCapped(body: Readable, decoders: Transform[], maxBytes: number): Promise<Buffer> {
  // pipeline() propagates an error of any stage to the last one, and destroys every stage when we stop reading.
  // It returns its last stream, a Transform here (its typings only promise a WritableStream).
  const decoded = decoders.length ? (pipeline([body, ...decoders], () => undefined) as unknown as Transform) : body;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of decoded) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buf.length;
    if (size > maxBytes) {
      body.destroy();
      throw new TooLargeError('too large');
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

type Connector = buildConnector.connector;

/** Told each stage a request's connection reaches: the TCP connect done, then (https) the TLS handshake done. */
export type OnStage = (stage: Stage) => void;

/** A request's dispatcher: whether the request owns it (and must close it), the proxy it goes through, and what to call once done. */
export interface DispatcherUse {
  dispatcher: Dispatcher;
  owned: boolean;
  proxy?: string;
  release(): void;
  /** Whether the request went out on a pooled connection opened before it (one the server may have just closed). */
  reused(): boolean;
}

/**
 * Whether a failed exchange should be tried once more: a reset before any response, on a kept-alive connection that the
 * server closed as it idled (a race every keep-alive client has; curl and browsers retry too). Not the server's fault,
 * so not a verdict: the retry opens a fresh connection, and a reset there is reported.
 */
export function staleConnection(use: Pick<DispatcherUse, 'reused'>, failure: HttpFailure, phase: Stage): boolean {
  return failure.kind === 'reset' && phase === 'waiting for the response headers' && use.reused();
}

/** Trust-list identities for pool keys: one per secure context, which is itself one per CA list's content. */
const trustIds = new WeakMap<object, number>();
let lastTrustId = 0;
function trustId(context: object | undefined): number {
  if (!context) return 0;
  let id = trustIds.get(context);
  if (id === undefined) trustIds.set(context, (id = ++lastTrustId));
  return id;
}

/**
 * The dispatcher for a request: the run's pooled one for its trust list and proxy (keep-alive, connections per origin
 * reused), or outside a run one of its own. `onStage` hears each stage its connection reaches. The caller passes
 * `timeoutMs` as the request's headers and body timeouts; a pooled connection's connect is bounded by the run's --timeout.
 */
export async function dispatcherFor(req: HttpRequest, url: URL, timeoutMs: number, onStage?: OnStage): Promise<DispatcherUse> {
  if (req.dispatcher) return { dispatcher: req.dispatcher, owned: false, release: () => undefined, reused: () => false };
  const { Agent, ProxyAgent, buildConnector } = await loadUndici();
  const secureContext = req.ca ? secureContextFor(req.ca) : undefined;
  const tls = secureContext ? { secureContext } : {};
  const proxy = req.proxyEnv ? proxyFor(url, req.proxyEnv).proxy : undefined;
  // Plain-http targets go as absolute-URI requests through the proxy (what curl, Ruby and Python do), https via CONNECT.
  const proxyTunnel = url.protocol === 'https:';
  const create = (watch: ConnectionWatch, connectTimeoutMs: number): Dispatcher => {
    const connectTls = { ...tls, timeout: connectTimeoutMs };
    if (proxy) return new ProxyAgent({ connect: connectTls, uri: proxy, requestTls: tls, proxyTls: tls, proxyTunnel });
    // undici's connector, watched: its socket says when TCP is up ('connect') and when TLS is ('secureConnect').
    // It returns the socket (undici 7, lib/core/connect.js) though its typings say void: without it, stages stay coarser.
    const connector = buildConnector(connectTls) as unknown as (...args: Parameters<Connector>) => Socket | undefined;
    const connect: Connector = (opts, callback) => {
      const socket = connector(opts, callback);
      const origin = `${opts.protocol}//${opts.host}`;
      socket?.once('connect', () => watch(origin, opts.protocol === 'https:' ? 'TLS handshake' : 'waiting for the response headers'));
      socket?.once('secureConnect', () => watch(origin, 'waiting for the response headers'));
    };
    return new Agent({ connect });
  };
  const shown = proxy ? { proxy: redactUrl(new URL(proxy).origin) } : {};
  // A trust list only matters where TLS is spoken: an https origin, or an https proxy.
  const speaksTls = proxyTunnel || Boolean(proxy?.startsWith('https:'));
  const key = `${speaksTls ? trustId(secureContext) : 0} ${proxy ?? '-'} ${proxy && proxyTunnel ? 'tunnel' : 'direct'}`;
  const lease = currentPool()?.lease(key, url, create, onStage);
  if (lease) {
    // undici frees a connection one event-loop turn after its response ends (lib/dispatcher/client-h1.js: "wait a full
    // event loop cycle to reuse this socket"); dispatching sooner — a probe's next request right after its last — would
    // find it busy and open another. One turn of waiting (microseconds) lets the next request reuse it.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return { ...lease, owned: false, ...shown };
  }
  const dispatcher = watchRequestStart(
    create((_, stage) => onStage?.(stage), timeoutMs),
    onStage,
  );
  return { dispatcher, owned: true, release: () => undefined, reused: () => false, ...shown };
}

/** A promise that rejects with the signal's reason once `signal` aborts (undici may be slow to notice during a connect). */
export function whenAborted(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let onAbort = (): void => undefined;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/** Parses a request URL; anything but http(s) is a failure, worded with the URL redacted. */
export function httpUrl(raw: string): { ok: true; url: URL } | { ok: false; failure: HttpFailure } {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return { ok: true, url };
  } catch {
    // Reported below, like any other scheme.
  }
  return { ok: false, failure: { kind: 'other', message: `Not an http(s) URL: ${redactUrl(raw)}` } };
}

/** Makes one HTTP request. Never throws: every failure comes back as `{ ok: false, failure }`. Redirects are reported, not followed. */
export async function httpRequest(req: HttpRequest): Promise<HttpExchange> {
  return attemptAndNote(
    'http',
    req,
    () => exchange(req),
    (result) =>
      result.ok
        ? {
            ok: true,
            status: result.response.status,
            headers: result.response.headers,
            body: result.response.body,
            timeMs: result.response.elapsedMs,
          }
        : { ok: false, failure: result.failure, timeMs: result.elapsedMs },
  );
}

/** One attempt; `stale`: it failed on a kept-alive connection the server had closed, and may be tried again. */
async function exchange(req: HttpRequest): Promise<{ result: HttpExchange; stale: boolean }> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  // Within a check, no later than its budget ends: a request started late still ends with its own verdict.
  const { waitMs, timeoutMs } = budget(req.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const maxBytes = req.maxBytes ?? DEFAULT_MAX_BYTES;

  const parsed = httpUrl(req.url);
  if (!parsed.ok) return { result: { ok: false, elapsedMs: 0, failure: parsed.failure }, stale: false };
  const url = parsed.url;

  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(new Error('timeout')), waitMs);
  const signal = req.signal ? AbortSignal.any([timer.signal, req.signal]) : timer.signal;
  const context: FailureContext = {
    origin: redactUrl(url.origin),
    host: url.host,
    timeoutMs,
    maxBytes,
    phase: 'TCP connect',
    timedOut: false,
    callerAborted: false,
  };
  const onStage: OnStage = (stage) => {
    if (isConnecting(context.phase)) context.phase = stage;
  };
  // The runner reads this when it abandons the check (its timeout, the run's deadline): the stage, as a timeout names it.
  const leaveStage = enterStage(
    () =>
      `${context.phase === 'TCP connect' ? 'connecting (TCP) to' : context.phase === 'TLS handshake' ? 'in the TLS handshake with' : `${context.phase} from`} ${context.origin}`,
  );
  const [{ request }, use] = await Promise.all([loadUndici(), dispatcherFor(req, url, timeoutMs, onStage)]);
  const { dispatcher, owned, proxy, release } = use;
  context.proxy = proxy;
  let failed = false;
  // The budget is the user's --timeout: the answer comes back when it runs out, whatever undici is still doing.
  const stop = whenAborted(signal);

  try {
    const response = await Promise.race([
      request(url, {
        method: req.method ?? 'GET',
        headers: req.headers,
        body: req.body,
        dispatcher,
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      }),
      stop.promise,
    ]);
    context.phase = 'reading the body';
    const headers = flattenHeaders(response.headers);
    const body =
      req.method === 'HEAD'
        ? await response.body.dump().then(() => Buffer.alloc(0))
        : await readCapped(response.body, decodersFor(headers['content-encoding']), maxBytes);
    const location = headers.location;
    let redirectTo: string | undefined;
    if (response.statusCode >= 300 && response.statusCode < 400 && location) {
      try {
        redirectTo = new URL(location, url).href;
      } catch {
        redirectTo = location;
      }
    }
    return {
      result: {
        ok: true,
        response: { status: response.statusCode, headers, body: body.toString('utf8'), elapsedMs: elapsed(), ...(redirectTo ? { redirectTo } : {}) },
      },
      stale: false,
    };
  } catch (err) {
    failed = true;
    context.timedOut = timer.signal.aborted;
    context.callerAborted = !context.timedOut && Boolean(req.signal?.aborted);
    // undici reports "headers timeout" as its own code; a connect that succeeded then stalled is in that phase.
    if (isConnecting(context.phase) && codesOf(err).codes.includes('UND_ERR_HEADERS_TIMEOUT')) context.phase = 'waiting for the response headers';
    const failure = classify(err, context);
    return { result: { ok: false, elapsedMs: elapsed(), failure }, stale: staleConnection(use, failure, context.phase) };
  } finally {
    leaveStage();
    clearTimeout(timeout);
    stop.dispose();
    release();
    if (owned) {
      // A failed exchange may leave a half-read socket: destroy (without waiting on a hung handshake) rather than close gracefully.
      if (failed) void dispatcher.destroy().catch(() => undefined);
      else await dispatcher.close().catch(() => undefined);
    }
  }
}

/** Parses a response body as JSON, saying why not in words a report can use ("HTML page", "empty body", "invalid JSON at ..."). */
export function parseJson(response: HttpResponse): { ok: true; value: unknown } | { ok: false; reason: string } {
  const text = response.body.replace(/^\uFEFF/, '');
  if (!text.trim()) return { ok: false, reason: 'empty body' };
  const contentType = response.headers['content-type'] ?? '';
  if (/^\s*</.test(text) && (/html/i.test(contentType) || /^\s*<(!doctype|html|head|body)/i.test(text))) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    return { ok: false, reason: `HTML page${title ? ` ("${title.slice(0, 80)}")` : ''} instead of JSON` };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    const detail = errorMessage(err);
    const position = /position (\d+)/.exec(detail)?.[1];
    return { ok: false, reason: position ? `invalid JSON at position ${position}` : `invalid JSON: ${detail}` };
  }
}
