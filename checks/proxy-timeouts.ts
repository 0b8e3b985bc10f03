// proxy-timeouts: what the gateway's answers say about a proxy in front of it, and with --deep, whether it cuts a long stream.
import { defineCheck } from '../src/check.js';
import type { Settings } from '../src/config/settings.js';
import type { CheckOutcome } from '../src/model.js';
import { streamCompletion } from '../src/probes/completion-stream.js';
import { gatewayHealthz } from '../src/probes/gateway.js';
import type { HttpExchange } from '../src/probes/http.js';
import { proxySignature } from '../src/probes/proxy-signature.js';
import type { StreamExchange, StreamResponse } from '../src/probes/stream.js';
import { STREAMED_COMPLETION } from './proxy-streaming.js';

/** The fix for a read timeout shorter than the gateway needs. */
export const TIMEOUT_FIX =
  'In the nginx location that proxies the gateway set `proxy_read_timeout 300s;` (the install guide\'s value; nginx\'s default is 60 s): ' +
  'it is the longest silence nginx accepts from the gateway, and a code generation can think longer than that before its next chunk. ' +
  'Other proxies: raise the upstream response/idle timeout likewise (HAProxy `timeout server 300s`, a load balancer\'s idle timeout).';

/** Statuses a proxy answers with when it gives up waiting for the gateway. */
const GAVE_UP = new Set([502, 504]);

/** The runner's budget for this check: a --deep hold plus the requests around it (the run's --timeout otherwise). */
export function timeoutFor(settings: Settings): number {
  return settings.deep ? settings.deepSeconds * 1000 + 3 * settings.timeoutMs : settings.timeoutMs;
}

