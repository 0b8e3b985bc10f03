// jwks-reachable: the gateway's way to GitLab's keys works — OIDC discovery at AIGW_GITLAB_URL, then its jwks_uri.
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { gatewayHasOwnKeys, withoutGitLabKeys } from '../src/judge/gateway-keys.js';
import { plural } from '../src/plural.js';
import { redactUrl } from '../src/redact.js';
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
import { RUN_WHERE_THE_GATEWAY_RUNS } from '../src/judge/runtime-place.js';
import { hostOf as parsedHost } from '../src/net/url.js';

/** What the judge reads: the fetch as the gateway does it (undefined: no GitLab URL), and whether the gateway has keys of its own. */
export interface Facts {
  fetch?: JwksFetch;
  gatewayHasOwnKeys?: boolean;
}

const RESTART = 'After the fix, restart the gateway: it caches the key set it fetched for 24 hours.';

/** Where a failure happened: which step, which host, the setting that names it, and a jwks_uri on a foreign host. */
interface At {
  where: string;
  host: string;
  setting: string;
  /** jwks_uri's host when it is not AIGW_GITLAB_URL's. */
  foreign?: string;
  discoveryHost: string;
}
/** A failure at `At`, with the detail its message needs. */
type Failed = At & {
  message?: string;
  status?: number;
  detail?: string;
  after?: string;
  trust?: string;
  sslCertFileOnly?: boolean;
  capped?: string;
  url?: string;
};

type PrefixData = { prefixedUrl: string; url: string; path: string; source: string; host: string };
type NoUriData = { url: string; reason: string; finalUrl: string };
type RedirectData = { keysLine: string; hops: string; sameOrigin: boolean; path: string; landing: string };

const foreignSuffix = (d: Failed) => (d.foreign ? ` — jwks_uri is on ${d.foreign}, not on ${d.discoveryHost}` : '');
const foreignFix = (d: Failed, fix: string) =>
  d.foreign ? `The gateway must reach and trust ${d.foreign} too, or GitLab's external_url must be the URL the gateway uses. ${fix}` : fix;

/** Why a non-2xx status happened, by status. */
function statusWhy(d: Failed): string {
  const path = d.where === 'OIDC discovery' ? DISCOVERY_PATH : '/oauth/discovery/keys';
  if (d.status === 401 || d.status === 403) {
    return `Something in front of GitLab demands credentials or blocks this address; the gateway sends none. Allow anonymous GET of ${path} from the gateway.`;
  }
  if (d.status === 404) {
    return `GitLab serves ${d.where === 'OIDC discovery' ? DISCOVERY_PATH : 'its keys'} there; a 404 means this is not GitLab's root, or a proxy does not forward the path. Set AIGW_GITLAB_URL to GitLab's URL and forward /.well-known and /oauth to GitLab.`;
  }
  return `Fix the server or proxy answering at ${d.host}.`;
}

