// gateway-fetches-jwks: where the gateway runs, Python fetches OIDC discovery and then the key set exactly as the gateway does.
import { defineCheck } from '../src/check.js';
import type { CheckOutcome } from '../src/model.js';
import { redactUrl } from '../src/redact.js';
import { GATEWAY_REQUEST_TIMEOUT_S, contextLines, viewEvidence, viewOrOutcome } from '../src/runtime/gateway-view.js';
import type { GatewayView, ProbeStep } from '../src/runtime/python-probe.js';
import { hostOf as parsedHost } from '../src/net/url.js';

const CONSEQUENCE =
  'Without GitLab\'s keys the gateway answers every request 401 "Forbidden by auth provider", and it keeps the (empty) key set it got for 24 h.';
const RESTART = 'Then restart the gateway: it caches the key set for 24 hours.';

/** The URL's host, or the URL (redacted) when it does not parse. */
const hostOf = (url: string): string => parsedHost(url) ?? redactUrl(url);

/** The fix for a failed GET, per kind of failure Python reported. */
function fixFor(step: ProbeStep, perRequestS: number): string {
  const host = hostOf(step.url);
  const error = step.error;
  switch (error?.kind) {
    case 'bundle':
    case 'tls':
      return `Python does not trust ${host}: gateway-trusts-gitlab says why and how to fix the bundle. ${RESTART}`;
    case 'dns':
      return `Make ${host} resolvable inside the gateway's container (its DNS, /etc/hosts or --add-host), or set AIGW_GITLAB_URL to a name it resolves. ${RESTART}`;
    case 'refused':
      return `Nothing listens at ${host} as seen from the gateway: check the scheme and port in AIGW_GITLAB_URL and that GitLab is up. ${RESTART}`;
    case 'timeout': {
      const budget = perRequestS < GATEWAY_REQUEST_TIMEOUT_S
        ? ` (this run allowed ${perRequestS} s per request; the gateway waits ${GATEWAY_REQUEST_TIMEOUT_S} s — raise --timeout to test the full wait)`
        : '';
      return `A firewall drops the gateway's traffic to ${host}, a proxy is missing or wrong (HTTPS_PROXY / NO_PROXY), or GitLab is overloaded${budget}. ${RESTART}`;
    }
    case 'http':
      if (step.status === 401 || step.status === 403) {
        return `Something in front of GitLab demands credentials or blocks the gateway; allow anonymous GET of /.well-known/openid-configuration and /oauth/discovery/keys from the gateway. ${RESTART}`;
      }
      if (step.status === 404) {
        return "Set AIGW_GITLAB_URL to GitLab's root URL: the gateway joins /.well-known/openid-configuration with a leading slash, so any path on AIGW_GITLAB_URL is dropped (a GitLab under a relative URL needs that path routed at the host root). " + RESTART;
      }
      return `Fix the server or proxy answering at ${host} (HTTP ${step.status ?? '?'}). ${RESTART}`;
    case 'json':
      return `${host} answered with something else than GitLab's JSON (a sign-in or proxy error page): point AIGW_GITLAB_URL at GitLab itself, with no SSO portal or WAF page in between. ${RESTART}`;
    case 'url':
      return `The URL cannot be fetched by Python as it stands: GitLab must advertise an absolute https jwks_uri (its external_url). ${RESTART}`;
    default:
      return `Check the network path from the gateway's container to ${host} (proxy variables, firewall, TLS front). ${RESTART}`;
  }
}

/** A failed step: its name, the URL, Python's message verbatim. */
function stepFailure(name: string, step: ProbeStep, view: GatewayView, where: string, perRequestS: number): CheckOutcome {
  const message = step.error?.kind === 'json'
    ? `not JSON (${step.error.message})${step.error.bodyStart ? `, the body starts ${JSON.stringify(step.error.bodyStart.slice(0, 40))}` : ''}`
    : (step.error?.message ?? '?');
  return {
    status: 'fail',
    summary: `${name}: GET ${redactUrl(step.url)} fails in Python ${where}: ${message}`,
    details: [...contextLines(view, where), CONSEQUENCE],
    remediation: fixFor(step, perRequestS),
    evidence: { ...viewEvidence(view, where), failedStep: name },
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
      'urljoin(AIGW_GITLAB_URL, "/.well-known/openid-configuration") and then its jwks_uri with urllib — the container\'s CA bundle ' +
      '(REQUESTS_CA_BUNDLE, else SSL_CERT_FILE), its proxy variables, its DNS and network, 10 s per request — and counts the keys.',
    failsWhen:
      "Either request fails inside (DNS, refused, timeout, TLS or the bundle, a non-200 status, an HTML page instead of JSON), discovery " +
      'names no jwks_uri, or the key set is empty. The gateway then rejects every request with 401 "Forbidden by auth provider". ' +
      'Skips when python3 is absent or AIGW_GITLAB_URL is unset.',
    fix:
      "Make GitLab reachable and trusted from the gateway's container with AIGW_GITLAB_URL set to GitLab's root URL (DNS, NO_PROXY, " +
      'firewall, the CA bundle in both SSL_CERT_FILE and REQUESTS_CA_BUNDLE), then restart the gateway (it caches keys for 24 h).',
  },
  async run(ctx) {
    const got = await viewOrOutcome(ctx, 'JWKS fetch');
    if ('status' in got) return got;
    const { view, where, perRequestS } = got;
    const evidence = viewEvidence(view, where);
    const { discovery, jwks } = view;
    if (!discovery) return { status: 'error', summary: 'the Python probe answered without its discovery step', evidence };
    if (discovery.error) return stepFailure('OIDC discovery', discovery, view, where, perRequestS);
    if (view.jwksUriProblem || !jwks) {
      return {
        status: 'fail',
        summary: `OIDC discovery at ${redactUrl(discovery.url)}: ${view.jwksUriProblem ?? 'no jwks_uri'}`,
        details: [...contextLines(view, where), CONSEQUENCE],
        remediation: `The document at ${redactUrl(discovery.finalUrl ?? discovery.url)} is not GitLab's discovery document (GitLab names /oauth/discovery/keys): point AIGW_GITLAB_URL at GitLab. ${RESTART}`,
        evidence,
      };
    }
    if (jwks.error) return stepFailure('key set', jwks, view, where, perRequestS);
    if (!jwks.keys) {
      return {
        status: 'fail',
        summary: `the key set at ${redactUrl(jwks.url)} holds no key: the gateway has nothing to verify GitLab's tokens with`,
        details: [...contextLines(view, where), CONSEQUENCE],
        remediation: `An empty set means jwks_uri is served by something other than GitLab, or GitLab lacks openid_connect_signing_key (check /etc/gitlab/gitlab-secrets.json and that jwks_uri points at GitLab). ${RESTART}`,
        evidence,
      };
    }
    return {
      status: 'pass',
      summary: `Python ${where} fetched ${jwks.keys} key${jwks.keys === 1 ? '' : 's'} from ${redactUrl(jwks.url)} (discovery at ${redactUrl(discovery.url)}), as the gateway does`,
      details: [...contextLines(view, where), ...(jwks.kids?.length ? [`kids: ${jwks.kids.join(', ')}`] : [])],
      evidence,
    };
  },
});
