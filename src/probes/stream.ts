// Times a streamed HTTP response: when the headers and each chunk of the body arrive, relative to the request, and how the stream ended.
import { performance } from 'node:perf_hooks';
import { brotliDecompressSync, constants as zlib, unzipSync } from 'node:zlib';
import { attemptAndNote } from '../record/exchange-log.js';
import { loadUndici } from './undici.js';
import {
  classify,
  dispatcherFor,
  staleConnection,
  flattenHeaders,
  httpUrl,
  isConnecting,
  whenAborted,
  type HttpFailure,
  type HttpRequest,
  type OnStage,
  type Stage,
} from './http.js';

/** One streamed request. `timeoutMs` bounds connect + headers and every silence between chunks (default 10000). */
export interface StreamRequest extends Pick<HttpRequest, 'url' | 'headers' | 'body' | 'ca' | 'dispatcher' | 'signal' | 'proxyEnv'> {
  method?: 'GET' | 'POST';
  timeoutMs?: number;
  /** Stop reading once the stream has been open this long (it then ends as `held`); default: read to the end. */
  holdMs?: number;
  /** Raw body bytes to read at most (default 1 MiB); more ends the stream as `too-large`. */
  maxBytes?: number;
}

/** One read from the socket: when it arrived (ms since the request started) and its size on the wire. */
export interface StreamChunk {
  atMs: number;
  bytes: number;
  /**
   * The longest time this process could not run (its event loop did not turn) since the previous read, or for the
   * first one since the request was sent: what arrived meanwhile waited in the socket and is read in one go, so gaps
   * the server made then are not seen. Absent in recordings made before it was measured.
   */
  blindMs?: number;
}

/** How often the reader proves it could run while it waits for the body (a turn of the event loop). */
const HEARTBEAT_MS = 10;

/**
 * Measures the reader's blindness: the longest stretch without a turn of the event loop (a CPU-starved process, or
 * another task's synchronous work) since the last `read()`, which returns it and starts a new stretch.
 */
function blindness(): { read(): number; stop(): void } {
  let last = performance.now();
  let longest = 0;
  const beat = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  };
  const timer = setInterval(beat, HEARTBEAT_MS).unref();
  return {
    read() {
      beat();
      const blind = Math.round(longest);
      longest = 0;
      return blind;
    },
    stop: () => clearInterval(timer),
  };
}

/** How the body ended: its natural end, cut by the other side (or a silence longer than the timeout), held long enough, or over the cap. */
export type StreamEnd = 'complete' | 'cut' | 'held' | 'too-large';

/** A response whose body was timed as it arrived. */
export interface StreamResponse {
  status: number;
  /** Lower-case names; multiple values joined by ', '. */
  headers: Record<string, string>;
  headersAtMs: number;
  chunks: StreamChunk[];
  bytes: number;
  end: StreamEnd;
  endedAtMs: number;
  /** Why the body stopped early, when `end` is `cut`. */
  cut?: HttpFailure;
  /** The start of the body as text, decoded (gzip/deflate/br) — for error pages and messages. */
  text: string;
}

/** The outcome of streamRequest: a timed response, or a failure before any response as data. */
export type StreamExchange = { ok: true; response: StreamResponse } | { ok: false; failure: HttpFailure; elapsedMs: number };

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;
/** How much of the body is kept for `text`. */
const TEXT_BYTES = 64 * 1024;

/** The body's start as text, decoded as Content-Encoding says (a truncated or corrupt encoding falls back to the raw bytes). */
function decodeText(raw: Buffer, contentEncoding: string | undefined): string {
  const coding = (contentEncoding ?? '').trim().toLowerCase();
  try {
    if (coding === 'gzip' || coding === 'x-gzip' || coding === 'deflate') return unzipSync(raw, { finishFlush: zlib.Z_SYNC_FLUSH }).toString('utf8');
    if (coding === 'br') return brotliDecompressSync(raw).toString('utf8');
  } catch {
    // Fall through: show what arrived.
  }
  return raw.toString('utf8');
}

/**
 * Sends one request and records when each chunk of the response body arrives. Never throws: a failure before the
 * response headers comes back as `{ ok: false }`; a failure while reading the body is a response whose `end` is `cut`.
 */
export async function streamRequest(req: StreamRequest): Promise<StreamExchange> {
  return attemptAndNote(
    'stream',
    req,
    () => stream(req),
    (result) =>
      result.ok
        ? {
            ok: true,
            status: result.response.status,
            headers: result.response.headers,
            body: result.response.text,
            timeMs: result.response.endedAtMs,
          }
        : { ok: false, failure: result.failure, timeMs: result.elapsedMs },
  );
}

