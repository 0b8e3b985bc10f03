// gateway-url: which AI gateway URL GitLab uses (its ai_gateway_url setting, nothing else), whether it is a usable
// http(s) URL, and whether the URL this run checks is that one — worded as the rake task of GitLab's version words it.
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { ADMIN_AI_GATEWAY_URL } from '../src/data/admin-paths.js';
import { rakeEra, rakeWording, type RakeEra } from '../src/judge/rake.js';
import { isLoopbackHost } from '../src/net/loopback.js';
import { hostnameOf } from '../src/net/url.js';
import { gatewayTarget, gitlabHostName, gitlabMetadata, targetSourceName, type GatewayTarget } from '../src/probes/gitlab-api.js';
import { redactUrl } from '../src/redact.js';

/** The install guide's prerequisite. */
export const LOCALHOST_MESSAGE = 'Use a valid hostname that is accessible in your network. Do not use localhost.';

const howToSet = (url = 'http://ai-gateway-host.example.com:5052') =>
  [
    "Set GitLab's AI gateway URL to the gateway's network address (default port 5052), with no trailing slash:",
    `  ${ADMIN_AI_GATEWAY_URL}, or`,
    `  sudo gitlab-rails runner "Ai::Setting.instance.update!(ai_gateway_url: '${url}')"`,
    'GitLab reads only this setting; an AI_GATEWAY_URL environment variable on GitLab seeds it once, when the setting is first created.',
  ].join('\n');

/** What gateway-url judges. */
export interface Facts {
  /** GitLab's version (GET /api/v4/metadata), when known: it picks the rake task's wording. */
  gitlabVersion?: string;
  target: GatewayTarget;
  /** Where GitLab runs, for a loopback URL: its own host name, else --gitlab-url's host. */
  gitlabHost?: { host: string; from: 'connection_details' | '--gitlab-url' };
}

interface Named {
  url: string;
  source: string;
  era: RakeEra;
}

