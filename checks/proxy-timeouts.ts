// proxy-timeouts: what the gateway's answers say about a proxy in front of it, and with --deep, whether it cuts a long stream.
import { defineCheck, type CheckContext, type Judgement, type Messages } from '../src/check.js';
import { STREAMED_COMPLETION } from '../src/completion-request.js';
import type { Settings } from '../src/config/settings.js';
import { streamCompletion } from '../src/probes/completion-stream.js';
import { gatewayHealthz } from '../src/probes/gateway.js';
import { gitlabGatewayTimeout, type GatewayTimeoutFact } from '../src/probes/gitlab-api.js';
import type { HttpExchange } from '../src/probes/http.js';
import { proxySignature } from '../src/probes/proxy-signature.js';
import type { StreamExchange, StreamResponse } from '../src/probes/stream.js';

export interface Facts {
  deepSeconds: number;
  /** Without --deep: GitLab's health request (memoised, shared with gateway-health), for its headers. */
  health?: HttpExchange;
  /** With --deep: how long the streamed request was to be held open (ms). */
  holdMs?: number;
  /** With --deep: why no streamed completion could be asked for. */
  unavailable?: string;
  /** With --deep: the held streamed completion. */
  hold?: StreamExchange;
  /** GitLab's own timeout for its requests to the gateway (aiGatewayTimeoutSeconds), when GitLab could be asked. */
  gitlabTimeout?: GatewayTimeoutFact;
}

/** The fix for a read timeout shorter than the gateway needs. */
const TIMEOUT_FIX =
  "In the nginx location that proxies the gateway set `proxy_read_timeout 300s;` (the install guide's value; nginx's default is 60 s): " +
  'it is the longest silence nginx accepts from the gateway, and a code generation can think longer than that before its next chunk. ' +
  "Other proxies: raise the upstream response/idle timeout likewise (HAProxy `timeout server 300s`, a load balancer's idle timeout).";

/** The fix for a gateway slower than GitLab waits (configure_duo_features.md, "Configure timeout for the AI gateway"). */
const GITLAB_TIMEOUT_FIX =
  'Raise GitLab\'s AI gateway request timeout: Admin > GitLab Duo > Change configuration > "AI Gateway request timeout" (60 to 600 s, GitLab ' +
  '18.7 and later; or GraphQL `mutation { duoSettingsUpdate(input: { aiGatewayTimeoutSeconds: 300 }) { errors } }`). Before 18.7 GitLab waits ' +
  'a fixed 60 s: upgrade, or serve a faster model. Keep the read timeout of any proxy in front of the gateway at least as long.';

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

export const messages = {
  noHealth: { status: 'skip', text: (d: { message: string }) => `no answer from the gateway to read headers from: ${d.message}` },
  proxyShown: { status: 'pass', text: (d: { proxy: string }) => `a proxy answers in front of the gateway: ${d.proxy}` },
  gatewayDirect: { status: 'pass', text: (d: { clues: string }) => `the gateway answers itself (${d.clues}): no proxy timeout in between` },
  nothingShown: { status: 'pass', text: () => 'no Server or Via header reveals a proxy in front of the gateway' },
  deepUnavailable: { status: 'skip', text: (d: { reason: string }) => `--deep needs a streamed completion: ${d.reason}` },
  heldWithoutAnswer: { status: 'pass', text: (d: { held: string }) => `the request stayed open ${d.held} without being cut (no answer yet)` },
  holdFailed: {
    status: 'fail',
    text: (d: { after: string; message: string }) => `the held request failed after ${d.after}: ${d.message}`,
    fix: TIMEOUT_FIX,
  },
  proxyGaveUp: {
    status: 'fail',
    text: (d: { by: string; after: string; status: number }) =>
      `the proxy in front of the gateway${d.by} gave up after ${d.after} with HTTP ${d.status}: its read timeout is shorter than the gateway needs`,
    fix: TIMEOUT_FIX,
  },
  tokenRefused: {
    status: 'skip',
    text: (d: { status: number }) => `the gateway refused the direct-access token (HTTP ${d.status}): see token-verifies`,
  },
  noStream: { status: 'skip', text: (d: { status: number }) => `no stream to hold: the gateway answered HTTP ${d.status} (see proxy-streaming)` },
  streamCut: {
    status: 'fail',
    text: (d: { by: string; after: string; sinceLast: string }) =>
      `the stream was cut${d.by} after ${d.after}, ${d.sinceLast} after its last chunk: a read timeout shorter than the gateway needs`,
    fix: TIMEOUT_FIX,
  },
  heldOpen: {
    status: 'pass',
    text: (d: { after: string; silence: string }) => `a streamed request stayed open ${d.after} without being cut (longest silence ${d.silence})`,
  },
  gitlabGivesUp: {
    status: 'fail',
    text: (d: { took: string; gitlab: string; still: boolean }) =>
      `a streamed completion ${d.still ? 'was still running' : 'took'} ${d.took}${d.still ? ' when duo-doctor stopped holding it' : ''}, and GitLab gives up on its requests to the gateway after ${d.gitlab} ` +
      '(aiGatewayTimeoutSeconds): long Duo Chat answers end in error A1000 ("I\'m sorry, I couldn\'t respond in time")',
    fix: GITLAB_TIMEOUT_FIX,
  },
  proxyBeforeGitlab: {
    status: 'warn',
    text: (d: { proxy: string; gitlab: string }) =>
      `the proxy in front of the gateway gave up after ${d.proxy}, before GitLab's own ${d.gitlab} (aiGatewayTimeoutSeconds): raising GitLab's timeout alone cannot help`,
    fix: (d: { proxy: string; gitlab: string }) =>
      `Set the proxy's read timeout (nginx proxy_read_timeout) to at least GitLab's AI gateway request timeout, ${d.gitlab}.`,
  },
  endedUncut: {
    status: 'pass',
    text: (d: { after: string; silence: string }) => `the gateway's stream ended after ${d.after}, uncut; its longest silence was ${d.silence}`,
  },
} satisfies Messages;

