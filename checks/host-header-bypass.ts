// host-header-bypass: the gateway's known authentication bypass through the Host header (X41-2026-002 / PYSEC-2026-161),
// probed live: a protected route, no token, a crafted Host header. Before ai-gateway commit 219d702b3 the auth middleware
// decided whether to skip authentication from `conn.url.path`, which Starlette (< 1.0.1) rebuilds from the Host header:
// `Host: x/monitoring/healthz?` makes the path /monitoring/healthz (a skipped path) while routing serves the real one.
import { redactUrl } from '../src/redact.js';
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { HOST_HEADER_BYPASS } from '../src/data/advisories.js';
import { describeAnswer, gatewayBase, PROTECTED_PATH, protectedGet, type ProbeAnswer } from '../src/probes/security.js';

/**
 * The vectors sent: the concrete auth-bypass value of the gateway's own test (tests/api/middleware/test_host_header_validation.py
 * at 219d702b3) and the same with the other delimiter that ends a URL's path (`#`) and the other health path.
 */
export const HOST_VECTORS = ['x/monitoring/healthz?', 'x/monitoring/healthz#', 'x/monitoring/ready?'] as const;

export interface VectorFacts {
  host: string;
  answer: ProbeAnswer;
}

export interface Facts {
  url?: string;
  /** The same request with the URL's own Host: must be 401 for the vectors to mean anything. */
  baseline?: ProbeAnswer;
  vectors: VectorFacts[];
}

const ADVISORY = `${HOST_HEADER_BYPASS.ids[0]} / ${HOST_HEADER_BYPASS.ids[1]}`;

const UPGRADE_FIX =
  `Upgrade the AI gateway to an image containing ai-gateway commit ${HOST_HEADER_BYPASS.fixCommit} ` +
  `(${HOST_HEADER_BYPASS.fixFile}): self-hosted-v${HOST_HEADER_BYPASS.firstFixedMinor}-ee or later is the first release cut after it ` +
  '(backports to earlier patch releases are not confirmed — re-run this check after upgrading). Until then, and after, keep a reverse ' +
  "proxy in front that rejects malformed Host headers (nginx answers 400 to a Host containing '/' by itself) and do not expose the " +
  "gateway's own port.";

const list = (vs: readonly VectorFacts[]) => vs.map((v) => JSON.stringify(v.host)).join(', ');

export const messages = {
  noGateway: { status: 'skip', text: () => 'No AI gateway URL (see gateway-url)' },
  noAnswer: { status: 'skip', text: (d: { answer: string }) => `The gateway did not answer a plain request (${d.answer}): see gateway-reachable` },
  baselineNot401: {
    status: 'skip',
    text: (d: { answer: string }) =>
      `Without a crafted Host, GET ${PROTECTED_PATH} without a token already gave ${d.answer}, not 401: see gateway-auth`,
  },
  refused: {
    status: 'pass',
    text: (d: { vectors: VectorFacts[] }) => `The gateway refuses the Host-header bypass: ${list(d.vectors)} without a token got 401`,
  },
  blockedByProxy: {
    status: 'pass',
    text: (d: { vectors: VectorFacts[] }) =>
      `The proxy in front rejects the Host-header bypass before the gateway sees it: ${d.vectors.map((v) => `${JSON.stringify(v.host)} → ${describeAnswer(v.answer)}`).join('; ')}`,
  },
  unanswered: {
    status: 'warn',
    text: (d: { vectors: VectorFacts[] }) =>
      `No answer to the Host-header probe ${list(d.vectors)}: ${d.vectors.map((v) => v.answer.failure).join('; ')} — whether the gateway is vulnerable is unknown`,
    fix: 'Re-run when the gateway answers (see gateway-reachable); a proxy that drops such requests should answer 400 instead.',
  },
  bypassed: {
    status: 'fail',
    text: (d: { vectors: VectorFacts[] }) =>
      `SECURITY (critical): the gateway serves a protected route without a token when the Host header is ${list(d.vectors)} ` +
      `(${ADVISORY}): ${d.vectors.map((v) => describeAnswer(v.answer)).join('; ')} for GET ${PROTECTED_PATH}`,
    fix: UPGRADE_FIX,
  },
} satisfies Messages;

/** Pure: the baseline must be 401; then each vector is refused (401), blocked by a proxy (not the gateway's answer), unanswered, or bypassed. */
export function judge(f: Facts): Judgement<typeof messages> {
  if (!f.url) return { findings: [{ id: 'noGateway' }] };
  if (f.baseline && f.baseline.status === undefined) return { findings: [{ id: 'noAnswer', data: { answer: describeAnswer(f.baseline) } }] };
  if (f.baseline && f.baseline.status !== 401) {
    return { findings: [{ id: 'baselineNot401', data: { answer: describeAnswer(f.baseline) } }] };
  }
  const refused = f.vectors.filter((v) => v.answer.status === 401);
  const unanswered = f.vectors.filter((v) => v.answer.status === undefined);
  const blocked = f.vectors.filter((v) => v.answer.status !== undefined && v.answer.status !== 401 && !v.answer.fromGateway);
  // Stryker disable next-line ConditionalExpression: an answer without a status carries no gateway headers (fromGateway is false)
  const bypassed = f.vectors.filter((v) => v.answer.status !== undefined && v.answer.status !== 401 && v.answer.fromGateway);
  const findings: FindingOf<typeof messages>[] = [];
  if (bypassed.length) findings.push({ id: 'bypassed', data: { vectors: bypassed } });
  if (unanswered.length) findings.push({ id: 'unanswered', data: { vectors: unanswered } });
  if (blocked.length) findings.push({ id: 'blockedByProxy', data: { vectors: blocked } });
  if (refused.length) findings.push({ id: 'refused', data: { vectors: refused } });
  return {
    findings,
    evidence: {
      securityFinding: bypassed.length > 0,
      vectors: f.vectors.map((v) => ({ host: v.host, status: v.answer.status ?? null, fromGateway: v.answer.fromGateway })),
    },
  };
}

export default defineCheck({
  id: 'host-header-bypass',
  title: 'The AI gateway is not open to the Host-header authentication bypass',
  category: 'security',
  tags: ['oncall', 'pre-upgrade', 'security'],
  needs: ['gateway'],
  messages,
  explain: {
    checks:
      `Sends GET <gateway URL>${PROTECTED_PATH} with no Authorization header, first with the URL's own Host (must be 401), then once ` +
      `with each crafted Host header ${HOST_VECTORS.map((h) => JSON.stringify(h)).join(', ')} (${ADVISORY}; the first is the exact ` +
      "value in the gateway's own test). A GET on this POST-only route changes nothing: past authentication it is 405 before any " +
      'handler runs. No token, cookie or other credential is sent.',
    failsWhen:
      'Any vector gets an answer from the gateway other than 401 (critical). Passes when every vector gets 401, or when a proxy ' +
      "in front answers it itself (e.g. nginx's 400 for a Host containing '/'); warns when nothing answers.",
    fix: UPGRADE_FIX,
  },
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const url = await gatewayBase(ctx);
    if (!url) return { vectors: [] };
    const [baseline, ...answers] = await Promise.all([
      protectedGet(ctx, url),
      ...HOST_VECTORS.map((host) => protectedGet(ctx, url, [['host', host]])),
    ]);
    return {
      url: redactUrl(url),
      ...(baseline ? { baseline } : {}),
      vectors: HOST_VECTORS.map((host, i) => ({ host, answer: answers[i] as ProbeAnswer })),
    };
  },
  // Stryker restore all
  judge,
});