/** The longest silence of a stream: between the request, the headers, each read, and its end. */
export function longestSilenceMs(r: StreamResponse): number {
  const times = [0, r.headersAtMs, ...r.chunks.map((c) => c.atMs), r.endedAtMs];
  return times.slice(1).reduce((max, t, i) => Math.max(max, t - (times[i] ?? 0)), 0);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Without --deep: what the health answer's Server/Via headers reveal (never a failure on its own). */
export function judgeSignature(exchange: HttpExchange, deepSeconds: number): CheckOutcome {
  if (!exchange.ok) return { status: 'skip', summary: `no answer from the gateway to read headers from: ${exchange.failure.message}` };
  const signature = proxySignature(exchange.response.headers);
  const details = [...signature.clues, `A read timeout was not tested: --deep holds a streamed request open for ${deepSeconds} s (--deep-seconds).`];
  const evidence = { deep: false, ...(signature.proxy ? { proxy: signature.proxy } : {}), direct: signature.direct };
  if (signature.proxy) {
    return { status: 'pass', summary: `a proxy answers in front of the gateway: ${signature.proxy}`, details, evidence };
  }
  if (signature.direct) {
    return { status: 'pass', summary: `the gateway answers itself (${signature.clues.join(', ')}): no proxy timeout in between`, details: signature.clues, evidence };
  }
  return { status: 'pass', summary: 'no Server or Via header reveals a proxy in front of the gateway', details, evidence };
}

/** With --deep: judges a streamed request held open for up to `holdMs`. */
export function judgeHold(exchange: StreamExchange, holdMs: number): CheckOutcome {
  if (!exchange.ok) {
    if (exchange.failure.kind === 'timeout' && exchange.elapsedMs >= holdMs) {
      return { status: 'pass', summary: `the request stayed open ${seconds(exchange.elapsedMs)} without being cut (no answer yet)`, evidence: { deep: true, heldMs: exchange.elapsedMs } };
    }
    return {
      status: 'fail',
      summary: `the held request failed after ${seconds(exchange.elapsedMs)}: ${exchange.failure.message}`,
      remediation: TIMEOUT_FIX,
      evidence: { deep: true, failure: exchange.failure.kind, elapsedMs: exchange.elapsedMs },
    };
  }
  const r = exchange.response;
  const signature = proxySignature(r.headers);
  const silence = longestSilenceMs(r);
  const by = signature.proxy ? ` (${signature.proxy})` : '';
  const details = [`HTTP ${r.status}; headers after ${r.headersAtMs} ms; ${r.chunks.length} reads; ended (${r.end}) after ${r.endedAtMs} ms`, ...signature.clues];
  const evidence = { deep: true, httpStatus: r.status, end: r.end, heldMs: r.endedAtMs, longestSilenceMs: silence, ...(signature.proxy ? { proxy: signature.proxy } : {}) };
  if (GAVE_UP.has(r.status)) {
    return {
      status: 'fail',
      summary: `the proxy in front of the gateway${by} gave up after ${seconds(r.headersAtMs)} with HTTP ${r.status}: its read timeout is shorter than the gateway needs`,
      details,
      remediation: TIMEOUT_FIX,
      evidence,
    };
  }
  if (r.status === 401 || r.status === 403) {
    return { status: 'skip', summary: `the gateway refused the direct-access token (HTTP ${r.status}): see token-verifies`, details, evidence };
  }
  if (r.status !== 200) return { status: 'skip', summary: `no stream to hold: the gateway answered HTTP ${r.status} (see proxy-streaming)`, details, evidence };
  if (r.end === 'cut') {
    const lastRead = r.chunks.at(-1)?.atMs ?? r.headersAtMs;
    return {
      status: 'fail',
      summary: `the stream was cut${by} after ${seconds(r.endedAtMs)}, ${seconds(r.endedAtMs - lastRead)} after its last chunk: a read timeout shorter than the gateway needs`,
      details: [...details, ...(r.cut ? [r.cut.message] : [])],
      remediation: TIMEOUT_FIX,
      evidence,
    };
  }
  if (r.end === 'held') {
    return { status: 'pass', summary: `a streamed request stayed open ${seconds(r.endedAtMs)} without being cut (longest silence ${seconds(silence)})`, details, evidence };
  }
  return {
    status: 'pass',
    summary: `the gateway's stream ended after ${seconds(r.endedAtMs)}, uncut; its longest silence was ${seconds(silence)}`,
    details: [...details, `The gateway finished before the ${seconds(holdMs)} hold: a read timeout between ${seconds(silence)} and ${seconds(holdMs)} was not exercised.`],
    evidence,
  };
}

export default defineCheck({
  id: 'proxy-timeouts',
  title: 'The proxy in front of the gateway shows itself and does not cut long streams',
  category: 'network',
  tags: ['oncall', 'deep'],
  dependsOn: ['gateway-health'],
  needs: ['gateway'],
  explain: {
    checks:
      'Reads the Server and Via headers of the gateway\'s health answer for a proxy in front of it. With --deep, also holds a streamed ' +
      'completion (direct-access token, never printed) open for --deep-seconds (default 75 s, the install guide\'s proxy_connect_timeout) ' +
      'and watches whether the proxy cuts it; only then does this check wait.',
    failsWhen:
      'Only with --deep: the proxy answers 504/502 while the gateway is still working, or cuts the stream before it ends (nginx ' +
      'proxy_read_timeout shorter than the gateway\'s silences). Without --deep it only reports what the headers say.',
    fix: 'nginx: `proxy_read_timeout 300s;` in the location that proxies the gateway, as the install guide has it.',
  },
  timeoutMs: timeoutFor,
  async run(ctx) {
    const { deep, deepSeconds } = ctx.settings;
    if (!deep) return judgeSignature((await gatewayHealthz(ctx)).exchange, deepSeconds);
    const holdMs = deepSeconds * 1000;
    const stream = await streamCompletion(ctx, STREAMED_COMPLETION, { holdMs });
    if (!stream.ok) return { status: 'skip', summary: `--deep needs a streamed completion: ${stream.reason}` };
    return judgeHold(stream.exchange, holdMs);
  },
});
