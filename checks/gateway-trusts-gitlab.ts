// gateway-trusts-gitlab: Python's own TLS verdict on GitLab, where the gateway runs and with its bundle, next to duo-doctor's why.
import { rootCertificates } from 'node:tls';
import { defineCheck, renderJudgement, type CheckContext, type Judgement, type Messages } from '../src/check.js';
import type { CheckOutcome } from '../src/model.js';
import { describeBlock } from '../src/probes/pem.js';
import { tlsChain } from '../src/probes/tls.js';
import type { Trust } from '../src/probes/trust.js';
import { redactUrl } from '../src/redact.js';
import { bundleProblems } from '../src/judge/ca-bundle.js';
import { bundleFacts } from '../src/tls/bundle-facts.js';
import { endpointOf, formatEndpoint } from '../src/net/endpoint.js';
import { trustFacts } from '../src/tls/endpoint-facts.js';
import gitlabTls, { judge as judgeGitlabTls } from './gitlab-tls.js';
import { containerBundle, contextLines, isHttps, viewEvidence, viewOrOutcome } from '../src/runtime/gateway-view.js';
import type { GatewayView, ProbeStep } from '../src/runtime/python-probe.js';

const BOTH_VARIABLES =
  "Name the same PEM bundle in both SSL_CERT_FILE and REQUESTS_CA_BUNDLE in the gateway's environment " +
  '(docker run -v /srv/certs/ca-bundle.pem:/certs/ca-bundle.pem:ro -e SSL_CERT_FILE=/certs/ca-bundle.pem -e REQUESTS_CA_BUNDLE=/certs/ca-bundle.pem), then restart the gateway.';
const NODE_VS_PYTHON =
  "Python's ssl (OpenSSL) rejects the whole file for one malformed block; Node silently drops that block and loads the rest, " +
  'so the same bundle can work for a Node tool and still break the gateway.';

/** The host:port of a URL, for summaries. */
function hostOf(url: string): string {
  const e = endpointOf(url);
  return 'problem' in e ? redactUrl(url) : formatEndpoint(e);
}

/** Why Python could not load the bundle, from the bundle as read where the gateway runs. */
async function bundleVerdict(ctx: CheckContext, view: GatewayView, where: string, details: string[]): Promise<CheckOutcome> {
  const { bundle } = view;
  const file = bundle.file ?? '';
  const read = await containerBundle(ctx, file);
  const variable = bundle.source === 'default' ? 'SSL_CERT_FILE' : bundle.source;
  const { problems, stats } = bundleProblems(bundleFacts(read, [variable]), Date.now(), ctx.settings.expiryWarnDays);
  const bad = read.blocks.find((b) => !b.ok);
  const why = bad ? ` — ${describeBlock(bad)} is malformed: ${bad.problem ?? '?'}` : read.readError ? ` — ${read.readError.message}` : '';
  const analysis = read.readError
    ? [`duo-doctor's analysis: ${file} cannot be read ${where} either (${read.readError.message}).`]
    : [`duo-doctor's analysis of ${file} as read ${where}:`, ...problems.map((f) => `  ${f.text}`), ...(bad ? [NODE_VS_PYTHON] : [])];
  const fixes = [...new Set(problems.map((f) => f.fix).filter((f): f is string => Boolean(f)))];
  return {
    status: 'fail',
    summary: `Python cannot load ${bundle.source}=${file}: ${bundle.error?.message ?? '?'}${why}`,
    details: [...details, ...analysis, 'Every https request the gateway makes with this bundle fails, GitLab\'s OIDC discovery and key set included.'],
    remediation: [...fixes, BOTH_VARIABLES].join('\n'),
    evidence: { ...viewEvidence(view, where), bundleAnalysis: stats },
  };
}

/** The trust Python used, as duo-doctor can rebuild it: the bundle read where the gateway runs, else Node's copy of the public roots. */
async function pythonTrust(ctx: CheckContext, view: GatewayView): Promise<Trust> {
  const { bundle } = view;
  if (bundle.source === 'default' || !bundle.file) return { source: { kind: 'system' }, ca: [...rootCertificates], problems: [] };
  const read = await containerBundle(ctx, bundle.file);
  return { source: { kind: bundle.source, file: bundle.file }, ca: read.certificates, problems: read.problems };
}

