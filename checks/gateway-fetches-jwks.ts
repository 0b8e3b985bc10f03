// gateway-fetches-jwks: where the gateway runs, Python fetches OIDC discovery and then the key set exactly as the gateway does.
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { gatewayHasOwnKeys, withoutGitLabKeys } from '../src/judge/gateway-keys.js';
import { redactUrl } from '../src/redact.js';
import {
  GATEWAY_REQUEST_TIMEOUT_S,
  VIEW_MESSAGES,
  contextLines,
  gatewayView,
  noViewFinding,
  viewEvidence,
  type GatewayViewResult,
} from '../src/runtime/gateway-view.js';
import type { ProbeStep } from '../src/runtime/python-probe.js';
import { gatewayEnv } from '../src/runtime/host.js';
import { hostOf as parsedHost } from '../src/net/url.js';

/** What the judge reads: the probe's run (JSON as Python printed it) and whether the gateway has keys of its own. */
export interface Facts {
  result: GatewayViewResult;
  gatewayHasOwnKeys?: boolean;
}

const RESTART = 'Then restart the gateway: it caches the key set for 24 hours.';

/** The URL's host, or the URL (redacted) when it does not parse. */
const hostOf = (url: string): string => parsedHost(url) ?? redactUrl(url);

/** A failed GET: which step, the URL, Python's message verbatim, and what the fix needs. */
type Failed = { step: string; url: string; where: string; message: string; status?: number; perRequestS: number };

function failedText(d: Failed): string {
  return `${d.step}: GET ${redactUrl(d.url)} fails in Python ${d.where}: ${d.message}`;
}

