// jwks-reachable: the gateway's way to GitLab's keys works — OIDC discovery at AIGW_GITLAB_URL, then its jwks_uri.
import { defineCheck } from '../src/check.js';
import type { CheckOutcome } from '../src/model.js';
import { redactUrl } from '../src/redact.js';
import type { HttpFailure } from '../src/probes/http.js';
import {
  DISCOVERY_PATH,
  GATEWAY_FETCH_TIMEOUT_MS,
  fetchJwks,
  reachedKeys,
  type DiscoveryAttempt,
  type DocumentFetch,
  type JwksFetch,
} from '../src/probes/jwks.js';
import { describeTrustSource } from '../src/probes/trust.js';
import { hostOf as parsedHost } from '../src/net/url.js';

/** What every failure here leads to at the gateway, and the step after any fix. */
const CONSEQUENCE =
  'The gateway then holds no GitLab key: every request fails with 401 "Forbidden by auth provider" (its log: ' +
  '"No keys founds in JWKS; are OIDC providers up?" or a JWTError), and it keeps the key set it got for 24 h.';
const RESTART = 'After the fix, restart the gateway: it caches the key set it fetched for 24 hours.';

type Step = 'discovery' | 'keys';
const STEP_NAME: Record<Step, string> = { discovery: 'OIDC discovery', keys: 'the key set (jwks_uri)' };

/** The URL's host, or the URL itself when it does not parse. */
const hostOf = (url: string): string => parsedHost(url) ?? url;

/** "GET <url> → 200 in 12 ms", with the redirects followed. */
function fetchLine(label: string, f: DocumentFetch): string {
  const hops = f.hops.map((h) => ` → ${h.status} to ${h.location}`).join('');
  const o = f.outcome;
  const end =
    o.kind === 'failure'
      ? `failed: ${o.failure.message}`
      : o.kind === 'json'
        ? `${o.status}, JSON`
        : o.kind === 'status'
          ? `HTTP ${o.status}${o.detail ? ` (${o.detail})` : ''}`
          : o.kind === 'not-json'
            ? `${o.status}, ${o.reason}`
            : o.kind === 'redirect-loop'
              ? `redirect loop (${f.hops.length} redirects)`
              : `HTTP ${o.status} without a Location header`;
  return `${label}: GET ${f.url}${hops} → ${end} in ${f.elapsedMs} ms`;
}

/** Why a transport failure happened and what to do, per failure kind. */
function transportVerdict(failure: HttpFailure, f: JwksFetch, step: Step): { summary: string; remediation: string } {
  const host = hostOf(step === 'discovery' ? f.discovery.finalUrl : (f.jwks?.finalUrl ?? ''));
  const where = STEP_NAME[step];
  // The setting that names the host: the base URL for discovery; GitLab's external_url (through jwks_uri) for the keys.
  const setting = step === 'discovery' ? f.base.source : "jwks_uri (GitLab builds it from its external_url)";
  switch (failure.kind) {
    case 'dns':
      return {
        summary: `${where}: DNS lookup of ${host} failed`,
        remediation: `Make ${host} resolvable where the gateway runs, or change ${setting} to a name the gateway can resolve. ${RESTART}`,
      };
    case 'refused':
      return {
        summary: `${where}: connection to ${host} refused`,
        remediation: `Nothing listens at ${host}: check the scheme and port in ${setting} and that GitLab is up. ${RESTART}`,
      };
    case 'timeout': {
      const capped = f.budgetMs < GATEWAY_FETCH_TIMEOUT_MS ? ` (the gateway waits ${GATEWAY_FETCH_TIMEOUT_MS / 1000} s; this run allowed ${f.budgetMs} ms — raise --timeout to test the full wait)` : '';
      return {
        summary: `${where}: no answer from ${host} in time${capped}`,
        remediation: `A firewall drops the gateway's traffic to ${host}, or GitLab is overloaded. Open the path from the gateway to GitLab (or set NO_PROXY / HTTPS_PROXY right). ${RESTART}`,
      };
    }
    case 'tls':
      return {
        summary: `${where}: TLS failure with ${host} — the gateway, trusting ${describeTrustSource(f.trust.source)}, cannot verify GitLab's certificate`,
        remediation:
          'See the gitlab-tls and ca-bundle checks for which certificate is missing or wrong. Usually: put GitLab\'s root CA into a PEM bundle, ' +
          `mount it in the gateway's container and name it in both REQUESTS_CA_BUNDLE and SSL_CERT_FILE. ${RESTART}`,
      };
    case 'proxy':
      return {
        summary: `${where}: the proxy failed — ${failure.message}`,
        remediation: `Add ${host.replace(/:\d+$/, '')} to NO_PROXY in the gateway's environment, or fix HTTPS_PROXY/HTTP_PROXY. ${RESTART}`,
      };
    default:
      return {
        summary: `${where}: ${failure.message}`,
        remediation: `Check the network path and the server at ${host}. ${RESTART}`,
      };
  }
}