export const messages = {
  configured: { status: 'pass', text: (d: Named) => rakeWording(d.era).urlConfigured(d.url) },
  configuredUnverified: {
    status: 'pass',
    text: (d: Named) => `AI gateway URL ${d.url} (from ${d.source}); GitLab's own ai_gateway_url setting was not read (no GitLab URL and token)`,
  },
  blank: { status: 'fail', text: (d: { era: RakeEra }) => rakeWording(d.era).blankUrl, fix: () => howToSet() },
  unknown: {
    status: 'fail',
    text: (d: { reason: string }) => `The AI gateway URL is unknown: no --gateway-url or AI_GATEWAY_URL, and ${d.reason}`,
    fix: `Pass --gateway-url (or AI_GATEWAY_URL), or fix GitLab access (see gitlab-reachable) so its setting can be read.\n${howToSet()}`,
  },
  invalidFormat: {
    status: 'fail',
    text: (d: Named) => `${rakeWording(d.era).invalidUrl} (${d.url}, from ${d.source})`,
    fix: `Use a full URL such as http://ai-gateway-host.example.com:5052 (or https:// behind a TLS proxy).\n${howToSet()}`,
  },
  gitlabBlank: {
    status: 'fail',
    text: (d: Named) =>
      `GitLab's ai_gateway_url setting is blank; you are checking ${d.url} (from ${d.source}), which GitLab does not use — ${rakeWording(d.era).blankUrl}`,
    fix: (d: Named) => howToSet(d.url),
  },
  differs: {
    status: 'warn',
    text: (d: Named & { gitlabUrl: string }) => `GitLab is configured with ${d.gitlabUrl}; you are checking ${d.url} (from ${d.source})`,
    fix: (d: Named & { gitlabUrl: string }) =>
      `GitLab sends every request to ${d.gitlabUrl}. If that is wrong, point it at the gateway:\n${howToSet(d.url)}\n` +
      'If it is right, run duo-doctor without --gateway-url / AI_GATEWAY_URL so the checks exercise the URL GitLab uses.',
  },
  settingUnread: {
    status: 'warn',
    text: (d: Named & { reason: string }) =>
      `Checking ${d.url} (from ${d.source}); GitLab's own ai_gateway_url setting could not be read: ${d.reason}`,
    fix: 'Give duo-doctor an administrator token (GITLAB_TOKEN) so it can compare with the URL GitLab uses (see gitlab-reachable).',
  },
  trailingSlash: {
    status: 'warn',
    text: (d: { gitlabUrl: string }) =>
      `GitLab's ai_gateway_url ends with "/" (${d.gitlabUrl}): GitLab appends its paths, so it requests //monitoring/healthz and //v2/code/completions, which the gateway does not route`,
    fix: (d: { gitlabUrl: string }) => howToSet(d.gitlabUrl.replace(/\/+$/, '')),
  },
  loopbackElsewhere: {
    status: 'fail',
    text: (d: { url: string; gitlabHost: string }) =>
      `AI Gateway URL ${d.url} points at localhost: GitLab (${d.gitlabHost}) would call itself, not the gateway`,
    fix: `${LOCALHOST_MESSAGE}\n${howToSet()}`,
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

/** The URL as GitLab would compare it: scheme and host lower-case, default port dropped, no trailing slash. */
function normalised(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}${u.search}`;
    // Stryker disable all: only GitLab's setting can be unparsable, and it never equals the URL checked, which parses
  } catch {
    return url.trim().replace(/\/+$/, '');
  }
  // Stryker restore all
}

function httpUrl(url: string): URL | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

/** Judges the URL GitLab uses and the URL this run checks. Pure. */
export function judge(f: Facts): Judgement<typeof messages> {
  const era = rakeEra(f.gitlabVersion);
  const { target } = f;
  const setting = target.gitlabSetting;
  const details = [`Checking: ${target.url ? redactUrl(target.url) : '(no URL)'} (from ${targetSourceName(target)})`];
  details.push(
    setting.state === 'set'
      ? `GitLab's ai_gateway_url setting: ${redactUrl(setting.url)}`
      : setting.state === 'blank'
        ? "GitLab's ai_gateway_url setting: blank"
        : `GitLab's ai_gateway_url setting: unknown (${setting.reason})`,
  );
  const evidence = {
    url: target.url ? redactUrl(target.url) : null,
    source: target.source,
    gitlabSetting: setting.state === 'set' ? redactUrl(setting.url) : setting.state,
    rakeEra: era,
    ...(f.gitlabVersion ? { gitlabVersion: f.gitlabVersion } : {}),
  };
  if (!target.url) {
    const finding: Finding =
      setting.state === 'blank'
        ? { id: 'blank', data: { era } }
        : // Stryker disable next-line ConditionalExpression,StringLiteral: a set setting always gives the target its URL
          { id: 'unknown', data: { reason: setting.state === 'unknown' ? setting.reason : '' } };
    return {
      findings: [finding],
      details,
      evidence: { ...evidence, rakeDiagnostics: { ai_gateway_url: { status: 'ERROR', url: null, error: 'AI Gateway URL not configured' } } },
    };
  }

  const shown = redactUrl(target.url);
  const named: Named = { url: shown, source: targetSourceName(target), era };
  const parsed = httpUrl(target.url);
  if (!parsed) {
    return {
      findings: [{ id: 'invalidFormat', data: named }],
      details,
      evidence: {
        ...evidence,
        rakeDiagnostics: { ai_gateway_url: { status: 'ERROR', url: shown, error: 'Invalid URL format: URL must be HTTP or HTTPS' } },
      },
    };
  }

  const findings: Finding[] = [];
  // Stryker disable next-line ConditionalExpression,StringLiteral: a target from GitLab's setting is its URL, so the two are equal anyway
  const usedByGitlab = target.source === 'gitlab-setting' || (setting.state === 'set' && normalised(setting.url) === normalised(target.url));
  if (usedByGitlab) findings.push({ id: 'configured', data: named });
  else if (setting.state === 'blank') findings.push({ id: 'gitlabBlank', data: named });
  else if (setting.state === 'set') findings.push({ id: 'differs', data: { ...named, gitlabUrl: redactUrl(setting.url) } });
  // Stryker disable next-line Regex: gitlabAiGatewaySetting's reason starts so
  else if (/^no GitLab URL and administrator token/.test(setting.reason)) findings.push({ id: 'configuredUnverified', data: named });
  else findings.push({ id: 'settingUnread', data: { ...named, reason: setting.reason } });

  // Stryker disable next-line ConditionalExpression,LogicalOperator: an unset setting has no URL, which httpUrl rejects
  if (setting.state === 'set' && httpUrl(setting.url) && setting.url.endsWith('/')) {
    findings.push({ id: 'trailingSlash', data: { gitlabUrl: redactUrl(setting.url) } });
  }

  if (isLoopbackHost(parsed.hostname)) {
    if (f.gitlabHost && !isLoopbackHost(f.gitlabHost.host)) {
      findings.push({ id: 'loopbackElsewhere', data: { url: shown, gitlabHost: f.gitlabHost.host } });
    } else {
      details.push(
        f.gitlabHost
          ? `Loopback address: works only while GitLab (${f.gitlabHost.host}, on this host) and the gateway share one network; not across containers or hosts. ${LOCALHOST_MESSAGE}`
          : `Loopback address: GitLab's host is not known here, and GitLab can use this URL only if it runs on this same host. ${LOCALHOST_MESSAGE}`,
      );
    }
  }
  return { findings, details, evidence: { ...evidence, rakeDiagnostics: { ai_gateway_url: urlDiagnostics(f, findings, named) } } };
}

