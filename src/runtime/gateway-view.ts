// The gateway's own view of GitLab: the Python probe, run once per run where the gateway runs, and the CA bundle as read there.
import type { CheckContext } from '../check.js';
import type { FindingOf, Messages } from '../check.js';
import type { Evidence } from '../model.js';
import { bundleFromText, type BundleRead } from '../probes/trust.js';
import { redactUrl } from '../redact.js';
import type { FileRead } from './facts.js';
import { runtimeHost, runtimePlace } from './host.js';
import { notTheGateway, notTheGatewayFinding } from '../judge/runtime-place.js';
import { PYTHON_PROBE, parseProbeOutput, type GatewayView, type ProbeBundle, type ProbeStep } from './python-probe.js';
import { errorMessage } from '../error-message.js';

/** The gateway's own timeout per request to GitLab (REQUEST_TIMEOUT_SECONDS). */
export const GATEWAY_REQUEST_TIMEOUT_S = 10;
/** Share of the check timeout the probe may use, so a slow GitLab shows as the probe's timeout, not as a killed check. */
const BUDGET_SHARE = 0.8;

/** The probe's run: its answer, or why there is none. `where` reads "inside docker exec gitlab-aigw" / "on this host". */
export type GatewayViewResult =
  | { kind: 'ran'; where: string; view: GatewayView; perRequestS: number }
  | { kind: 'no-python'; where: string; detail: string }
  | { kind: 'broken'; where: string; reason: string }
  | { kind: 'not-the-gateway'; hostname: string };

/** Where the gateway's-view probes run, as a sentence fragment. */
export function placeOf(ctx: CheckContext): string {
  return ctx.settings.exec ? `inside ${ctx.settings.exec}` : 'on this host';
}

/**
 * Runs the Python probe where the gateway runs, once per run (memo `runtime:gateway-view`), within 80 % of the check
 * timeout and at most the gateway's 10 s per request; nowhere when this host is not the gateway's (no --exec, no AIGW_*),
 * whose environment would say nothing about the gateway. Never rejects.
 */
export function gatewayView(ctx: CheckContext): Promise<GatewayViewResult> {
  return ctx.memo('runtime:gateway-view', async (): Promise<GatewayViewResult> => {
    const place = runtimePlace(ctx);
    if (place.kind === 'elsewhere') return { kind: 'not-the-gateway', hostname: place.hostname };
    const where = placeOf(ctx);
    const budgetS = Math.max(0.5, (ctx.settings.timeoutMs * BUDGET_SHARE) / 1000);
    const perRequestS = Math.min(GATEWAY_REQUEST_TIMEOUT_S, budgetS);
    try {
      const host = await runtimeHost(ctx);
      const run = await host.python(PYTHON_PROBE, [String(perRequestS), String(budgetS)]);
      if (!run.available) return { kind: 'no-python', where, detail: run.stderr.trim() };
      const answer = parseProbeOutput(run.stdout, run.stderr, run.code);
      if (!answer.ok) return { kind: 'broken', where, reason: answer.reason };
      if (answer.view.crash) return { kind: 'broken', where, reason: `the Python probe crashed: ${answer.view.crash}` };
      return { kind: 'ran', where, view: answer.view, perRequestS };
    } catch (error) {
      return { kind: 'broken', where, reason: errorMessage(error) };
    }
  });
}

/** A CA bundle read where the gateway runs (through --exec: `PREFIX cat FILE`), split into blocks. Memoised per file; never rejects. */
export function containerBundle(ctx: CheckContext, file: string): Promise<BundleRead> {
  return ctx.memo(`runtime:bundle:${file}`, async (): Promise<BundleRead> => {
    const read = await runtimeHost(ctx)
      .then((host) => host.readFile(file))
      .catch((error: unknown): FileRead => ({ ok: false, message: errorMessage(error) }));
    if (!read.ok) return { file, readError: { code: read.code ?? 'EIO', message: read.message }, blocks: [], problems: [], certificates: [] };
    return bundleFromText(file, read.text);
  });
}

/** Message-table entries for a run without a view: python3 absent, the probe broken, AIGW_GITLAB_URL unset. Spread into a check's messages. */
export const VIEW_MESSAGES = {
  noPython: {
    status: 'skip',
    text: (d: { where: string; what: string }) => `python3 not found ${d.where}: cannot reproduce the gateway's own ${d.what}`,
  },
  probeBroken: {
    status: 'warn',
    text: (d: { where: string; reason: string }) => `the gateway's-view probe (python3 ${d.where}) gave no answer: ${d.reason}`,
    fix: (d: { where: string; reason: string }) => `Run python3 by hand ${d.where} (python3 -c "import ssl, requests") and fix what it says.`,
  },
  noGitlabUrl: {
    status: 'skip',
    text: (d: { where: string }) =>
      `AIGW_GITLAB_URL is not set in the environment ${d.where}: the gateway would use https://gitlab.com (see gateway-env)`,
  },
  notTheGateway,
} satisfies Messages;

