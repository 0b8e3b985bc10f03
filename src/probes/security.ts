// The security probes: requests to the gateway that change nothing and carry no credential of anyone's, each memoised,
// each answer summarised into JSON-serialisable facts. SECURITY.md lists every one of them.
import { randomUUID } from 'node:crypto';
import type { CheckContext } from '../check.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { gatewayEndpoint } from './gateway.js';
import { resolveGatewayUrl } from './gitlab-api.js';
import { fetchJwks } from './jwks.js';
import { rawRequest, type RawAnswer } from './raw-http.js';
import { budget } from './stage-board.js';
import { clientTrust } from './trust.js';

/**
 * The protected route the probes ask for: GET on a POST-only route. Every route outside the gateway's skip list
 * (/monitoring/healthz, /monitoring/ready, /metrics, /v1/models/definitions; ai_gateway/api/server.py) is authenticated
 * first, so without a token the answer is 401; past authentication a GET here is 405 before any handler runs.
 */
export const PROTECTED_PATH = '/v2/code/completions';

/** An answer as facts: the status, whether the gateway itself produced it, and what it said. */
export interface ProbeAnswer {
  status?: number;
  /** The answer carries the gateway's own headers (`x-process-time`, `x-request-id`), so it came from the gateway, not a proxy. */
  fromGateway: boolean;
  server?: string;
  /** The JSON `error` or `detail` string, if any. */
  said?: string;
  failure?: string;
  /** A connection was made (the port is open) even if no HTTP answer came back. */
  connected: boolean;
}

/** The JSON `error` / `detail` of a body, if any. */
function saidIn(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; detail?: unknown };
    const said = parsed?.error ?? parsed?.detail;
    return typeof said === 'string' ? said : undefined;
  } catch {
    return undefined;
  }
}

export function summariseAnswer(answer: RawAnswer): ProbeAnswer {
  if (!answer.ok) return { fromGateway: false, failure: answer.failure, connected: answer.connected };
  const said = saidIn(answer.body);
  return {
    status: answer.status,
    connected: true,
    fromGateway: 'x-process-time' in answer.headers || 'x-request-id' in answer.headers,
    ...(answer.headers.server ? { server: answer.headers.server } : {}),
    ...(said ? { said } : {}),
  };
}

/** "HTTP 401 "No authorization header presented"", "HTTP 400 from nginx", "no answer: …": for reports. */
export function describeAnswer(a: ProbeAnswer): string {
  if (a.status === undefined) return `no answer: ${a.failure ?? 'unknown'}`;
  const said = a.said ? ` ${JSON.stringify(a.said)}` : '';
  const who = a.fromGateway ? '' : a.server ? ` from ${a.server}` : ' (not from the gateway)';
  return `HTTP ${a.status}${said}${who}`;
}

/** The gateway URL duo-doctor uses (flag, env or GitLab's setting); undefined when there is none. */
export async function gatewayBase(ctx: CheckContext): Promise<string | undefined> {
  return (await resolveGatewayUrl(ctx)).url;
}

/**
 * GET `url` with exactly these headers (a `host` among them replaces the URL's), once per run; `user-agent` and
 * `accept` are added. Verifies https with the CAs GitLab would trust.
 */
export function rawGet(ctx: CheckContext, url: string, headers: ReadonlyArray<readonly [string, string]>): Promise<ProbeAnswer> {
  const all: Array<readonly [string, string]> = [
    ...(headers.some(([k]) => k.toLowerCase() === 'host') ? [] : [['host', new URL(url).host] as const]),
    ...headers,
    ['user-agent', `${TOOL_NAME}/${TOOL_VERSION}`],
    ['accept', 'application/json'],
  ];
  return ctx.memo(`raw GET ${url} ${JSON.stringify(all)}`, async () => {
    const { ca } = await clientTrust(ctx);
    return summariseAnswer(await rawRequest({ url, method: 'GET', headers: all, ca, timeoutMs: ctx.settings.timeoutMs, signal: ctx.signal }));
  });
}

/** GET the protected route on the gateway with these extra headers and no token. */
export function protectedGet(ctx: CheckContext, base: string, headers: ReadonlyArray<readonly [string, string]> = []): Promise<ProbeAnswer> {
  return rawGet(ctx, gatewayEndpoint(base, PROTECTED_PATH), headers);
}

/** The audience of every GitLab-issued gateway token (cloud connector's service name). */
export const GATEWAY_AUDIENCE = 'gitlab-ai-gateway';

