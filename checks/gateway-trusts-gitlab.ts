// gateway-trusts-gitlab: Python's own TLS verdict on GitLab, where the gateway runs and with the bundle requests uses, next to duo-doctor's why.
import { rootCertificates } from 'node:tls';
import { defineCheck, renderJudgement, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { describeBlock } from '../src/probes/pem.js';
import { tlsChain, type TlsFacts } from '../src/probes/tls.js';
import { bundleFromText, type BundleRead, type Trust } from '../src/probes/trust.js';
import { redactUrl } from '../src/redact.js';
import { bundleProblems } from '../src/judge/ca-bundle.js';
import { bundleFacts } from '../src/tls/bundle-facts.js';
import { endpointOf, formatEndpoint } from '../src/net/endpoint.js';
import { trustFacts } from '../src/tls/endpoint-facts.js';
import { endpointMessages, judgeEndpoint } from '../src/judge/tls-endpoint.js';
import {
  VIEW_MESSAGES,
  containerBundle,
  contextLines,
  gatewayView,
  isHttps,
  noViewFinding,
  viewEvidence,
  type GatewayViewResult,
} from '../src/runtime/gateway-view.js';
import type { GatewayView, ProbeStep } from '../src/runtime/python-probe.js';

/** What the judge reads: the probe's run, the bundle's text as read where the gateway runs, GitLab's chain as served here, the clock. */
export interface Facts {
  result: GatewayViewResult;
  /** The bundle requests used, as read there (REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE); absent for certifi's. */
  bundle?: { file: string; text?: string; readError?: { code: string; message: string } };
  /** GitLab's chain as this machine sees it, when Python failed TLS. */
  chain?: TlsFacts;
  now: number;
  expiryWarnDays: number;
}

const NAME_IT =
  "Name the PEM bundle in REQUESTS_CA_BUNDLE in the gateway's environment — the variable Python requests reads for GitLab's keys — and in SSL_CERT_FILE too, " +
  'which LiteLLM reads for model calls (docker run -v /srv/certs/ca-bundle.pem:/certs/ca-bundle.pem:ro -e REQUESTS_CA_BUNDLE=/certs/ca-bundle.pem ' +
  '-e SSL_CERT_FILE=/certs/ca-bundle.pem), then restart the gateway.';
const NODE_VS_PYTHON =
  "Python's ssl (OpenSSL) rejects the whole file for one malformed block; Node silently drops that block and loads the rest, " +
  'so the same bundle can work for a Node tool and still break the gateway.';

type Failure = { where: string; host: string; message: string; fixes: string[] };

export const messages = {
  ...VIEW_MESSAGES,
  verified: {
    status: 'pass',
    text: (d: { python: string; where: string; host: string; trust: string }) =>
      `Python ${d.python} ${d.where} verifies GitLab's certificate at ${d.host} with ${d.trust}`,
  },
  bundleUnloadable: {
    status: 'fail',
    text: (d: Failure & { named: string }) => `Python cannot load ${d.named}: ${d.message}`,
    fix: (d: Failure) => [...d.fixes, NAME_IT].join('\n'),
  },
  untrusted: {
    status: 'fail',
    text: (d: Failure & { sslCertFileOnly: boolean }) =>
      `Python ${d.where} does not trust GitLab at ${d.host}: ${d.message}${d.sslCertFileOnly ? ' (SSL_CERT_FILE names a bundle, but Python requests never reads SSL_CERT_FILE)' : ''}`,
    fix: (d: Failure) => (d.fixes.length ? d.fixes.join('\n') : `Put the root CA that issued GitLab's certificate into the bundle. ${NAME_IT}`),
  },
  plainHttp: {
    status: 'skip',
    text: (d: { url: string }) => `AIGW_GITLAB_URL is ${d.url}: plain http, no TLS between the gateway and GitLab to judge`,
  },
  noConnection: {
    status: 'skip',
    text: (d: { where: string; host: string; message: string }) =>
      `Python ${d.where} could not connect to ${d.host} (${d.message}), so there is no TLS verdict: gateway-fetches-jwks says why`,
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

function hostOf(url: string): string {
  const e = endpointOf(url);
  return 'problem' in e ? redactUrl(url) : formatEndpoint(e);
}

function bundleRead(facts: Facts): BundleRead | undefined {
  const b = facts.bundle;
  if (!b) return undefined;
  if (b.text === undefined)
    return { file: b.file, readError: b.readError ?? { code: 'EIO', message: 'not read' }, blocks: [], problems: [], certificates: [] };
  return bundleFromText(b.file, b.text);
}

/** Why Python could not load the bundle, from the bundle as read where the gateway runs. */
function bundleFinding(view: GatewayView, where: string, read: BundleRead | undefined, facts: Facts): Finding {
  const file = view.bundle.file ?? '';
  // The audit names the variable; CURL_CA_BUNDLE plays REQUESTS_CA_BUNDLE's part for requests.
  const variable = view.bundle.source === 'REQUESTS_CA_BUNDLE' || view.bundle.source === 'CURL_CA_BUNDLE' ? 'REQUESTS_CA_BUNDLE' : 'SSL_CERT_FILE';
  const problems = read ? bundleProblems(bundleFacts(read, [variable]), facts.now, facts.expiryWarnDays).problems : [];
  const bad = read?.blocks.find((b) => !b.ok);
  const why = bad ? ` — ${describeBlock(bad)} is malformed: ${bad.problem ?? '?'}` : read?.readError ? ` — ${read.readError.message}` : '';
  const analysis = read?.readError
    ? [`duo-doctor's analysis: ${file} cannot be read ${where} either (${read.readError.message}).`]
    : [`duo-doctor's analysis of ${file} as read ${where}:`, ...problems.map((f) => `  ${f.text}`), ...(bad ? [NODE_VS_PYTHON] : [])];
  return {
    id: 'bundleUnloadable',
    data: {
      where,
      host: '',
      named: `${view.bundle.source}=${file}`,
      message: `${view.bundle.error?.message ?? '?'}${why}`,
      fixes: [...new Set(problems.map((f) => f.fix).filter((f): f is string => Boolean(f)))],
    },
    details: [...analysis, "Every https request the gateway makes with this bundle fails, GitLab's OIDC discovery and key set included."],
  };
}

/** The trust Python used, as duo-doctor can rebuild it: the bundle read where the gateway runs, else Node's copy of certifi's roots. */
function pythonTrust(view: GatewayView, read: BundleRead | undefined): Trust {
  const { bundle } = view;
  if (bundle.source === 'certifi' || bundle.source === 'default' || !read)
    return { source: { kind: 'system' }, ca: [...rootCertificates], problems: [] };
  return { source: { kind: bundle.source, file: read.file }, ca: read.certificates, problems: read.problems };
}

/** Python's TLS failure, verbatim, next to duo-doctor's judgement of the chain GitLab serves (as this machine sees it). */
function tlsFinding(view: GatewayView, where: string, step: ProbeStep, read: BundleRead | undefined, facts: Facts): Finding {
  const sslCertFileOnly = Boolean(view.env.SSL_CERT_FILE) && view.env.SSL_CERT_FILE !== view.bundle.file;
  // Stryker disable next-line OptionalChaining: the step failed, so it carries its error
  const base = { where, host: hostOf(step.url), message: step.error?.message ?? '?', sslCertFileOnly };
  const chain = facts.chain;
  if (!chain) return { id: 'untrusted', data: { ...base, fixes: [] } };
  if (!chain.ok) {
    return {
      id: 'untrusted',
      data: { ...base, fixes: [] },
      details: [`duo-doctor could not fetch ${chain.host}:${chain.port}'s chain from this machine to say why: ${chain.failure?.message ?? '?'}`],
    };
  }
  const against =
    view.bundle.source === 'certifi' || view.bundle.source === 'default'
      ? "Node's copy of the public roots, as certifi holds them"
      : 'the same bundle';
  const endpoint = endpointOf(step.url);
  if ('problem' in endpoint) return { id: 'untrusted', data: { ...base, fixes: [] } };
  // The shared endpoint judge gitlab-tls applies too, with the bundle Python used as the trust.
  const judged = renderJudgement(
    endpointMessages('gateway'),
    judgeEndpoint(
      {
        url: step.url,
        endpoint,
        handshake: chain,
        trust: trustFacts(pythonTrust(view, read), false),
        now: facts.now,
        expiryWarnDays: facts.expiryWarnDays,
      },
      'GitLab',
      'gateway',
    ) as Judgement<Messages>,
  );
  return {
    id: 'untrusted',
    data: { ...base, fixes: judged.status === 'fail' && judged.remediation ? [judged.remediation] : [] },
    details: [
      `duo-doctor's analysis (the chain ${chain.host}:${chain.port} serves to this machine, judged against ${against}): ${judged.summary}`,
      ...(judged.details ?? []).map((d) => `  ${d}`),
    ],
  };
}

function steps(view: GatewayView): ProbeStep[] {
  return [view.discovery, view.jwks].filter((s): s is ProbeStep => s !== undefined);
}

/** Pure: Python's verdict, with duo-doctor's analysis of the bundle and the chain. */
export function judge(facts: Facts): Judgement<typeof messages> {
  const noView = noViewFinding(facts.result, 'TLS verdict');
  // Stryker disable next-line ConditionalExpression,ObjectLiteral,StringLiteral: noViewFinding answers every run but 'ran' (the test narrows the type)
  if (noView || facts.result.kind !== 'ran') return { findings: [noView ?? { id: 'noGitlabUrl', data: { where: '?' } }] };
  const { view, where } = facts.result;
  const details = contextLines(view, where);
  const evidence = viewEvidence(view, where);
  const read = bundleRead(facts);
  const all = steps(view);
  const failed = all.find((s) => s.error?.kind === 'bundle' || s.error?.kind === 'tls');
  const one = (finding: Finding): Judgement<typeof messages> => ({ findings: [finding], details, evidence });
  if (failed?.error?.kind === 'bundle' || (failed && !view.bundle.loaded)) return one(bundleFinding(view, where, read, facts));
  if (failed) return one(tlsFinding(view, where, failed, read, facts));
  const verified = all.find((s) => s.status !== undefined && isHttps(s.finalUrl ?? s.url));
  if (verified) {
    const trust =
      view.bundle.source === 'certifi' || view.bundle.source === 'default' ? "certifi's roots" : `${view.bundle.source}=${view.bundle.file ?? ''}`;
    return one({ id: 'verified', data: { python: view.python, where, host: hostOf(verified.finalUrl ?? verified.url), trust } });
  }
  const gitlabUrl = view.env.AIGW_GITLAB_URL ?? '';
  // Plain http only when GitLab's URL says so: a probe that made no request says nothing about the scheme.
  if (!isHttps(gitlabUrl) && !all.some((s) => isHttps(s.url))) return one({ id: 'plainHttp', data: { url: redactUrl(gitlabUrl) } });
  const first = all.find((s) => s.error);
  return one({
    id: 'noConnection',
    // Stryker disable next-line OptionalChaining: the step found by its error has one
    data: { where, host: hostOf(first?.url ?? gitlabUrl), message: first?.error?.message ?? 'the probe made no request' },
  });
}

export default defineCheck({
  id: 'gateway-trusts-gitlab',
  title: "The gateway's Python trusts GitLab's certificate",
  category: 'tls',
  dependsOn: ['runtime-host'],
  tags: ['ci', 'oncall', 'pre-upgrade'],
  explain: {
    checks:
      "Where the gateway runs (its container with --exec, or this host when its environment is the gateway's: AIGW_* set; anywhere else it " +
      "skips and says how to run it there), runs python3 with the gateway's environment and GETs " +
      '<AIGW_GITLAB_URL>/.well-known/openid-configuration and its jwks_uri with Python requests, as the gateway does — trusting REQUESTS_CA_BUNDLE, else ' +
      "CURL_CA_BUNDLE, else certifi's bundle, never SSL_CERT_FILE — 10 s per request. Reports Python's TLS verdict verbatim, next to duo-doctor's analysis: " +
      "the bundle's blocks as read there, and GitLab's served chain judged against that bundle.",
    failsWhen:
      'Python cannot load the bundle ([X509] PEM lib for one malformed block anywhere in it, NO_CERTIFICATE_OR_CRL_FOUND for an empty, ' +
      "DER or key-only file, or a missing file), or rejects GitLab's certificate ([SSL: CERTIFICATE_VERIFY_FAILED] ...: a private CA not in the " +
      'bundle requests reads — one named only in SSL_CERT_FILE included —, a self-signed certificate, a missing intermediate, an expired certificate, a hostname mismatch). ' +
      'Skips when this host is not where the gateway runs, python3 is absent, AIGW_GITLAB_URL is unset, or GitLab is reached over plain http.',
    fix:
      "Put GitLab's root CA (PEM) into one bundle, remove malformed blocks, mount it in the gateway's container and name it in REQUESTS_CA_BUNDLE " +
      '(and SSL_CERT_FILE, for LiteLLM); then restart the gateway.',
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const result = await gatewayView(ctx);
    const base = { result, now: Date.now(), expiryWarnDays: ctx.settings.expiryWarnDays };
    if (result.kind !== 'ran') return base;
    const { view } = result;
    const file = view.bundle.source === 'REQUESTS_CA_BUNDLE' || view.bundle.source === 'CURL_CA_BUNDLE' ? view.bundle.file : undefined;
    const read = file ? await containerBundle(ctx, file) : undefined;
    const failed = steps(view).find((s) => s.error?.kind === 'tls');
    const endpoint = failed ? endpointOf(failed.url) : undefined;
    const chain = endpoint && !('problem' in endpoint) ? await tlsChain(ctx, { host: endpoint.host, port: endpoint.port }) : undefined;
    return {
      ...base,
      ...(file && read ? { bundle: { file, ...(read.readError ? { readError: read.readError } : { text: read.text ?? '' }) } } : {}),
      ...(chain ? { chain } : {}),
    };
  },
  // Stryker restore all
  judge,
});
