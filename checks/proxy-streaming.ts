// proxy-streaming: a streamed completion reaches the client chunk by chunk, not held back by a buffering proxy in front of the gateway.
import { plural } from '../src/plural.js';
import { defineCheck, type CheckContext, type Judgement, type Messages } from '../src/check.js';
import { STREAMED_COMPLETION } from '../src/completion-request.js';
import { redactUrl } from '../src/redact.js';
import { COMPLETIONS_PATH, streamCompletion } from '../src/probes/completion-stream.js';
import { DIRECT_ACCESS_PATH } from '../src/probes/direct-access.js';
import { proxySignature } from '../src/probes/proxy-signature.js';
import type { StreamChunk, StreamExchange, StreamResponse } from '../src/probes/stream.js';

export interface Facts {
  /** Why no streamed completion could be asked for (no gateway URL, no direct-access token): a skip. */
  unavailable?: string;
  /** The completion URL, credentials redacted. */
  url?: string;
  exchange?: StreamExchange;
}

/** Reads closer together than this belong to one burst (the reference gateway streams 200 ms apart). */
export const BURST_GAP_MS = 100;
/** A stream arriving in one burst this late was held back: a gateway that streams would have sent something before. */
export const BUFFERED_AFTER_MS = 500;

/** The fixes for a buffering proxy, as measured with nginx 1.22.1 (a backend sending 5 chunks 200 ms apart; gzip buffers only with buffering on). */
const FIXES = {
  buffering:
    "In the nginx location that proxies the gateway add `proxy_buffering off;` (the install guide's default.conf has it in both server blocks). " +
    'With buffering on, nginx holds the stream back: with its default `proxy_http_version 1.0` until the gateway finishes, and behind ' +
    '`listen ... ssl` even with `proxy_http_version 1.1` (small writes wait to fill the 16k ssl_buffer_size). Other proxies: turn response ' +
    'buffering off for the gateway (Caddy: `flush_interval -1` in reverse_proxy).',
  gzip:
    'The proxy compresses the stream (Content-Encoding: gzip) and, with proxy buffering on, holds it until the end: add `gzip off;` in the ' +
    'location that proxies the gateway (or remove text/event-stream from gzip_types), or `proxy_buffering off;` there.',
  cut: "The stream was cut before its end: raise the proxy's read timeout for the gateway (nginx: `proxy_read_timeout 300s;`, as the install guide has it).",
} as const;

/** Groups reads into bursts: a new burst starts after a silence of BURST_GAP_MS or more. */
export function bursts(chunks: readonly StreamChunk[]): StreamChunk[][] {
  const groups: StreamChunk[][] = [];
  let last: number | undefined;
  for (const chunk of chunks) {
    const current = groups.at(-1);
    if (!current || last === undefined || chunk.atMs - last >= BURST_GAP_MS) groups.push([chunk]);
    else current.push(chunk);
    last = chunk.atMs;
  }
  return groups;
}

/** The measurements a report shows and machines read (never a header value that could carry a credential). */
function timingOf(r: StreamResponse): { details: string[]; evidence: Record<string, unknown> } {
  const groups = bursts(r.chunks);
  const first = r.chunks[0]?.atMs;
  const last = r.chunks.at(-1)?.atMs;
  const encoding = r.headers['content-encoding'];
  const signature = proxySignature(r.headers);
  return {
    details: [
      `Headers after ${r.headersAtMs} ms; ${r.bytes} bytes in ${plural(r.chunks.length, 'read')}, ${plural(groups.length, 'burst')}`,
      `Arrivals (ms): ${r.chunks.map((c) => c.atMs).join(', ') || 'none'}`,
      ...(encoding ? [`Content-Encoding: ${encoding}`] : []),
      ...signature.clues,
    ],
    evidence: {
      httpStatus: r.status,
      headersMs: r.headersAtMs,
      firstByteMs: first,
      lastByteMs: last,
      spreadMs: first === undefined || last === undefined ? 0 : last - first,
      reads: r.chunks.length,
      bursts: groups.length,
      bytes: r.bytes,
      end: r.end,
      ...(encoding ? { contentEncoding: encoding } : {}),
      ...(signature.proxy ? { proxy: signature.proxy } : {}),
    },
  };
}

export const messages = {
  unavailable: { status: 'skip', text: (d: { reason: string }) => d.reason },
  streams: {
    status: 'pass',
    text: (d: { bursts: number; spreadMs: number }) => `the stream arrived as it was produced: ${d.bursts} bursts over ${d.spreadMs} ms`,
  },
  inconclusive: {
    status: 'warn',
    text: (d: { why: string }) => `the stream arrived in one piece, but ${d.why}: cannot tell whether anything buffers it`,
  },
  buffered: {
    status: 'fail',
    text: (d: { by: string; bytes: number; lastMs: number; gzip: boolean }) =>
      `responses are buffered by something in front of the gateway${d.by}: the whole stream (${d.bytes} bytes) arrived at once after ${d.lastMs} ms`,
    fix: (d: { gzip: boolean }) => (d.gzip ? `${FIXES.gzip}\n${FIXES.buffering}` : FIXES.buffering),
  },
  cut: { status: 'fail', text: (d: { afterMs: number; why: string }) => `the stream was cut after ${d.afterMs} ms: ${d.why}`, fix: FIXES.cut },
  tokenRefused: {
    status: 'skip',
    text: (d: { status: number; excerpt: string }) =>
      `the gateway refused the direct-access token (HTTP ${d.status}${d.excerpt ? `: ${d.excerpt}` : ''}); see token-verifies`,
  },
  httpError: {
    status: 'fail',
    text: (d: { status: number }) => `a streamed completion (POST ${COMPLETIONS_PATH}) came back HTTP ${d.status}`,
    fix: `Check that the proxy passes POST ${COMPLETIONS_PATH} to the gateway unchanged (location, path prefix) and see its error log.`,
  },
  requestFailed: {
    status: 'fail',
    text: (d: { url: string; message: string }) => `the streamed completion request to ${d.url} failed: ${d.message}`,
    fix: `gateway-health passed, so the gateway answers: check the proxy's error log for this request (POST ${COMPLETIONS_PATH}).`,
  },
} satisfies Messages;