export const messages = {
  noGitlabUrl: { status: 'skip', text: () => 'no GitLab URL: neither AIGW_GITLAB_URL (in the environment) nor --gitlab-url is set' },
  reached: {
    status: 'pass',
    text: (d: { discoveryUrl: string; keysLine: string }) => `discovery at ${d.discoveryUrl} → ${d.keysLine}, as the gateway fetches them`,
  },
  prefixDropped: {
    status: 'fail',
    text: (d: PrefixData) =>
      `GitLab answers discovery at ${d.prefixedUrl}, but the gateway asks ${d.url}: its leading-slash join drops the path ${d.path} of ${d.source}`,
    fix: (d: PrefixData) =>
      `The gateway's urljoin(AIGW_GITLAB_URL, "${DISCOVERY_PATH}") always resolves to the host root, so GitLab under a relative URL (${d.path}) is missed whatever AIGW_GITLAB_URL says. ` +
      `Serve ${DISCOVERY_PATH} at the root of ${d.host}: in the reverse proxy, route exactly that path to ${d.prefixedUrl}. ${RESTART}`,
  },
  dns: {
    status: 'fail',
    text: (d: Failed) => `${d.where}: DNS lookup of ${d.host} failed${foreignSuffix(d)}`,
    fix: (d: Failed) =>
      foreignFix(d, `Make ${d.host} resolvable where the gateway runs, or change ${d.setting} to a name the gateway can resolve. ${RESTART}`),
  },
  refused: {
    status: 'fail',
    text: (d: Failed) => `${d.where}: connection to ${d.host} refused${foreignSuffix(d)}`,
    fix: (d: Failed) => foreignFix(d, `Nothing listens at ${d.host}: check the scheme and port in ${d.setting} and that GitLab is up. ${RESTART}`),
  },
  timeout: {
    status: 'fail',
    text: (d: Failed) => `${d.where}: no answer from ${d.host} in time${d.capped ?? ''}${foreignSuffix(d)}`,
    fix: (d: Failed) =>
      foreignFix(
        d,
        `A firewall drops the gateway's traffic to ${d.host}, or GitLab is overloaded. Open the path from the gateway to GitLab (or set NO_PROXY / HTTPS_PROXY right). ${RESTART}`,
      ),
  },
  tls: {
    status: 'fail',
    text: (d: Failed) =>
      `${d.where}: TLS failure with ${d.host} — the gateway, trusting ${d.trust ?? '?'}, cannot verify GitLab's certificate${d.sslCertFileOnly ? ' (SSL_CERT_FILE is set, but Python requests never reads it)' : ''}${foreignSuffix(d)}`,
    fix: (d: Failed) =>
      foreignFix(
        d,
        "See the gitlab-tls and ca-bundle checks for which certificate is missing or wrong. The gateway fetches GitLab's keys with Python requests, which trusts " +
          "REQUESTS_CA_BUNDLE (else CURL_CA_BUNDLE, else its certifi bundle) and never SSL_CERT_FILE: put GitLab's root CA into a PEM bundle, mount it in the " +
          `gateway's container and name it in REQUESTS_CA_BUNDLE (and in SSL_CERT_FILE too, which LiteLLM's model calls read). ${RESTART}`,
      ),
  },
  gatewayTrustUnknown: {
    status: 'skip',
    text: (d: Failed) =>
      `${d.where}: ${d.host}'s certificate is not trusted by certifi's public roots; whether the gateway trusts it depends on its own CA bundle, ` +
      "which is not known on this host: give it with --ca-file (the file the gateway's REQUESTS_CA_BUNDLE names), or run where the gateway runs",
  },
  proxy: {
    status: 'fail',
    text: (d: Failed) => `${d.where}: the proxy failed — ${d.message ?? '?'}${foreignSuffix(d)}`,
    fix: (d: Failed) =>
      foreignFix(d, `Add ${d.host.replace(/:\d+$/, '')} to NO_PROXY in the gateway's environment, or fix HTTPS_PROXY/HTTP_PROXY. ${RESTART}`),
  },
  network: {
    status: 'fail',
    text: (d: Failed) => `${d.where}: ${d.message ?? '?'}${foreignSuffix(d)}`,
    fix: (d: Failed) => foreignFix(d, `Check the network path and the server at ${d.host}. ${RESTART}`),
  },
  httpStatus: {
    status: 'fail',
    text: (d: Failed) => `${d.where}: HTTP ${d.status ?? '?'}${d.detail ? ` (${d.detail})` : ''}${d.after ?? ''}${foreignSuffix(d)}`,
    fix: (d: Failed) => foreignFix(d, `${statusWhy(d)} ${RESTART}`),
  },
  notJson: {
    status: 'fail',
    text: (d: Failed) =>
      `${d.where}: ${d.detail ?? '?'}${d.after ?? ''}${d.detail?.startsWith('HTML page') ? " — a sign-in page or a proxy's error page, not GitLab's JSON" : ''}${foreignSuffix(d)}`,
    fix: (d: Failed) =>
      foreignFix(
        d,
        `Point AIGW_GITLAB_URL at GitLab itself and let the gateway reach ${DISCOVERY_PATH} and /oauth/discovery/keys anonymously (no SSO portal or WAF page in between). ${RESTART}`,
      ),
  },
  redirectLoop: {
    status: 'fail',
    text: (d: Failed) => `${d.where}: redirect loop or more than 30 redirects starting at ${d.url ?? '?'}${foreignSuffix(d)}`,
    fix: (d: Failed) =>
      foreignFix(d, `Fix the redirect rules in front of GitLab; set AIGW_GITLAB_URL to GitLab's canonical external URL. ${RESTART}`),
  },
  redirectWithoutLocation: {
    status: 'fail',
    text: (d: Failed) => `${d.where}: HTTP ${d.status ?? '?'} without a Location header${foreignSuffix(d)}`,
    fix: (d: Failed) => foreignFix(d, `Fix the proxy in front of GitLab. ${RESTART}`),
  },
  noJwksUri: {
    status: 'fail',
    text: (d: NoUriData) => `OIDC discovery at ${d.url}: ${d.reason}`,
    fix: (d: NoUriData) =>
      `The document at ${d.finalUrl} is not GitLab's discovery document (GitLab names /oauth/discovery/keys). Point AIGW_GITLAB_URL at GitLab. ${RESTART}`,
  },
  redirected: {
    status: 'warn',
    text: (d: RedirectData) =>
      `${d.keysLine}, but redirected (${d.hops}): the gateway's Python requests follows redirects, so it works, but every key fetch pays the detour and strict clients (jose's createRemoteJWKSet) refuse it`,
    fix: (d: RedirectData) =>
      d.sameOrigin
        ? `Remove the rule in front of GitLab that redirects ${d.path}, so GitLab answers it directly, and restart the gateway.`
        : `Set AIGW_GITLAB_URL to the URL the redirect lands on (${d.landing}) and restart the gateway.`,
  },
  foreignKeysHost: {
    status: 'warn',
    text: (d: { keysLine: string; foreign: string; host: string }) =>
      `${d.keysLine}, but jwks_uri is on ${d.foreign}, not on ${d.host}: the gateway must reach and trust that host as well (this host could)`,
    fix: (d: { foreign: string }) =>
      `Keep ${d.foreign} reachable and trusted from the gateway, or make GitLab's external_url and AIGW_GITLAB_URL the same host.`,
  },
  differentKeySets: {
    status: 'warn',
    text: (d: { keysLine: string; prefixedUrl: string; root: string; prefixed: string }) =>
      `${d.keysLine}, but the host root and ${d.prefixedUrl} name different key sets (${d.root} vs ${d.prefixed}): the gateway uses the root's, which may not be this GitLab's`,
    fix: () => `Route ${DISCOVERY_PATH} at the host root to the GitLab the gateway serves.`,
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

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
              ? `redirect loop (${plural(f.hops.length, 'redirect')})`
              : `HTTP ${o.status} without a Location header`;
  return `${label}: GET ${f.url}${hops} → ${end} in ${f.elapsedMs} ms`;
}

const TRANSPORT = { dns: 'dns', refused: 'refused', timeout: 'timeout', tls: 'tls', proxy: 'proxy' } as const;

/** The finding for a document that did not come back as JSON. */
function documentFinding(doc: DocumentFetch, f: JwksFetch, step: 'discovery' | 'keys', foreign: string | undefined): Finding | undefined {
  const o = doc.outcome;
  const at: At = {
    where: step === 'discovery' ? 'OIDC discovery' : 'the key set (jwks_uri)',
    host: hostOf(step === 'discovery' ? f.discovery.finalUrl : (f.jwks?.finalUrl ?? '')),
    // The setting that names the host: the base URL for discovery; GitLab's external_url (through jwks_uri) for the keys.
    setting: step === 'discovery' ? f.base.source : 'jwks_uri (GitLab builds it from its external_url)',
    ...(foreign ? { foreign } : {}),
    discoveryHost: hostOf(f.discovery.url),
  };
  const after = doc.hops.length ? ` (after ${plural(doc.hops.length, 'redirect')}, at ${doc.finalUrl})` : '';
  switch (o.kind) {
    case 'failure': {
      const kind = o.failure.kind;
      // Off the gateway, nothing describing its bundle: a private CA is unknown here, not the gateway's failure.
      if (kind === 'tls' && f.trust.unknown) return { id: 'gatewayTrustUnknown', data: at, details: [...RUN_WHERE_THE_GATEWAY_RUNS] };
      if (kind === 'tls') {
        const sslCertFileOnly = f.trust.problems.some((p) => p.startsWith('SSL_CERT_FILE='));
        return { id: 'tls', data: { ...at, trust: describeTrustSource(f.trust.source), sslCertFileOnly } };
      }
      if (kind === 'timeout') {
        const capped =
          f.budgetMs < GATEWAY_FETCH_TIMEOUT_MS
            ? ` (the gateway waits ${GATEWAY_FETCH_TIMEOUT_MS / 1000} s; this run allowed ${f.budgetMs} ms — raise --timeout to test the full wait)`
            : '';
        return { id: 'timeout', data: { ...at, capped } };
      }
      const id = kind in TRANSPORT ? TRANSPORT[kind as keyof typeof TRANSPORT] : 'network';
      return { id, data: { ...at, message: o.failure.message } };
    }
    case 'status':
      return { id: 'httpStatus', data: { ...at, status: o.status, ...(o.detail ? { detail: o.detail } : {}), after } };
    case 'not-json':
      return { id: 'notJson', data: { ...at, detail: o.reason, after } };
    case 'redirect-loop':
      return { id: 'redirectLoop', data: { ...at, url: doc.url } };
    case 'redirect-without-location':
      return { id: 'redirectWithoutLocation', data: { ...at, status: o.status } };
    case 'json':
      return undefined;
  }
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
    lines.push(
      `AIGW_GITLAB_URL differs from --gitlab-url (${redactUrl(f.base.gitlabUrl)}): this check follows AIGW_GITLAB_URL, as the gateway does.`,
    );
  }
  const unknown = f.trust.unknown
    ? " — standing in: this host is not where the gateway runs, so its CA variables are not the gateway's, and no --ca-file describes the gateway's bundle"
    : '';
  lines.push(
    `Trust (Python requests): ${describeTrustSource(f.trust.source)}${unknown}`,
    ...f.trust.problems.map((p) => `Trust problem (see ca-bundle): ${p}`),
  );
  return lines;
}