/** One attempt; `stale`: it failed before any response on a kept-alive connection the server had closed. */
async function stream(req: StreamRequest): Promise<{ result: StreamExchange; stale: boolean }> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = req.maxBytes ?? DEFAULT_MAX_BYTES;
  const parsed = httpUrl(req.url);
  if (!parsed.ok) return { result: { ok: false, elapsedMs: 0, failure: parsed.failure }, stale: false };
  const url = parsed.url;

  // Three ways to stop early, told apart afterwards: the hold ran out, the overall budget ran out, the caller aborted.
  const hold = new AbortController();
  const overall = new AbortController();
  const holdTimer = req.holdMs === undefined ? undefined : setTimeout(() => hold.abort(), req.holdMs);
  const overallTimer = setTimeout(() => overall.abort(), (req.holdMs ?? timeoutMs) + timeoutMs);
  const signal = AbortSignal.any([hold.signal, overall.signal, ...(req.signal ? [req.signal] : [])]);
  // Held open, the stream may rightly wait for headers or its next chunk up to the whole hold.
  const waitMs = Math.max(timeoutMs, req.holdMs ?? 0);
  let stage: Stage = 'TCP connect';
  const onStage: OnStage = (next) => {
    if (isConnecting(stage)) stage = next;
  };
  const [{ request }, use] = await Promise.all([
    loadUndici(),
    dispatcherFor({ url: req.url, ca: req.ca, dispatcher: req.dispatcher, proxyEnv: req.proxyEnv }, url, waitMs, onStage),
  ]);
  const { dispatcher, owned, proxy, release } = use;
  const failureContext = (phase: Stage) => ({
    origin: url.origin,
    host: url.host,
    timeoutMs,
    maxBytes,
    phase,
    proxy,
    timedOut: overall.signal.aborted,
    callerAborted: !overall.signal.aborted && Boolean(req.signal?.aborted),
  });

  const stop = whenAborted(signal);
  const blind = blindness();
  try {
    let response;
    try {
      response = await Promise.race([
        request(url, {
          method: req.method ?? 'GET',
          headers: req.headers,
          body: req.body,
          dispatcher,
          signal,
          headersTimeout: waitMs,
          bodyTimeout: waitMs,
        }),
        stop.promise,
      ]);
    } catch (err) {
      if (hold.signal.aborted && !overall.signal.aborted) {
        const failure: HttpFailure = { kind: 'timeout', message: `No response headers from ${url.origin} within the ${req.holdMs} ms hold` };
        return { result: { ok: false, elapsedMs: elapsed(), failure }, stale: false };
      }
      const failure = classify(err, failureContext(stage));
      return { result: { ok: false, elapsedMs: elapsed(), failure }, stale: staleConnection(use, failure, stage) };
    }
    const headersAtMs = elapsed();
    const headers = flattenHeaders(response.headers);
    const chunks: StreamChunk[] = [];
    const kept: Buffer[] = [];
    let bytes = 0;
    let end: StreamEnd = 'complete';
    let cut: HttpFailure | undefined;
    try {
      for await (const data of response.body) {
        const chunk = data as Buffer;
        chunks.push({ atMs: elapsed(), bytes: chunk.length, blindMs: blind.read() });
        if (bytes < TEXT_BYTES) kept.push(chunk.subarray(0, TEXT_BYTES - bytes));
        bytes += chunk.length;
        if (bytes > maxBytes) {
          end = 'too-large';
          break;
        }
      }
    } catch (err) {
      if (hold.signal.aborted && !overall.signal.aborted) end = 'held';
      else {
        end = 'cut';
        cut = classify(err, failureContext('reading the body'));
      }
    }
    response.body.destroy();
    const text = decodeText(Buffer.concat(kept), headers['content-encoding']);
    const timed: StreamResponse = {
      status: response.statusCode,
      headers,
      headersAtMs,
      chunks,
      bytes,
      end,
      endedAtMs: elapsed(),
      ...(cut ? { cut } : {}),
      text,
    };
    return { result: { ok: true, response: timed }, stale: false };
  } finally {
    blind.stop();
    stop.dispose();
    clearTimeout(holdTimer);
    clearTimeout(overallTimer);
    release();
    // A held or cut stream leaves its socket mid-body: destroy rather than wait for a graceful close.
    if (owned) await dispatcher.destroy().catch(() => undefined);
  }
}
