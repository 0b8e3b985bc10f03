// Fetches GitLab's OIDC discovery document and key set the way the AI gateway does, once per run for every jwks check.
import type { CheckContext } from '../check.js';
import type { Settings } from '../config/settings.js';
import { redactUrl } from '../redact.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { httpRequest, parseJson, type HttpFailure } from './http.js';
import { gatewayTrust, type TrustSource } from './trust.js';

/** The path the gateway joins onto AIGW_GITLAB_URL, with its leading slash. */
export const DISCOVERY_PATH = '/.well-known/openid-configuration';
/** The gateway's REQUEST_TIMEOUT_SECONDS, per request. */
export const GATEWAY_FETCH_TIMEOUT_MS = 10_000;
/** Python requests' redirect limit (requests.models.DEFAULT_REDIRECT_LIMIT): the gateway's GETs follow that many. */
export const MAX_REDIRECTS = 30;
/** Share of the check timeout the whole fetch may use, so a slow GitLab is reported as a timeout, not as a crashed check. */
const BUDGET_SHARE = 0.8;

/** Which URL the gateway starts from. */
export interface JwksBase {
  url: string;
  source: 'AIGW_GITLAB_URL' | '--gitlab-url';
  /** --gitlab-url, when given. */
  gitlabUrl?: string;
  /** AIGW_GITLAB_URL and --gitlab-url are both given and name different locations. */
  differs: boolean;
}

/** One redirect followed. */
export interface Hop {
  url: string;
  status: number;
  location: string;
}

/** What fetching one document gave, after following redirects as Python requests does. */
export type DocumentOutcome =
  | { kind: 'json'; status: number; value: unknown }
  | { kind: 'failure'; failure: HttpFailure }
  /** A final answer that is not 2xx; `detail` is its JSON message or what the page is. */
  | { kind: 'status'; status: number; detail?: string }
  | { kind: 'not-json'; status: number; reason: string }
  | { kind: 'redirect-loop'; status: number }
  | { kind: 'redirect-without-location'; status: number };

/** The fetch of one document. URLs are redacted of credentials. */
export interface DocumentFetch {
  url: string;
  hops: Hop[];
  finalUrl: string;
  elapsedMs: number;
  outcome: DocumentOutcome;
}

/** The jwks_uri a discovery document names, or why it cannot be used. */
export type JwksUriResult = { ok: true; uri: string } | { ok: false; reason: string };

/** Discovery (and keys, when discovery named them) fetched from one location. */
export interface DiscoveryAttempt {
  discovery: DocumentFetch;
  jwksUri?: JwksUriResult;
  jwks?: DocumentFetch;
}

/** Everything the jwks checks judge. */
export interface JwksFetch extends DiscoveryAttempt {
  base: JwksBase;
  trust: { source: TrustSource; problems: string[]; unknown?: true };
  /** The budget the whole fetch had (the gateway's 10 s per request, capped by the check timeout). */
  budgetMs: number;
  /** The same with the base's path kept (`https://host/gitlab/.well-known/...`), tried only when the base has a path. */
  prefixed?: DiscoveryAttempt;
}

/** Trims trailing slashes for comparing URLs (`https://h/gitlab/` names the same place as `https://h/gitlab`). */
function normalised(url: string): string {
  try {
    return new URL(url).href.replace(/\/+$/, '');
  } catch {
    return url.replace(/\/+$/, '');
  }
}

/** The URL the gateway starts from: AIGW_GITLAB_URL (its own view of GitLab), else --gitlab-url; undefined when neither is set. */
export function gatewayBase(settings: Settings): JwksBase | undefined {
  const fromEnv = settings.env.AIGW_GITLAB_URL?.trim();
  const gitlabUrl = settings.gitlabUrl;
  const withGitlab = gitlabUrl ? { gitlabUrl } : {};
  if (fromEnv) {
    return {
      url: fromEnv,
      source: 'AIGW_GITLAB_URL',
      ...withGitlab,
      differs: gitlabUrl !== undefined && normalised(fromEnv) !== normalised(gitlabUrl),
    };
  }
  if (gitlabUrl) return { url: gitlabUrl, source: '--gitlab-url', gitlabUrl, differs: false };
  return undefined;
}

/** Python's `urllib.parse.urljoin(base, '/.well-known/openid-configuration')`: the leading slash drops any path on the base. */
export function gatewayDiscoveryUrl(base: string): string {
  return new URL(DISCOVERY_PATH, base).href;
}

/** The discovery URL with the base's path kept, when the base has one (GitLab under a relative URL root); else undefined. */
export function prefixedDiscoveryUrl(base: string): string | undefined {
  const url = new URL(base);
  const path = url.pathname.replace(/\/+$/, '');
  if (!path) return undefined;
  url.pathname = `${path}${DISCOVERY_PATH}`;
  url.search = '';
  url.hash = '';
  return url.href;
}

/** The jwks_uri of a discovery document: present, a string, an absolute http(s) URL (requests.get cannot fetch anything else). */
export function jwksUriOf(doc: unknown): JwksUriResult {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, reason: 'the discovery document is not a JSON object' };
  const uri = (doc as Record<string, unknown>).jwks_uri;
  if (uri === undefined) return { ok: false, reason: 'the discovery document has no jwks_uri' };
  if (typeof uri !== 'string' || !uri.trim()) return { ok: false, reason: 'jwks_uri is not a non-empty string' };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { ok: false, reason: `jwks_uri "${uri}" is not an absolute URL: the gateway cannot fetch a relative one` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: `jwks_uri ${redactUrl(uri)} is not http(s)` };
  return { ok: true, uri };
}