/** The verdict for a document that did not come back as JSON. */
function documentVerdict(doc: DocumentFetch, f: JwksFetch, step: Step): { summary: string; remediation: string } {
  const o = doc.outcome;
  const where = STEP_NAME[step];
  const last = doc.hops.length ? ` (after ${doc.hops.length} redirect${doc.hops.length > 1 ? 's' : ''}, at ${doc.finalUrl})` : '';
  switch (o.kind) {
    case 'failure':
      return transportVerdict(o.failure, f, step);
    case 'status': {
      const detail = o.detail ? ` (${o.detail})` : '';
      const why =
        o.status === 401 || o.status === 403
          ? `something in front of GitLab demands credentials or blocks this address; the gateway sends none. Allow anonymous GET of ${step === 'discovery' ? DISCOVERY_PATH : '/oauth/discovery/keys'} from the gateway.`
          : o.status === 404
            ? `GitLab serves ${step === 'discovery' ? DISCOVERY_PATH : 'its keys'} there; a 404 means this is not GitLab's root, or a proxy does not forward the path. Set AIGW_GITLAB_URL to GitLab's URL and forward /.well-known and /oauth to GitLab.`
            : `fix the server or proxy answering at ${hostOf(doc.finalUrl)}.`;
      return { summary: `${where}: HTTP ${o.status}${detail}${last}`, remediation: `${why.charAt(0).toUpperCase()}${why.slice(1)} ${RESTART}` };
    }
    case 'not-json':
      return {
        summary: `${where}: ${o.reason}${last}${o.reason.startsWith('HTML page') ? " — a sign-in page or a proxy's error page, not GitLab's JSON" : ''}`,
        remediation: `Point AIGW_GITLAB_URL at GitLab itself and let the gateway reach ${DISCOVERY_PATH} and /oauth/discovery/keys anonymously (no SSO portal or WAF page in between). ${RESTART}`,
      };
    case 'redirect-loop':
      return {
        summary: `${where}: redirect loop or more than 30 redirects starting at ${doc.url}`,
        remediation: `Fix the redirect rules in front of GitLab; set AIGW_GITLAB_URL to GitLab's canonical external URL. ${RESTART}`,
      };
    case 'redirect-without-location':
      return { summary: `${where}: HTTP ${o.status} without a Location header`, remediation: `Fix the proxy in front of GitLab. ${RESTART}` };
    case 'json':
      return { summary: `${where}: answered`, remediation: '' };
  }
}

function fail(summary: string, remediation: string, details: string[], evidence: Record<string, unknown>): CheckOutcome {
  return { status: 'fail', summary, details: [...details, CONSEQUENCE], remediation, evidence };
}

/** The final HTTP status and time of a document fetch, under `name`Status / `name`Ms, when it got that far. */
function fetchFacts(name: string, d: DocumentFetch | undefined): Record<string, number> {
  if (!d) return {};
  const o = d.outcome;
  return { ...('status' in o ? { [`${name}Status`]: o.status } : {}), [`${name}Ms`]: d.elapsedMs };
}

/** Machine-readable facts: URLs, statuses, timings, trust. */
function evidenceOf(f: JwksFetch): Record<string, unknown> {
  const failed = [f.discovery, f.jwks].find((d) => d && d.outcome.kind === 'failure');
  return {
    baseUrl: redactUrl(f.base.url),
    baseSource: f.base.source,
    ...(f.base.gitlabUrl ? { gitlabUrl: redactUrl(f.base.gitlabUrl) } : {}),
    discoveryUrl: f.discovery.url,
    ...(f.jwksUri?.ok ? { jwksUri: redactUrl(f.jwksUri.uri) } : {}),
    ...fetchFacts('discovery', f.discovery),
    ...fetchFacts('jwks', f.jwks),
    redirects: [...f.discovery.hops, ...(f.jwks?.hops ?? [])].map((h) => ({ from: h.url, status: h.status, to: h.location })),
    ...(failed?.outcome.kind === 'failure' ? { failureKind: failed.outcome.failure.kind } : {}),
    ...(f.prefixed ? { prefixedDiscoveryUrl: f.prefixed.discovery.url, prefixedAnswers: reachedKeys(f.prefixed) } : {}),
    trustSource: f.trust.source.kind,
    ...(f.trust.source.file ? { trustFile: f.trust.source.file } : {}),
    budgetMs: f.budgetMs,
  };
}