/** Without --deep: what the health answer's Server/Via headers reveal (never a failure on its own). */
function judgeSignature(exchange: HttpExchange | undefined, deepSeconds: number): Judgement<typeof messages> {
  if (!exchange?.ok) return { findings: [{ id: 'noHealth', data: { message: exchange ? exchange.failure.message : 'not asked' } }] };
  const signature = proxySignature(exchange.response.headers);
  const details = [...signature.clues, `A read timeout was not tested: --deep holds a streamed request open for ${deepSeconds} s (--deep-seconds).`];
  const evidence = { deep: false, ...(signature.proxy ? { proxy: signature.proxy } : {}), direct: signature.direct };
  if (signature.proxy) return { findings: [{ id: 'proxyShown', data: { proxy: signature.proxy } }], details, evidence };
  if (signature.direct)
    return { findings: [{ id: 'gatewayDirect', data: { clues: signature.clues.join(', ') } }], details: signature.clues, evidence };
  return { findings: [{ id: 'nothingShown' }], details, evidence };
}

/** With --deep: a streamed request held open for up to `holdMs`. */
function judgeHold(exchange: StreamExchange, holdMs: number): Judgement<typeof messages> {
  if (!exchange.ok) {
    if (exchange.failure.kind === 'timeout' && exchange.elapsedMs >= holdMs) {
      return {
        findings: [{ id: 'heldWithoutAnswer', data: { held: seconds(exchange.elapsedMs) } }],
        evidence: { deep: true, heldMs: exchange.elapsedMs },
      };
    }
    return {
      findings: [{ id: 'holdFailed', data: { after: seconds(exchange.elapsedMs), message: exchange.failure.message } }],
      evidence: { deep: true, failure: exchange.failure.kind, elapsedMs: exchange.elapsedMs },
    };
  }
  const r = exchange.response;
  const signature = proxySignature(r.headers);
  const silence = longestSilenceMs(r);
  const by = signature.proxy ? ` (${signature.proxy})` : '';
  const details = [
    `HTTP ${r.status}; headers after ${r.headersAtMs} ms; ${r.chunks.length} reads; ended (${r.end}) after ${r.endedAtMs} ms`,
    ...signature.clues,
  ];
  const evidence = {
    deep: true,
    httpStatus: r.status,
    end: r.end,
    heldMs: r.endedAtMs,
    longestSilenceMs: silence,
    ...(signature.proxy ? { proxy: signature.proxy } : {}),
  };
  if (GAVE_UP.has(r.status))
    return { findings: [{ id: 'proxyGaveUp', data: { by, after: seconds(r.headersAtMs), status: r.status } }], details, evidence };
  if (r.status === 401 || r.status === 403) return { findings: [{ id: 'tokenRefused', data: { status: r.status } }], details, evidence };
  if (r.status !== 200) return { findings: [{ id: 'noStream', data: { status: r.status } }], details, evidence };
  if (r.end === 'cut') {
    const lastRead = r.chunks.at(-1)?.atMs ?? r.headersAtMs;
    return {
      findings: [{ id: 'streamCut', data: { by, after: seconds(r.endedAtMs), sinceLast: seconds(r.endedAtMs - lastRead) } }],
      details: [...details, ...(r.cut ? [r.cut.message] : [])],
      evidence,
    };
  }
  if (r.end === 'held')
    return { findings: [{ id: 'heldOpen', data: { after: seconds(r.endedAtMs), silence: seconds(silence) } }], details, evidence };
  return {
    findings: [{ id: 'endedUncut', data: { after: seconds(r.endedAtMs), silence: seconds(silence) } }],
    details: [
      ...details,
      `The gateway finished before the ${seconds(holdMs)} hold: a read timeout between ${seconds(silence)} and ${seconds(holdMs)} was not exercised.`,
    ],
    evidence,
  };
}

/** How long the held request ran and whether it was still running, when the gateway was working on it (no proxy's refusal). */
function gatewayTime(exchange: StreamExchange): { ms: number; still: boolean } | undefined {
  if (!exchange.ok) return exchange.failure.kind === 'timeout' ? { ms: exchange.elapsedMs, still: true } : undefined;
  const r = exchange.response;
  return r.status === 200 && r.end !== 'cut' ? { ms: r.endedAtMs, still: r.end === 'held' } : undefined;
}