/** A one-line description of a non-2xx body: its JSON message, or what the page is. */
function statusDetail(body: string, contentType: string | undefined): string | undefined {
  const parsed = parseJson({ status: 0, headers: contentType ? { 'content-type': contentType } : {}, body, elapsedMs: 0 });
  if (!parsed.ok) return parsed.reason === 'empty body' ? undefined : parsed.reason;
  const value = parsed.value as Record<string, unknown> | null;
  const message = value && typeof value === 'object' ? [value.message, value.error].find((m) => typeof m === 'string') : undefined;
  return typeof message === 'string' ? message.slice(0, 120) : undefined;
}

/** What a document fetch needs from the run. */
interface FetchEnv {
  ca: readonly string[];
  proxyEnv: Settings['env'];
  signal: AbortSignal;
  deadline: number;
}

/** GETs `url`, following redirects like requests does (up to 30, stopping early on a loop). Never throws. */
export async function fetchDocument(url: string, env: FetchEnv): Promise<DocumentFetch> {
  const hops: Hop[] = [];
  const seen = new Set<string>();
  let current = url;
  let elapsedMs = 0;
  const done = (outcome: DocumentOutcome): DocumentFetch => ({ url: redactUrl(url), hops, finalUrl: redactUrl(current), elapsedMs, outcome });
  for (;;) {
    seen.add(current);
    const remaining = env.deadline - Date.now();
    if (remaining <= 0) {
      return done({ kind: 'failure', failure: { kind: 'timeout', message: `No time left in this check's budget to fetch ${redactUrl(current)}` } });
    }
    const ex = await httpRequest({
      url: current,
      headers: { accept: '*/*', 'user-agent': `${TOOL_NAME}/${TOOL_VERSION}` },
      ca: env.ca,
      timeoutMs: Math.min(GATEWAY_FETCH_TIMEOUT_MS, remaining),
      proxyEnv: env.proxyEnv,
      signal: env.signal,
    });
    elapsedMs += ex.ok ? ex.response.elapsedMs : ex.elapsedMs;
    if (!ex.ok) return done({ kind: 'failure', failure: ex.failure });
    const { status, redirectTo, body, headers } = ex.response;
    if (status >= 300 && status < 400) {
      if (!redirectTo) return done({ kind: 'redirect-without-location', status });
      hops.push({ url: redactUrl(current), status, location: redactUrl(redirectTo) });
      if (seen.has(redirectTo) || hops.length > MAX_REDIRECTS) return done({ kind: 'redirect-loop', status });
      current = redirectTo;
      continue;
    }
    if (status < 200 || status >= 300) return done({ kind: 'status', status, detail: statusDetail(body, headers['content-type']) });
    const parsed = parseJson(ex.response);
    if (!parsed.ok) return done({ kind: 'not-json', status, reason: parsed.reason });
    return done({ kind: 'json', status, value: parsed.value });
  }
}

/** Discovery at `url`, then its jwks_uri when it names one. */
async function attempt(url: string, env: FetchEnv): Promise<DiscoveryAttempt> {
  const discovery = await fetchDocument(url, env);
  if (discovery.outcome.kind !== 'json') return { discovery };
  const jwksUri = jwksUriOf(discovery.outcome.value);
  if (!jwksUri.ok) return { discovery, jwksUri };
  return { discovery, jwksUri, jwks: await fetchDocument(jwksUri.uri, env) };
}

/** Whether an attempt got as far as a JSON key set. */
export function reachedKeys(a: DiscoveryAttempt | undefined): boolean {
  return a?.jwks?.outcome.kind === 'json';
}

/**
 * Discovery and keys as the gateway fetches them: from AIGW_GITLAB_URL (else --gitlab-url) joined with a leading slash,
 * with the gateway's trust (gatewayTrust), its proxy variables, 10 s per request
 * (within the check's own timeout) and redirects followed as Python requests follows them. When the base has a path,
 * the prefixed location is tried too, to tell the path-prefix pitfall apart. Memoised: one fetch per run. Never throws.
 */
export function fetchJwks(ctx: CheckContext): Promise<JwksFetch | undefined> {
  const base = gatewayBase(ctx.settings);
  if (!base) return Promise.resolve(undefined);
  return ctx.memo(`jwks-fetch ${base.url}`, async (): Promise<JwksFetch> => {
    const trust = await gatewayTrust(ctx);
    const budgetMs = Math.max(1, Math.floor(ctx.settings.timeoutMs * BUDGET_SHARE));
    const env: FetchEnv = { ca: trust.ca, proxyEnv: ctx.settings.env, signal: ctx.signal, deadline: Date.now() + budgetMs };
    const trustFacts = { source: trust.source, problems: trust.problems, ...(trust.unknown ? { unknown: trust.unknown } : {}) };
    let rootUrl: string;
    let prefixedUrl: string | undefined;
    try {
      rootUrl = gatewayDiscoveryUrl(base.url);
      prefixedUrl = prefixedDiscoveryUrl(base.url);
    } catch {
      const failure: HttpFailure = { kind: 'other', message: `${base.source} is not a URL: ${redactUrl(base.url)}` };
      const discovery: DocumentFetch = {
        url: redactUrl(base.url),
        hops: [],
        finalUrl: redactUrl(base.url),
        elapsedMs: 0,
        outcome: { kind: 'failure', failure },
      };
      return { base, trust: trustFacts, budgetMs, discovery };
    }
    const [root, prefixed] = await Promise.all([attempt(rootUrl, env), prefixedUrl ? attempt(prefixedUrl, env) : undefined]);
    return { base, trust: trustFacts, budgetMs, ...root, ...(prefixed ? { prefixed } : {}) };
  });
}