/** Lines describing where the fetch started and with what trust. */
function contextLines(f: JwksFetch): string[] {
  const lines = [`Base URL: ${redactUrl(f.base.url)} (from ${f.base.source}; the gateway joins ${DISCOVERY_PATH} onto it with a leading slash)`];
  if (f.base.differs && f.base.gitlabUrl) {
    lines.push(`AIGW_GITLAB_URL differs from --gitlab-url (${redactUrl(f.base.gitlabUrl)}): this check follows AIGW_GITLAB_URL, as the gateway does.`);
  }
  lines.push(`Trust: ${describeTrustSource(f.trust.source)}`, ...f.trust.problems.map((p) => `Trust problem (see ca-bundle): ${p}`));
  return lines;
}

function attemptLines(label: string, a: DiscoveryAttempt): string[] {
  const lines = [fetchLine(`${label}, discovery`, a.discovery)];
  if (a.jwksUri && !a.jwksUri.ok) lines.push(`${label}, jwks_uri: ${a.jwksUri.reason}`);
  if (a.jwks) lines.push(fetchLine(`${label}, keys`, a.jwks));
  return lines;
}

/** Judges the fetch. */
export function judgeReachability(f: JwksFetch): CheckOutcome {
  const details = [...contextLines(f), ...attemptLines("Gateway's URL", f)];
  if (f.prefixed) details.push(...attemptLines('Path kept', f.prefixed));
  const evidence = evidenceOf(f);

  // Path-prefix pitfall: the root join misses GitLab, the prefixed location has it.
  if (!reachedKeys(f) && f.prefixed && reachedKeys(f.prefixed)) {
    const path = new URL(f.prefixed.discovery.url).pathname.replace(DISCOVERY_PATH, '');
    return fail(
      `GitLab answers discovery at ${f.prefixed.discovery.url}, but the gateway asks ${f.discovery.url}: its leading-slash join drops the path ${path} of ${f.base.source}`,
      `The gateway's urljoin(AIGW_GITLAB_URL, "${DISCOVERY_PATH}") always resolves to the host root, so GitLab under a relative URL (${path}) is missed whatever AIGW_GITLAB_URL says. ` +
        `Serve ${DISCOVERY_PATH} at the root of ${hostOf(f.discovery.url)}: in the reverse proxy, route exactly that path to ${f.prefixed.discovery.url}. ${RESTART}`,
      details,
      evidence,
    );
  }
  if (f.discovery.outcome.kind !== 'json') {
    const v = documentVerdict(f.discovery, f, 'discovery');
    return fail(v.summary, v.remediation, details, evidence);
  }
  if (f.jwksUri && !f.jwksUri.ok) {
    return fail(
      `OIDC discovery at ${f.discovery.url}: ${f.jwksUri.reason}`,
      `The document at ${f.discovery.finalUrl} is not GitLab's discovery document (GitLab names /oauth/discovery/keys). Point AIGW_GITLAB_URL at GitLab. ${RESTART}`,
      details,
      evidence,
    );
  }
  const jwksUri = f.jwksUri?.ok ? f.jwksUri.uri : '';
  const foreignHost = hostOf(jwksUri) !== hostOf(f.discovery.url) ? hostOf(jwksUri) : undefined;
  if (f.jwks && f.jwks.outcome.kind !== 'json') {
    const v = documentVerdict(f.jwks, f, 'keys');
    const summary = foreignHost ? `${v.summary} — jwks_uri is on ${foreignHost}, not on ${hostOf(f.discovery.url)}` : v.summary;
    const remediation = foreignHost
      ? `The gateway must reach and trust ${foreignHost} too, or GitLab's external_url must be the URL the gateway uses. ${v.remediation}`
      : v.remediation;
    return fail(summary, remediation, details, evidence);
  }

  const warnings: string[] = [];
  const fixes: string[] = [];
  const hops = [...f.discovery.hops, ...(f.jwks?.hops ?? [])];
  if (hops.length) {
    const first = hops[0] as (typeof hops)[number];
    warnings.push(
      `redirected (${hops.map((h) => `${h.status} ${h.url} → ${h.location}`).join('; ')}): the gateway's Python requests follows redirects, so it works, but every key fetch pays the detour and strict clients (jose's createRemoteJWKSet) refuse it`,
    );
    const landing = new URL(first.location).origin;
    fixes.push(
      landing === new URL(first.url).origin
        ? `Remove the rule in front of GitLab that redirects ${new URL(first.url).pathname}, so GitLab answers it directly, and restart the gateway.`
        : `Set AIGW_GITLAB_URL to the URL the redirect lands on (${landing}) and restart the gateway.`,
    );
  }
  if (foreignHost) {
    warnings.push(`jwks_uri is on ${foreignHost}, not on ${hostOf(f.discovery.url)}: the gateway must reach and trust that host as well (this host could)`);
    fixes.push(`Keep ${foreignHost} reachable and trusted from the gateway, or make GitLab's external_url and AIGW_GITLAB_URL the same host.`);
  }
  if (f.prefixed && reachedKeys(f.prefixed) && f.prefixed.jwksUri?.ok && f.prefixed.jwksUri.uri !== jwksUri) {
    warnings.push(
      `the host root and ${f.prefixed.discovery.url} name different key sets (${redactUrl(jwksUri)} vs ${redactUrl(f.prefixed.jwksUri.uri)}): the gateway uses the root's, which may not be this GitLab's`,
    );
    fixes.push(`Route ${DISCOVERY_PATH} at the host root to the GitLab the gateway serves.`);
  }
  const keysLine = `keys fetched from ${redactUrl(jwksUri)} in ${f.jwks?.elapsedMs ?? 0} ms`;
  if (warnings.length) {
    return { status: 'warn', summary: `${keysLine}, but ${warnings[0]}`, details: [...details, ...warnings.slice(1).map((w) => `Also: ${w}`)], remediation: fixes.join(' '), evidence };
  }
  return { status: 'pass', summary: `discovery at ${f.discovery.url} → ${keysLine}, as the gateway fetches them`, details, evidence };
}