/** When the proxy in front of the gateway gave up (its 502/504, or its cut of the stream). */
function proxyGaveUpAt(exchange: StreamExchange): number | undefined {
  if (!exchange.ok) return undefined;
  const r = exchange.response;
  if (GAVE_UP.has(r.status)) return r.headersAtMs;
  return r.status === 200 && r.end === 'cut' ? r.endedAtMs : undefined;
}

/** The held stream against GitLab's own timeout: the gateway slower than GitLab waits, or the proxy quicker to give up. */
function againstGitlab(exchange: StreamExchange, timeout: GatewayTimeoutFact): Judgement<typeof messages>['findings'] {
  const limitMs = timeout.seconds * 1000;
  const gitlab = `${timeout.seconds} s`;
  const time = gatewayTime(exchange);
  if (time && time.ms >= limitMs) return [{ id: 'gitlabGivesUp', data: { took: seconds(time.ms), gitlab, still: time.still } }];
  const proxyAt = proxyGaveUpAt(exchange) ?? Infinity;
  return proxyAt < limitMs ? [{ id: 'proxyBeforeGitlab', data: { proxy: seconds(proxyAt), gitlab } }] : [];
}

/** One line naming GitLab's timeout and where it comes from. */
function timeoutLine(timeout: GatewayTimeoutFact): string {
  const from = timeout.source === 'setting' ? 'its aiGatewayTimeoutSeconds setting' : 'the default: unset, or a GitLab before 18.7';
  return `GitLab gives up on its requests to the gateway after ${timeout.seconds} s (${from}).`;
}

/** Pure: without --deep the health answer's headers, with --deep the held stream (and both against GitLab's own timeout). */
export function judge(f: Facts): Judgement<typeof messages> {
  const base = f.holdMs === undefined ? judgeSignature(f.health, f.deepSeconds) : undefined;
  if (base) return f.gitlabTimeout ? { ...base, details: [...(base.details ?? []), timeoutLine(f.gitlabTimeout)] } : base;
  if (!f.hold) return { findings: [{ id: 'deepUnavailable', data: { reason: f.unavailable ?? 'no streamed completion was asked for' } }] };
  const held = judgeHold(f.hold, f.holdMs as number);
  if (!f.gitlabTimeout) return held;
  return {
    ...held,
    findings: [...held.findings, ...againstGitlab(f.hold, f.gitlabTimeout)],
    details: [...(held.details ?? []), timeoutLine(f.gitlabTimeout)],
    evidence: { ...held.evidence, gitlabTimeoutSeconds: f.gitlabTimeout.seconds },
  };
}

// Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
/** Gathers: the memoised health answer, or with --deep one streamed completion held open for --deep-seconds. */
export async function gather(ctx: CheckContext): Promise<Facts> {
  const { deep, deepSeconds } = ctx.settings;
  const timeout = gitlabGatewayTimeout(ctx);
  const withTimeout = async (facts: Facts): Promise<Facts> => {
    const gitlabTimeout = await timeout;
    return gitlabTimeout ? { ...facts, gitlabTimeout } : facts;
  };
  if (!deep) return withTimeout({ deepSeconds, health: (await gatewayHealthz(ctx)).exchange });
  const holdMs = deepSeconds * 1000;
  const stream = await streamCompletion(ctx, STREAMED_COMPLETION, { holdMs });
  return withTimeout(stream.ok ? { deepSeconds, holdMs, hold: stream.exchange } : { deepSeconds, holdMs, unavailable: stream.reason });
}

// Stryker restore all
export default defineCheck({
  id: 'proxy-timeouts',
  title: 'The proxy in front of the gateway shows itself and does not cut long streams',
  category: 'network',
  tags: ['oncall', 'deep'],
  dependsOn: ['gateway-health'],
  needs: ['gateway'],
  explain: {
    checks:
      "Reads the Server and Via headers of the gateway's health answer for a proxy in front of it. With --deep, also holds a streamed " +
      "completion (direct-access token, never printed) open for --deep-seconds (default 75 s, the install guide's proxy_connect_timeout) " +
      'and watches whether the proxy cuts it; only then does this check wait.',
    failsWhen:
      'Only with --deep: the proxy answers 504/502 while the gateway is still working, or cuts the stream before it ends (nginx ' +
      "proxy_read_timeout shorter than the gateway's silences); or the completion runs at least as long as GitLab's own AI gateway request " +
      'timeout (aiGatewayTimeoutSeconds, read with the admin token; 60 s when unset or before 18.7), after which GitLab gives up (A1000). ' +
      "Warns when the proxy gives up before GitLab's timeout. Without --deep it only reports what the headers say and GitLab's timeout.",
    fix: 'nginx: `proxy_read_timeout 300s;` in the location that proxies the gateway, as the install guide has it.',
  },
  timeoutMs: timeoutFor,
  messages,
  gather,
  judge,
});
