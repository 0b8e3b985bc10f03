// The security probes: requests to the gateway that change nothing and carry no credential of anyone's, each memoised,
// each answer summarised into JSON-serialisable facts. SECURITY.md lists every one of them.
import { randomBytes, randomUUID } from 'node:crypto';
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
const MADE_UP_KID = 'duo-doctor-made-up-kid';

/** A token with GitLab's header and claims and a signature of random bytes: no signature check accepts it. */
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

/**
 * Makes the forged token once per run: GitLab's header and claims, signed by nobody — its signature is 256 random bytes,
 * the length of an RS256 signature by a 2048-bit key. A signature check refuses it as it would one by any key but
 * GitLab's; only a gateway that skips the check accepts it. (No key is made: RSA key generation took 0.1–2 s of CPU on
 * the longest path of a run.)
 */
export function forgedToken(ctx: CheckContext): Promise<ForgedToken> {
  return ctx.memo('security:forged-token', async () => {
    // GitLab's kid when its key set comes within 2 s and half the check's budget (jwks-reachable shares the fetch), so
    // the forged request still has time of its own; else a made-up one.
    const wait = Math.min(2000, Math.floor(budget(ctx.settings.timeoutMs).waitMs / 2));
    const kid = (await orAfter(publishedKid(ctx), wait, undefined)) ?? MADE_UP_KID;
    const now = Math.floor(Date.now() / 1000);
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const header = { alg: 'RS256', typ: 'JWT', kid };
    const claims = {
      gitlab_realm: FORGED_REALM,
      scopes: ['complete_code'],
      iss: ctx.settings.gitlabUrl ?? 'duo-doctor',
      aud: GATEWAY_AUDIENCE,
      sub: FORGED_SUBJECT,
      iat: now,
      nbf: now - 5,
      exp: now + 300,
      jti: randomUUID(),
    };
    const token = `${part(header)}.${part(claims)}.${randomBytes(256).toString('base64url')}`;
    return { token, kid, kidFrom: kid === MADE_UP_KID ? 'made-up' : 'gitlab-jwks' };
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

/** GET the protected route with the forged token (made first, within half the check's budget). */
export async function forgedGet(ctx: CheckContext, base: string): Promise<{ answer: ProbeAnswer; token: ForgedToken }> {
  const token = await forgedToken(ctx);
  return { token, answer: await protectedGet(ctx, base, forgedHeaders(token)) };
}