/** Pure: a streamed completion's timing judged. */
export function judge(f: Facts): Judgement<typeof messages> {
  const exchange = f.exchange;
  if (!exchange) return { findings: [{ id: 'unavailable', data: { reason: f.unavailable ?? 'no streamed completion was asked for' } }] };
  if (!exchange.ok) {
    return {
      findings: [{ id: 'requestFailed', data: { url: f.url ?? 'the gateway', message: exchange.failure.message } }],
      evidence: { failure: exchange.failure.kind, elapsedMs: exchange.elapsedMs },
    };
  }
  const r = exchange.response;
  const { details, evidence } = timingOf(r);
  const excerpt = r.text.replace(/\s+/g, ' ').trim().slice(0, 200);
  if (r.status === 401 || r.status === 403) return { findings: [{ id: 'tokenRefused', data: { status: r.status, excerpt } }], evidence };
  if (r.status !== 200)
    return { findings: [{ id: 'httpError', data: { status: r.status } }], details: [...details, ...(excerpt ? [`Body: ${excerpt}`] : [])], evidence };
  if (r.end === 'cut')
    return { findings: [{ id: 'cut', data: { afterMs: r.endedAtMs, why: r.cut?.message ?? 'connection closed' } }], details, evidence };
  const groups = bursts(r.chunks);
  const last = r.chunks.at(-1)?.atMs ?? r.headersAtMs;
  if (groups.length >= 2)
    return { findings: [{ id: 'streams', data: { bursts: groups.length, spreadMs: last - (r.chunks[0]?.atMs ?? 0) } }], details, evidence };
  const signature = proxySignature(r.headers);
  // A reader that could not run for a gap's length reads what arrived meanwhile in one go: on a CPU-starved machine
  // (a large fleet, a busy CI runner) a stream paced by the gateway looks like one burst without any proxy holding it.
  const blindMs = r.chunks[0]?.blindMs ?? 0;
  if (r.bytes === 0 || last < BUFFERED_AFTER_MS || signature.direct || blindMs >= BURST_GAP_MS) {
    const why =
      r.bytes === 0
        ? 'the stream was empty'
        : signature.direct
          ? 'the gateway itself answered (no proxy in between) and sent it whole'
          : last < BUFFERED_AFTER_MS
            ? `it took only ${last} ms`
            : `this process could not run for ${blindMs} ms before reading it (a busy machine: run fewer checks at once with --concurrency, or give it more CPU)`;
    return { findings: [{ id: 'inconclusive', data: { why } }], details, evidence };
  }
  return {
    findings: [
      {
        id: 'buffered',
        data: {
          by: signature.proxy ? ` (${signature.proxy})` : '',
          bytes: r.bytes,
          lastMs: last,
          gzip: /gzip|deflate|br/i.test(r.headers['content-encoding'] ?? ''),
        },
      },
    ],
    details: [...details, 'Code generation streams its answer; held back until the end, it looks hung in the IDE and may hit client timeouts.'],
    evidence,
  };
}

// Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
/** Gathers: a direct-access token from GitLab, then one streamed completion to the gateway, timed read by read. */
export async function gather(ctx: CheckContext): Promise<Facts> {
  const stream = await streamCompletion(ctx, STREAMED_COMPLETION);
  if (!stream.ok) return { unavailable: stream.reason };
  return { url: redactUrl(stream.url), exchange: stream.exchange };
}

// Stryker restore all
export default defineCheck({
  id: 'proxy-streaming',
  title: 'Streamed responses are not buffered by the proxy in front of the gateway',
  category: 'network',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  // The direct-access token is asked of GitLab with the admin token: only once gitlab-reachable found GitLab's API there.
  dependsOn: ['gitlab-reachable', 'gateway-health'],
  needs: ['gitlab', 'gateway', 'token'],
  explain: {
    checks:
      `Asks GitLab for a direct-access token (POST ${DIRECT_ACCESS_PATH}), sends a streamed completion ("stream": true) to the gateway URL ` +
      `(POST ${COMPLETIONS_PATH} with GitLab's headers and Accept-Encoding: gzip, as IDEs do) and times each read of the answer. The token is never printed.`,
    failsWhen:
      `The whole stream arrives in one burst after ${BUFFERED_AFTER_MS} ms or more (something in front of the gateway buffers it: nginx with ` +
      'proxy_buffering on and its default proxy_http_version 1.0, or on with TLS, or gzip on for text/event-stream with buffering on), the stream is cut, ' +
      'or the request fails. Warns when the stream is too short, came from the gateway itself, or arrived while this process could not run ' +
      `for ${BURST_GAP_MS} ms or more (a busy machine reads a paced stream in one go). Skips without a token (direct connections ` +
      'disabled, no Duo seat).',
    fix: 'nginx: `proxy_buffering off;` in the location that proxies the gateway; `gzip off;` there if the stream is compressed.',
  },
  messages,
  gather,
  judge,
});