function attemptLines(label: string, a: DiscoveryAttempt): string[] {
  const lines = [fetchLine(`${label}, discovery`, a.discovery)];
  if (a.jwksUri && !a.jwksUri.ok) lines.push(`${label}, jwks_uri: ${a.jwksUri.reason}`);
  if (a.jwks) lines.push(fetchLine(`${label}, keys`, a.jwks));
  return lines;
}

/** The findings of a fetch, worst first. */
function findingsOf(f: JwksFetch): Finding[] {
  // Path-prefix pitfall: the root join misses GitLab, the prefixed location has it.
  if (!reachedKeys(f) && f.prefixed && reachedKeys(f.prefixed)) {
    const path = new URL(f.prefixed.discovery.url).pathname.replace(DISCOVERY_PATH, '');
    return [
      {
        id: 'prefixDropped',
        data: { prefixedUrl: f.prefixed.discovery.url, url: f.discovery.url, path, source: f.base.source, host: hostOf(f.discovery.url) },
      },
    ];
  }
  const discoveryFailure = documentFinding(f.discovery, f, 'discovery', undefined);
  if (discoveryFailure) return [discoveryFailure];
  if (f.jwksUri && !f.jwksUri.ok)
    return [{ id: 'noJwksUri', data: { url: f.discovery.url, reason: f.jwksUri.reason, finalUrl: f.discovery.finalUrl } }];
  const jwksUri = f.jwksUri?.ok ? f.jwksUri.uri : '';
  const foreign = hostOf(jwksUri) !== hostOf(f.discovery.url) ? hostOf(jwksUri) : undefined;
  const keysFailure = f.jwks ? documentFinding(f.jwks, f, 'keys', foreign) : undefined;
  if (keysFailure) return [keysFailure];

  const keysLine = `keys fetched from ${redactUrl(jwksUri)} in ${f.jwks?.elapsedMs ?? 0} ms`;
  const warnings: Finding[] = [];
  const hops = [...f.discovery.hops, ...(f.jwks?.hops ?? [])];
  const first = hops[0];
  if (first) {
    const landing = new URL(first.location).origin;
    warnings.push({
      id: 'redirected',
      data: {
        keysLine,
        hops: hops.map((h) => `${h.status} ${h.url} → ${h.location}`).join('; '),
        sameOrigin: landing === new URL(first.url).origin,
        path: new URL(first.url).pathname,
        landing,
      },
    });
  }
  if (foreign) warnings.push({ id: 'foreignKeysHost', data: { keysLine, foreign, host: hostOf(f.discovery.url) } });
  if (f.prefixed && reachedKeys(f.prefixed) && f.prefixed.jwksUri?.ok && f.prefixed.jwksUri.uri !== jwksUri) {
    warnings.push({
      id: 'differentKeySets',
      data: { keysLine, prefixedUrl: f.prefixed.discovery.url, root: redactUrl(jwksUri), prefixed: redactUrl(f.prefixed.jwksUri.uri) },
    });
  }
  return warnings.length ? warnings : [{ id: 'reached', data: { discoveryUrl: f.discovery.url, keysLine } }];
}