export const messages = {
  ...VIEW_MESSAGES,
  fetched: {
    status: 'pass',
    text: (d: { where: string; keys: number; url: string; discovery: string }) =>
      `Python ${d.where} fetched ${d.keys} key${d.keys === 1 ? '' : 's'} from ${redactUrl(d.url)} (discovery at ${redactUrl(d.discovery)}), as the gateway does`,
  },
  noDiscoveryStep: {
    status: 'warn',
    text: () => 'the Python probe answered without its discovery step',
    fix: 'Report this as a duo-doctor bug, with the probe output.',
  },
  untrusted: {
    status: 'fail',
    text: failedText,
    fix: (d: Failed) => `Python does not trust ${hostOf(d.url)}: gateway-trusts-gitlab says why and how to fix the bundle. ${RESTART}`,
  },
  dns: {
    status: 'fail',
    text: failedText,
    fix: (d: Failed) =>
      `Make ${hostOf(d.url)} resolvable inside the gateway's container (its DNS, /etc/hosts or --add-host), or set AIGW_GITLAB_URL to a name it resolves. ${RESTART}`,
  },
  refused: {
    status: 'fail',
    text: failedText,
    fix: (d: Failed) =>
      `Nothing listens at ${hostOf(d.url)} as seen from the gateway: check the scheme and port in AIGW_GITLAB_URL and that GitLab is up. ${RESTART}`,
  },
  timeout: {
    status: 'fail',
    text: failedText,
    fix: (d: Failed) =>
      `A firewall drops the gateway's traffic to ${hostOf(d.url)}, a proxy is missing or wrong (HTTPS_PROXY / NO_PROXY), or GitLab is overloaded` +
      `${d.perRequestS < GATEWAY_REQUEST_TIMEOUT_S ? ` (this run allowed ${d.perRequestS} s per request; the gateway waits ${GATEWAY_REQUEST_TIMEOUT_S} s — raise --timeout to test the full wait)` : ''}. ${RESTART}`,
  },
  httpStatus: {
    status: 'fail',
    text: failedText,
    fix: (d: Failed) =>
      d.status === 401 || d.status === 403
        ? `Something in front of GitLab demands credentials or blocks the gateway; allow anonymous GET of /.well-known/openid-configuration and /oauth/discovery/keys from the gateway. ${RESTART}`
        : d.status === 404
          ? "Set AIGW_GITLAB_URL to GitLab's root URL: the gateway joins /.well-known/openid-configuration with a leading slash, so any path on AIGW_GITLAB_URL is dropped (a GitLab under a relative URL needs that path routed at the host root). " +
            RESTART
          : `Fix the server or proxy answering at ${hostOf(d.url)} (HTTP ${d.status ?? '?'}). ${RESTART}`,
  },
  notJson: {
    status: 'fail',
    text: failedText,
    fix: (d: Failed) =>
      `${hostOf(d.url)} answered with something else than GitLab's JSON (a sign-in or proxy error page): point AIGW_GITLAB_URL at GitLab itself, with no SSO portal or WAF page in between. ${RESTART}`,
  },
  unfetchable: {
    status: 'fail',
    text: failedText,
    fix: (d: Failed) =>
      `Check the network path from the gateway's container to ${hostOf(d.url)} (proxy variables, firewall, TLS front), and that GitLab advertises an absolute https jwks_uri. ${RESTART}`,
  },
  noJwksUri: {
    status: 'fail',
    text: (d: { url: string; problem: string; finalUrl: string }) => `OIDC discovery at ${redactUrl(d.url)}: ${d.problem}`,
    fix: (d: { url: string; problem: string; finalUrl: string }) =>
      `The document at ${redactUrl(d.finalUrl)} is not GitLab's discovery document (GitLab names /oauth/discovery/keys): point AIGW_GITLAB_URL at GitLab. ${RESTART}`,
  },
  emptyKeySet: {
    status: 'fail',
    text: (d: { url: string }) => `the key set at ${redactUrl(d.url)} holds no key: the gateway has none of GitLab's keys to verify its tokens with`,
    fix:
      "GitLab's /oauth/discovery/keys always holds its OpenID Connect key, so an empty set means jwks_uri is served by something else: route it to GitLab. " +
      `Duo tokens are signed with the Cloud Connector key: \`gitlab-rake cloud_connector:keys:list\` must show one (else \`gitlab-rake cloud_connector:keys:create\`). ${RESTART}`,
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

const BY_KIND: Partial<Record<string, Finding['id']>> = {
  bundle: 'untrusted',
  tls: 'untrusted',
  dns: 'dns',
  refused: 'refused',
  timeout: 'timeout',
  http: 'httpStatus',
  json: 'notJson',
};

function stepFinding(name: string, step: ProbeStep, where: string, perRequestS: number): Finding {
  const error = step.error;
  const message =
    error?.kind === 'json'
      ? `not JSON (${error.message})${error.bodyStart ? `, the body starts ${JSON.stringify(error.bodyStart.slice(0, 40))}` : ''}`
      : (error?.message ?? '?');
  const data: Failed = { step: name, url: step.url, where, message, ...(step.status !== undefined ? { status: step.status } : {}), perRequestS };
  return { id: BY_KIND[error?.kind ?? ''] ?? 'unfetchable', data } as Finding;
}

/** Pure: the fetch Python made where the gateway runs. */
export function judge(facts: Facts): Judgement<typeof messages> {
  const noView = noViewFinding(facts.result, 'JWKS fetch');
  if (noView || facts.result.kind !== 'ran') return { findings: [noView ?? { id: 'noDiscoveryStep' }] };
  const { view, where, perRequestS } = facts.result;
  const evidence = viewEvidence(view, where);
  const details = contextLines(view, where);
  const consequence = withoutGitLabKeys(facts.gatewayHasOwnKeys);
  const failed = (finding: Finding, failedStep?: string): Judgement<typeof messages> => ({
    findings: [finding],
    details: [...details, consequence],
    evidence: { ...evidence, ...(failedStep ? { failedStep } : {}) },
  });
  const { discovery, jwks } = view;
  if (!discovery) return { findings: [{ id: 'noDiscoveryStep' }], details, evidence };
  if (discovery.error) return failed(stepFinding('OIDC discovery', discovery, where, perRequestS), 'OIDC discovery');
  if (view.jwksUriProblem || !jwks) {
    return failed({
      id: 'noJwksUri',
      data: { url: discovery.url, problem: view.jwksUriProblem ?? 'no jwks_uri', finalUrl: discovery.finalUrl ?? discovery.url },
    });
  }
  if (jwks.error) return failed(stepFinding('key set', jwks, where, perRequestS), 'key set');
  if (!jwks.keys) return failed({ id: 'emptyKeySet', data: { url: jwks.url } });
  return {
    findings: [{ id: 'fetched', data: { where, keys: jwks.keys, url: jwks.url, discovery: discovery.url } }],
    details: [...details, ...(jwks.kids?.length ? [`kids: ${jwks.kids.join(', ')}`] : [])],
    evidence,
  };
}

export default defineCheck({
  id: 'gateway-fetches-jwks',
  title: "The gateway's Python fetches GitLab's signing keys",
  category: 'jwks',
  dependsOn: ['runtime-host'],
  tags: ['ci', 'oncall', 'pre-upgrade'],
  explain: {
    checks:
      "Where the gateway runs (this host, or its container with --exec), python3 with the gateway's environment GETs " +
      'urljoin(AIGW_GITLAB_URL, "/.well-known/openid-configuration") and then its jwks_uri with Python requests, as the gateway does ' +
      "(urllib under requests' rules when requests is missing): REQUESTS_CA_BUNDLE, else CURL_CA_BUNDLE, else certifi — never SSL_CERT_FILE — " +
      'its proxy variables, its DNS and network, 10 s per request — and counts the keys.',
    failsWhen:
      'Either request fails inside (DNS, refused, timeout, TLS or the bundle — a private CA named only in SSL_CERT_FILE included —, a non-200 status, an HTML page instead of JSON), discovery ' +
      'names no jwks_uri, or the key set is empty. The gateway then holds none of GitLab\'s keys (HTTP 500, or 401 "Forbidden by auth provider" with keys of its own). ' +
      'Skips when this host is not where the gateway runs (no --exec, no AIGW_* variable here: it says how to run it there), python3 is absent or AIGW_GITLAB_URL is unset.',
    fix:
      "Make GitLab reachable and trusted from the gateway's container with AIGW_GITLAB_URL set to GitLab's root URL (DNS, NO_PROXY, " +
      'firewall, the CA bundle in REQUESTS_CA_BUNDLE — and SSL_CERT_FILE for LiteLLM), then restart the gateway (it caches keys for 24 h).',
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const result = await gatewayView(ctx);
    if (result.kind === 'not-the-gateway') return { result };
    const own = gatewayHasOwnKeys(await gatewayEnv(ctx));
    return { result, ...(own !== undefined ? { gatewayHasOwnKeys: own } : {}) };
  },
  // Stryker restore all
  judge,
});