export default defineCheck({
  id: 'jwks-reachable',
  title: "The gateway can fetch GitLab's signing keys (OIDC discovery → jwks_uri)",
  category: 'jwks',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  explain: {
    checks:
      `Fetches <AIGW_GITLAB_URL>${DISCOVERY_PATH} (else --gitlab-url) exactly as the AI gateway does — joined with a leading slash, ` +
      "with the gateway's trust (REQUESTS_CA_BUNDLE / SSL_CERT_FILE, else the system roots), its proxy variables, 10 s per request, " +
      "redirects followed as Python requests follows them — then the jwks_uri it names (GitLab: /oauth/discovery/keys). When the base URL " +
      'has a path, the same with the path kept is tried too.',
    failsWhen:
      'DNS, refused connection, timeout, TLS (the gitlab-tls / ca-bundle checks say why), a non-200 status, an HTML page (sign-in or proxy ' +
      'error page) instead of JSON, no usable jwks_uri, or GitLab under a relative URL (https://host/gitlab) that the root-joined discovery ' +
      'misses. The gateway then has no keys and answers every request 401 "Forbidden by auth provider" for up to 24 h of key caching. ' +
      'Warns on redirects (followed, but a detour) and on a jwks_uri on another host than AIGW_GITLAB_URL.',
    fix:
      "Set AIGW_GITLAB_URL to GitLab's external URL, let the gateway reach /.well-known/openid-configuration and /oauth/discovery/keys " +
      "anonymously, trust GitLab's CA through REQUESTS_CA_BUNDLE and SSL_CERT_FILE, route the root discovery path to a relative-URL GitLab, " +
      'then restart the gateway (it caches keys for 24 h).',
  },
  async run(ctx) {
    const fetched = await fetchJwks(ctx);
    if (!fetched) return { status: 'skip', summary: 'no GitLab URL: neither AIGW_GITLAB_URL (in the environment) nor --gitlab-url is set' };
    return judgeReachability(fetched);
  },
});