/** Pure: the fetch judged as the gateway would live it. */
export function judge(facts: Facts): Judgement<typeof messages> {
  const f = facts.fetch;
  if (!f) return { findings: [{ id: 'noGitlabUrl' }] };
  const findings = findingsOf(f);
  const details = [...contextLines(f), ...attemptLines("Gateway's URL", f), ...(f.prefixed ? attemptLines('Path kept', f.prefixed) : [])];
  if (findings.some((x) => messages[x.id].status === 'fail')) details.push(withoutGitLabKeys(facts.gatewayHasOwnKeys));
  return { findings, details, evidence: evidenceOf(f) };
}

export default defineCheck({
  id: 'jwks-reachable',
  title: "The gateway can fetch GitLab's signing keys (OIDC discovery → jwks_uri)",
  category: 'jwks',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  explain: {
    checks:
      `Fetches <AIGW_GITLAB_URL>${DISCOVERY_PATH} (else --gitlab-url) exactly as the AI gateway does — joined with a leading slash, ` +
      "with Python requests' trust (REQUESTS_CA_BUNDLE, else CURL_CA_BUNDLE, else certifi's roots — never SSL_CERT_FILE), its proxy variables, 10 s per request, " +
      'redirects followed as requests follows them — then the jwks_uri it names (GitLab: /oauth/discovery/keys). When the base URL ' +
      "has a path, the same with the path kept is tried too. The CA variables are this host's only when its environment is the gateway's " +
      "(AIGW_* set); anywhere else --ca-file describes the gateway's bundle, and without it certifi's roots stand in and a private CA is reported as unknown, not failed.",
    failsWhen:
      'DNS, refused connection, timeout, TLS (the gitlab-tls / ca-bundle checks say why; a private CA named only in SSL_CERT_FILE fails here as it does in the gateway), ' +
      'a non-200 status, an HTML page (sign-in or proxy error page) instead of JSON, no usable jwks_uri, or GitLab under a relative URL that the root-joined discovery ' +
      'misses. The gateway then holds none of GitLab\'s keys (HTTP 500 for an empty set, or 401 "Forbidden by auth provider" with keys of its own) for up to 24 h. ' +
      'Warns on redirects (followed, but a detour) and on a jwks_uri on another host than AIGW_GITLAB_URL.',
    fix:
      "Set AIGW_GITLAB_URL to GitLab's external URL, let the gateway reach /.well-known/openid-configuration and /oauth/discovery/keys " +
      "anonymously, trust GitLab's CA through REQUESTS_CA_BUNDLE (SSL_CERT_FILE too, for LiteLLM), route the root discovery path to a relative-URL GitLab, " +
      'then restart the gateway (it caches keys for 24 h).',
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const [fetch, own] = [await fetchJwks(ctx), gatewayHasOwnKeys(ctx.settings.env)];
    return { ...(fetch ? { fetch } : {}), ...(own !== undefined ? { gatewayHasOwnKeys: own } : {}) };
  },
  // Stryker restore all
  judge,
});