/** Python's TLS failure, verbatim, next to duo-doctor's judgement of the chain GitLab serves (as this machine sees it). */
async function tlsVerdict(ctx: CheckContext, view: GatewayView, step: ProbeStep, where: string, details: string[]): Promise<CheckOutcome> {
  const url = step.url;
  const message = step.error?.message ?? '?';
  const evidence = viewEvidence(view, where);
  const endpoint = endpointOf(url);
  const fallback = `Put the root CA that issued GitLab's certificate into the bundle. ${BOTH_VARIABLES}`;
  const base = { status: 'fail' as const, summary: `Python ${where} does not trust GitLab at ${hostOf(url)}: ${message}`, evidence };
  if ('problem' in endpoint) return { ...base, details, remediation: fallback };
  const facts = await tlsChain(ctx, { host: endpoint.host, port: endpoint.port });
  if (!facts.ok) {
    return {
      ...base,
      details: [...details, `duo-doctor could not fetch ${formatEndpoint(endpoint)}'s chain from this machine to say why: ${facts.failure?.message ?? '?'}`],
      remediation: fallback,
    };
  }
  const against = view.bundle.source === 'default' ? "Node's copy of the public roots, as Python's default store would hold them" : 'the same bundle';
  const trust = trustFacts(await pythonTrust(ctx, view), false);
  const judged = renderJudgement(
    gitlabTls.messages,
    judgeGitlabTls({ url, endpoint, handshake: facts, trust, now: Date.now(), expiryWarnDays: ctx.settings.expiryWarnDays, basis: 'gateway', ignored: [] }) as Judgement<Messages>,
  );
  return {
    ...base,
    details: [
      ...details,
      `duo-doctor's analysis (the chain ${formatEndpoint(endpoint)} serves to this machine, judged against ${against}): ${judged.summary}`,
      ...(judged.details ?? []).map((d) => `  ${d}`),
    ],
    remediation: judged.status === 'fail' && judged.remediation ? judged.remediation : fallback,
  };
}

export default defineCheck({
  id: 'gateway-trusts-gitlab',
  title: "The gateway's Python trusts GitLab's certificate",
  category: 'tls',
  dependsOn: ['runtime-host'],
  tags: ['ci', 'oncall', 'pre-upgrade'],
  explain: {
    checks:
      'Where the gateway runs (this host, or its container with --exec), runs python3 with the gateway\'s environment: ' +
      'ssl.create_default_context(cafile=REQUESTS_CA_BUNDLE or SSL_CERT_FILE), then GETs <AIGW_GITLAB_URL>/.well-known/openid-configuration ' +
      "and its jwks_uri with urllib, 10 s per request. Reports Python's TLS verdict verbatim, next to duo-doctor's analysis: the bundle's " +
      "blocks as read there, and GitLab's served chain judged against that bundle.",
    failsWhen:
      'Python cannot load the bundle ([X509] PEM lib for one malformed block anywhere in it, NO_CERTIFICATE_OR_CRL_FOUND for an empty, ' +
      'DER or key-only file, or a missing file), or rejects GitLab\'s certificate ([SSL: CERTIFICATE_VERIFY_FAILED] ...: a private CA not in the ' +
      'bundle, a self-signed certificate, a missing intermediate, an expired certificate, a hostname mismatch). Skips when python3 is absent, ' +
      'AIGW_GITLAB_URL is unset, or GitLab is reached over plain http (no TLS to judge).',
    fix:
      "Put GitLab's root CA (PEM) into one bundle, remove malformed blocks, mount it in the gateway's container and name it in both " +
      'SSL_CERT_FILE and REQUESTS_CA_BUNDLE; then restart the gateway.',
  },
  async run(ctx) {
    const got = await viewOrOutcome(ctx, 'TLS verdict');
    if ('status' in got) return got;
    const { view, where } = got;
    const details = contextLines(view, where);
    const steps = [view.discovery, view.jwks].filter((s): s is ProbeStep => s !== undefined);
    const failed = steps.find((s) => s.error?.kind === 'bundle' || s.error?.kind === 'tls');
    if (failed?.error?.kind === 'bundle' || (failed && !view.bundle.loaded)) return bundleVerdict(ctx, view, where, details);
    if (failed) return tlsVerdict(ctx, view, failed, where, details);
    const verified = steps.find((s) => s.status !== undefined && isHttps(s.finalUrl ?? s.url));
    if (verified) {
      const trust = view.bundle.source === 'default' ? 'its default trust store' : `${view.bundle.source}=${view.bundle.file ?? ''}`;
      return {
        status: 'pass',
        summary: `Python ${view.python} ${where} verifies GitLab's certificate at ${hostOf(verified.finalUrl ?? verified.url)} with ${trust}`,
        details,
        evidence: viewEvidence(view, where),
      };
    }
    if (!steps.some((s) => isHttps(s.url))) {
      return {
        status: 'skip',
        summary: `AIGW_GITLAB_URL is ${redactUrl(view.env.AIGW_GITLAB_URL ?? '')}: plain http, no TLS between the gateway and GitLab to judge`,
        details,
        evidence: viewEvidence(view, where),
      };
    }
    const first = steps.find((s) => s.error);
    return {
      status: 'skip',
      summary: `Python ${where} could not connect to ${hostOf(first?.url ?? '')} (${first?.error?.message ?? '?'}), so there is no TLS verdict: gateway-fetches-jwks says why`,
      details,
      evidence: viewEvidence(view, where),
    };
  },
});