/** The finding that ends the judgement when there is no view to judge; undefined when there is one. */
export function noViewFinding(result: GatewayViewResult, what: string): FindingOf<typeof VIEW_MESSAGES> | undefined {
  if (result.kind === 'not-the-gateway') return notTheGatewayFinding(result.hostname, `reproducing the gateway's ${what}`);
  if (result.kind === 'no-python')
    return {
      id: 'noPython',
      data: { where: result.where, what },
      details: [result.detail, "The AI gateway's image ships Python: point --exec at the gateway's container (docker exec, kubectl exec, oc exec)."],
    };
  if (result.kind === 'broken') return { id: 'probeBroken', data: { where: result.where, reason: result.reason } };
  if (!result.view.env.AIGW_GITLAB_URL) return { id: 'noGitlabUrl', data: { where: result.where } };
  return undefined;
}

/** Whether a URL is https. */
export function isHttps(url: string | undefined): boolean {
  return /^https:/i.test(url ?? '');
}

/** "Python 3.11.7 (OpenSSL 3.0.19 ...), inside docker exec gitlab-aigw". */
export function pythonLine(view: GatewayView, where: string): string {
  return `Python ${view.python} (${view.openssl}), ${where}, with the gateway's environment`;
}

function certificates(bundle: ProbeBundle): string {
  return `${bundle.certificates ?? '?'} CA certificate${bundle.certificates === 1 ? '' : 's'}`;
}

/** How Python loaded its CA bundle, in one line. */
export function bundleLine(bundle: ProbeBundle): string {
  if (bundle.source === 'default') {
    return `CA bundle: neither REQUESTS_CA_BUNDLE nor CURL_CA_BUNDLE is set and neither requests nor certifi is installed, so OpenSSL's default store stands in for certifi (${certificates(bundle)} loaded)`;
  }
  const named =
    bundle.source === 'certifi'
      ? `certifi's bundle ${bundle.file ?? ''} (neither REQUESTS_CA_BUNDLE nor CURL_CA_BUNDLE is set)`
      : `${bundle.source}=${bundle.file ?? ''}`;
  return bundle.loaded
    ? `CA bundle: ${named} loaded by Python (${certificates(bundle)})`
    : `CA bundle: ${named} NOT loaded by Python: ${bundle.error?.message ?? '?'}`;
}

/** "discovery: GET <url> → 200 in 12 ms", or the failure with Python's message verbatim. */
export function stepLine(label: string, step: ProbeStep): string {
  const hop = step.finalUrl && step.finalUrl !== step.url ? ` (redirected to ${redactUrl(step.finalUrl)})` : '';
  const end = step.error
    ? step.error.kind === 'http'
      ? `${step.error.message}`
      : `failed: ${step.error.type}: ${step.error.message}`
    : `${step.status ?? '?'}`;
  return `${label}: GET ${redactUrl(step.url)}${hop} → ${end} in ${step.elapsedMs} ms`;
}

/** Machine-readable facts of a probe run, URLs redacted. */
export function viewEvidence(view: GatewayView, where: string): Evidence {
  const step = (s: ProbeStep | undefined) => s && { ...s, url: redactUrl(s.url), ...(s.finalUrl ? { finalUrl: redactUrl(s.finalUrl) } : {}) };
  return {
    where,
    python: view.python,
    openssl: view.openssl,
    aigwGitlabUrl: view.env.AIGW_GITLAB_URL && redactUrl(view.env.AIGW_GITLAB_URL),
    bundle: view.bundle,
    ...(view.proxy ? { proxy: redactUrl(view.proxy) } : {}),
    ...(view.discovery ? { discovery: step(view.discovery) } : {}),
    ...(view.jwksUri ? { jwksUri: redactUrl(view.jwksUri) } : {}),
    ...(view.jwksUriProblem ? { jwksUriProblem: view.jwksUriProblem } : {}),
    ...(view.jwks ? { jwks: step(view.jwks) } : {}),
  };
}

/** The lines every gateway's-view check starts its details with. */
export function contextLines(view: GatewayView, where: string): string[] {
  const lines = [pythonLine(view, where), `HTTP client: ${view.client}`, bundleLine(view.bundle)];
  const { REQUESTS_CA_BUNDLE: requests, SSL_CERT_FILE: sslFile } = view.env;
  if (sslFile && sslFile !== view.bundle.file) {
    lines.push(`SSL_CERT_FILE=${sslFile} is not what the key fetch trusts: Python requests never reads SSL_CERT_FILE (LiteLLM's model calls do)`);
  } else if (requests && sslFile && requests !== sslFile) {
    lines.push(
      `REQUESTS_CA_BUNDLE (${requests}) and SSL_CERT_FILE (${sslFile}) name different files: Python's requests uses the first, LiteLLM the second (see ca-bundle)`,
    );
  }
  if (view.proxy) lines.push(`Through the proxy ${redactUrl(view.proxy)} (the proxy variables of the gateway's environment)`);
  if (view.discovery) lines.push(stepLine('OIDC discovery', view.discovery));
  if (view.jwksUriProblem) lines.push(`jwks_uri: ${view.jwksUriProblem}`);
  if (view.jwks) lines.push(stepLine('key set (jwks_uri)', view.jwks));
  return lines;
}