/** The rake task's `ai_gateway_url` diagnostics — of GitLab's setting, the URL GitLab uses — plus the URL this run checked. */
function urlDiagnostics(f: Facts, findings: readonly Finding[], named: Named): Record<string, unknown> {
  const setting = f.target.gitlabSetting;
  const checked = { checked_url: named.url, checked_from: named.source };
  if (setting.state === 'blank') return { status: 'ERROR', url: null, error: 'AI Gateway URL not configured', ...checked };
  // Stryker disable next-line StringLiteral: diagnostics are built only for a target with a URL
  const raw = setting.state === 'set' ? setting.url : (f.target.url ?? '');
  const used = httpUrl(raw);
  if (!used) return { status: 'ERROR', url: redactUrl(raw), ...checked };
  const statuses = findings.map((x) => messages[x.id].status as string);
  return {
    status: statuses.includes('fail') ? 'ERROR' : statuses.includes('warn') ? 'WARNING' : 'OK',
    url: redactUrl(raw),
    scheme: used.protocol.slice(0, -1),
    host: used.hostname,
    port: Number(used.port || (used.protocol === 'https:' ? 443 : 80)),
    ...(setting.state === 'unknown' ? { gitlab_setting: 'unknown' } : {}),
    ...checked,
  };
}

export default defineCheck({
  id: 'gateway-url',
  title: 'GitLab has an AI gateway URL, and it is the one checked',
  category: 'network',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  needs: ['gateway'],
  explain: {
    checks:
      "GitLab's own ai_gateway_url setting (GraphQL duoSettings.aiGatewayUrl, admin token) — the only URL GitLab uses — and the URL this run " +
      "checks (--gateway-url, else AI_GATEWAY_URL, else the config file, else GitLab's setting): set, http(s), the same, no trailing slash, and " +
      "not a loopback address while GitLab runs elsewhere. Messages follow the rake task of GitLab's version.",
    failsWhen:
      'GitLab\'s setting is blank (the rake task\'s "Set ... to point to your AI Gateway instance"); the URL is not http(s); it names localhost ' +
      'while GitLab runs on another host. Warns when the URL checked is not the one GitLab uses ("GitLab is configured with X; you are ' +
      'checking Y"), when GitLab\'s setting cannot be read, and when it ends with "/".',
    fix: howToSet(),
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const [target, metadata] = await Promise.all([gatewayTarget(ctx), gitlabMetadata(ctx)]);
    const facts: Facts = { target, ...(metadata.version ? { gitlabVersion: metadata.version } : {}) };
    if (!target.url || !isLoopbackHost(hostnameOf(target.url))) return facts;
    const own = ctx.settings.gitlabToken ? await gitlabHostName(ctx) : undefined;
    const fromUrl = hostnameOf(ctx.settings.gitlabUrl ?? '');
    const gitlabHost = own
      ? { host: own, from: 'connection_details' as const }
      : fromUrl
        ? { host: fromUrl, from: '--gitlab-url' as const }
        : undefined;
    return gitlabHost ? { ...facts, gitlabHost } : facts;
  },
  // Stryker restore all
  judge,
});