/** The claims of the forged token: GitLab's shape for a gateway token, naming duo-doctor so gateway logs show what it was. */
export const FORGED_SUBJECT = 'duo-doctor-forged-signature-probe';
export const FORGED_REALM = 'self-managed';

/** A token with GitLab's header and claims, signed by a key made for this run and thrown away: no signature check accepts it. */
export interface ForgedToken {
  token: string;
  kid: string;
  /** Where the kid came from: GitLab's published key set, or made up when it was not fetched. */
  kidFrom: 'gitlab-jwks' | 'made-up';
}

/** The first kid of GitLab's key set (the one jwks-reachable fetched), if any. */
async function publishedKid(ctx: CheckContext): Promise<string | undefined> {
  if (!ctx.settings.gitlabUrl) return undefined;
  const fetched = await fetchJwks(ctx);
  const doc = fetched?.jwks?.outcome.kind === 'json' ? (fetched.jwks.outcome.value as { keys?: Array<{ kid?: unknown }> }) : undefined;
  const kid = Array.isArray(doc?.keys) ? doc.keys.find((k) => typeof k?.kid === 'string')?.kid : undefined;
  return typeof kid === 'string' ? kid : undefined;
}

/** What `promise` gives within `ms`, else `fallback`; the timer is cleared either way (a run leaves none behind). */
async function orAfter<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  // A failure after the fallback won is nobody's to handle: not an unhandled rejection.
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, new Promise<F>((resolve) => (timer = setTimeout(resolve, ms, fallback)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Makes the forged token once per run (a fresh 2048-bit RSA key; its private half never leaves this process). */
export function forgedToken(ctx: CheckContext): Promise<ForgedToken> {
  return ctx.memo('security:forged-token', async () => {
    // jose loads only when a check forges (`list` and `explain` load no JWT library). The key is made (on libuv's
    // thread pool, ~0.1–0.5 s) while GitLab's kid is fetched: neither waits for the other.
    const key = import('jose').then(async (jose) => ({ jose, pair: await jose.generateKeyPair('RS256', { modulusLength: 2048 }) }));
    // Awaited below; a failure before then must not be reported as an unhandled rejection in the meantime.
    key.catch(() => undefined);
    // GitLab's kid when its key set comes within 2 s and half the check's budget (jwks-reachable shares the fetch), so
    // the forged request still has time of its own; else a made-up one.
    const wait = Math.min(2000, Math.floor(budget(ctx.settings.timeoutMs).waitMs / 2));
    const kid = await orAfter(publishedKid(ctx), wait, undefined);
    const {
      jose: { SignJWT },
      pair: { privateKey },
    } = await key;
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ gitlab_realm: FORGED_REALM, scopes: ['complete_code'] })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: kid ?? 'duo-doctor-made-up-kid' })
      .setIssuer(ctx.settings.gitlabUrl ?? 'duo-doctor')
      .setAudience(GATEWAY_AUDIENCE)
      .setSubject(FORGED_SUBJECT)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + 300)
      .setJti(randomUUID())
      .sign(privateKey);
    return { token, kid: kid ?? 'duo-doctor-made-up-kid', kidFrom: kid ? 'gitlab-jwks' : 'made-up' };
  });
}

/** The headers GitLab sends with a gateway token, around the forged one. */
export function forgedHeaders(forged: ForgedToken): Array<[string, string]> {
  return [
    ['authorization', `Bearer ${forged.token}`],
    ['x-gitlab-authentication-type', 'oidc'],
    ['x-gitlab-realm', FORGED_REALM],
    ['x-gitlab-instance-id', FORGED_SUBJECT],
  ];
}

/**
 * GET the protected route with the forged token, once it is made; when making it (GitLab's kid, the RSA key) outlasts
 * the check's budget, an answer saying so instead, so the check still ends with its own verdict.
 */
export async function forgedGet(ctx: CheckContext, base: string): Promise<{ answer: ProbeAnswer; token?: ForgedToken }> {
  const sent = forgedToken(ctx).then(async (token) => ({ token, answer: await protectedGet(ctx, base, forgedHeaders(token)) }));
  const { waitMs, timeoutMs } = budget(ctx.settings.timeoutMs);
  return orAfter(sent, waitMs, { answer: { fromGateway: false, connected: false, failure: `the forged token was not made within ${timeoutMs} ms` } });
}
