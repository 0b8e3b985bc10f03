// gateway-env: the gateway's AIGW_* environment points at this GitLab, ends right, and does not bypass auth.
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { envLookup, parsePydanticBool } from '../src/judge/pydantic-bool.js';
import { isLoopbackHost } from '../src/net/loopback.js';
import { redactUrl } from '../src/redact.js';
import { gatewayEnv, runtimeHost } from '../src/runtime/host.js';

/** The variables judged, by the name the gateway reads (pydantic-settings matches names case-insensitively). */
const READ = [
  'AIGW_GITLAB_URL',
  'AIGW_GITLAB_API_URL',
  'AIGW_AUTH__BYPASS_EXTERNAL',
  'AIGW_AUTH__BYPASS_EXTERNAL_WITH_HEADER',
  'AIGW_AUTH__BYPASS_JWT_SIGNATURE',
  'AIGW_CUSTOM_MODELS__ENABLED',
] as const;
type Read = (typeof READ)[number];

/** What the judge reads: never a secret (the self-signed keys only as set / not set). */
export interface Facts {
  /** "this host" or the --exec prefix. */
  where: string;
  /** Whether the environment is read inside a container (--exec): loopback there is the container itself. */
  remote: boolean;
  /** Names of the AIGW_* variables present, sorted. */
  present: string[];
  /** The judged variables that are set, by canonical name (URLs redacted of credentials). */
  values: Partial<Record<Read, string>>;
  signingKeySet: boolean;
  /** --gitlab-url, when given. */
  expectedGitlabUrl?: string;
}

type Url = { value: string };
type Switch = { name: string; value: string };

const RESTART = 'then restart the gateway.';

export const messages = {
  notGatewayEnv: {
    status: 'skip',
    text: (d: { where: string }) => `no AIGW_* variables in the environment of ${d.where}: not the gateway's environment`,
  },
  consistent: {
    status: 'pass',
    text: (d: { url: string; api: string; checked: boolean }) =>
      `AIGW_GITLAB_URL=${d.url} and AIGW_GITLAB_API_URL=${d.api} are consistent${d.checked ? ' with the GitLab checked' : ''}`,
  },
  gitlabUrlUnset: {
    status: 'fail',
    // ai_gateway/config.py Config.gitlab_url = "https://gitlab.com" (flyisland/ai-gateway aec48795e, 95a8d76dd).
    text: () =>
      "AIGW_GITLAB_URL is not set: the gateway uses its default, https://gitlab.com, fetches GitLab.com's signing keys instead of this GitLab's, " +
      'and so refuses every token this GitLab signs: every Duo request through it fails authentication',
    fix: `Set AIGW_GITLAB_URL=https://<your_gitlab_domain> on the gateway, ${RESTART}`,
  },
  gitlabUrlNotHttp: {
    status: 'fail',
    text: (d: Url) => `AIGW_GITLAB_URL=${d.value} is not an http(s) URL`,
    fix: "Set AIGW_GITLAB_URL to GitLab's external URL, e.g. https://gitlab.example.com.",
  },
  gitlabUrlOtherInstance: {
    status: 'fail',
    text: (d: { value: string; expected: string }) =>
      `AIGW_GITLAB_URL=${d.value} is not the GitLab being checked (${d.expected}): the gateway fetches signing keys from the wrong instance`,
    fix: (d: { value: string; expected: string }) => `Set AIGW_GITLAB_URL=${d.expected.replace(/\/$/, '')} on the gateway, ${RESTART}`,
  },
  gitlabUrlLoopback: {
    status: 'warn',
    text: (d: { host: string }) => `AIGW_GITLAB_URL uses ${d.host}: inside a container that is the container itself, not GitLab`,
    fix: "Use GitLab's real hostname in AIGW_GITLAB_URL.",
  },
  apiUrlUnset: {
    status: 'warn',
    text: () => 'AIGW_GITLAB_API_URL is not set: the gateway uses its default, https://gitlab.com/api/v4/',
    fix: 'Set AIGW_GITLAB_API_URL=https://<your_gitlab_domain>/api/v4/ (with the trailing slash), as the install guide does.',
  },
  apiUrlNotHttp: {
    status: 'fail',
    text: (d: { value: string; wanted: string }) => `AIGW_GITLAB_API_URL=${d.value} is not an http(s) URL`,
    fix: (d: { value: string; wanted: string }) => `Set AIGW_GITLAB_API_URL=${d.wanted}.`,
  },
  apiUrlNoSlash: {
    status: 'fail',
    text: (d: { value: string; wanted: string }) =>
      `AIGW_GITLAB_API_URL=${d.value} does not end with /api/v4/ — without the trailing slash, Python's urljoin drops the last path segment`,
    fix: (d: { value: string; wanted: string }) => `Set AIGW_GITLAB_API_URL=${d.wanted}.`,
  },
  apiUrlMismatch: {
    status: 'fail',
    text: (d: { value: string; wanted: string }) => `AIGW_GITLAB_API_URL=${d.value} does not belong to AIGW_GITLAB_URL (expected ${d.wanted})`,
    fix: (d: { value: string; wanted: string }) => `Set AIGW_GITLAB_API_URL=${d.wanted}.`,
  },
  bypassExternal: {
    status: 'fail',
    text: (d: Switch) => `${d.name}=${d.value} is on: the gateway accepts every request without a token (security finding)`,
    fix: (d: Switch) => `Remove ${d.name} (a test and development switch), ${RESTART}`,
  },
  bypassExternalWithHeader: {
    status: 'fail',
    text: (d: Switch) => `${d.name}=${d.value} is on: anyone who sends the header "Bypass-Auth: true" skips authentication (security finding)`,
    fix: (d: Switch) => `Remove ${d.name} (a test and development switch), ${RESTART}`,
  },
  bypassJwtSignature: {
    status: 'fail',
    text: (d: Switch) => `${d.name}=${d.value} is on: the gateway does not verify token signatures, so forged tokens are accepted (security finding)`,
    fix: (d: Switch) => `Remove ${d.name} (a test and development switch), ${RESTART}`,
  },
  notABoolean: {
    status: 'fail',
    text: (d: Switch) =>
      `${d.name}=${JSON.stringify(d.value)} is not a boolean to the gateway's settings (pydantic): the gateway refuses to start ("Input should be a valid boolean")`,
    fix: (d: Switch) => `Set ${d.name} to true or false (pydantic also reads 1/0, yes/no, on/off, t/f, y/n in any case), or remove it; ${RESTART}`,
  },
  customModelsOff: {
    status: 'warn',
    text: (d: Switch) => `${d.name}=${d.value}: self-hosted models are disabled on the gateway`,
    fix: 'Set AIGW_CUSTOM_MODELS__ENABLED=true when GitLab uses self-hosted models.',
  },
  signingKeyUnset: {
    status: 'warn',
    text: () =>
      'AIGW_SELF_SIGNED_JWT__SIGNING_KEY is not set: the gateway cannot mint the user tokens GitLab\'s direct_access hands to IDEs ("Failed to generate JWT")',
    fix: 'Set AIGW_SELF_SIGNED_JWT__SIGNING_KEY and AIGW_SELF_SIGNED_JWT__VALIDATION_KEY to PEM RSA private keys (`openssl genrsa 2048`), then restart the gateway.',
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

function parseUrl(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

/** "https://host/gitlab/" and "https://host/gitlab" name the same instance. */
function sameInstance(a: URL, b: URL): boolean {
  const strip = (u: URL) => `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  return strip(a) === strip(b);
}

const SWITCHES = [
  ['AIGW_AUTH__BYPASS_EXTERNAL', 'bypassExternal'],
  ['AIGW_AUTH__BYPASS_EXTERNAL_WITH_HEADER', 'bypassExternalWithHeader'],
  ['AIGW_AUTH__BYPASS_JWT_SIGNATURE', 'bypassJwtSignature'],
] as const;

function urlFindings(facts: Facts, gitlabUrl: URL | undefined, expected: URL | undefined): Finding[] {
  const raw = facts.values.AIGW_GITLAB_URL;
  if (raw === undefined) return [{ id: 'gitlabUrlUnset' }];
  if (!gitlabUrl || !/^https?:$/.test(gitlabUrl.protocol)) return [{ id: 'gitlabUrlNotHttp', data: { value: raw } }];
  const out: Finding[] = [];
  if (expected && !sameInstance(gitlabUrl, expected))
    out.push({ id: 'gitlabUrlOtherInstance', data: { value: redactUrl(gitlabUrl.href), expected: redactUrl(expected.href) } });
  if (isLoopbackHost(gitlabUrl.hostname) && facts.remote) out.push({ id: 'gitlabUrlLoopback', data: { host: gitlabUrl.hostname } });
  return out;
}

function apiFindings(facts: Facts, gitlabUrl: URL | undefined, expected: URL | undefined): Finding[] {
  const raw = facts.values.AIGW_GITLAB_API_URL;
  if (raw === undefined) return [{ id: 'apiUrlUnset' }];
  const api = parseUrl(raw);
  const base = gitlabUrl ?? expected;
  const wanted = base ? `${base.href.replace(/\/+$/, '')}/api/v4/` : undefined;
  if (!api || !/^https?:$/.test(api.protocol))
    return [{ id: 'apiUrlNotHttp', data: { value: raw, wanted: redactUrl(wanted ?? 'https://<your_gitlab_domain>/api/v4/') } }];
  if (!api.pathname.endsWith('/api/v4/'))
    return [{ id: 'apiUrlNoSlash', data: { value: raw, wanted: redactUrl(wanted ?? `${api.origin}/api/v4/`) } }];
  if (wanted && api.href !== wanted) return [{ id: 'apiUrlMismatch', data: { value: raw, wanted: redactUrl(wanted) } }];
  return [];
}

/** Each bypass switch as pydantic reads it: on is a security failure, a value it refuses stops the gateway. */
function switchFindings(facts: Facts): Finding[] {
  return SWITCHES.flatMap(([name, id]): Finding[] => {
    const value = facts.values[name];
    const parsed = parsePydanticBool(value);
    if (parsed.kind === 'invalid') return [{ id: 'notABoolean', data: { name, value: parsed.raw } }];
    return parsed.kind === 'bool' && parsed.value ? [{ id, data: { name, value: value as string } }] : [];
  });
}

/** Pure: the gateway's environment judged against the GitLab checked. */
export function judge(facts: Facts): Judgement<typeof messages> {
  if (facts.present.length === 0) {
    return {
      findings: [{ id: 'notGatewayEnv', data: { where: facts.where } }],
      details: ['Run duo-doctor on the gateway host, or point --exec at its container (e.g. --exec "docker exec gitlab-aigw").'],
    };
  }
  const gitlabUrl = facts.values.AIGW_GITLAB_URL !== undefined ? parseUrl(facts.values.AIGW_GITLAB_URL) : undefined;
  const expected = facts.expectedGitlabUrl ? parseUrl(facts.expectedGitlabUrl) : undefined;
  const custom = parsePydanticBool(facts.values.AIGW_CUSTOM_MODELS__ENABLED);
  const findings: Finding[] = [
    ...urlFindings(facts, gitlabUrl, expected),
    ...apiFindings(facts, gitlabUrl, expected),
    ...switchFindings(facts),
    ...(custom.kind === 'invalid' ? [{ id: 'notABoolean' as const, data: { name: 'AIGW_CUSTOM_MODELS__ENABLED', value: custom.raw } }] : []),
    ...(custom.kind === 'bool' && !custom.value
      ? [{ id: 'customModelsOff' as const, data: { name: 'AIGW_CUSTOM_MODELS__ENABLED', value: facts.values.AIGW_CUSTOM_MODELS__ENABLED ?? '' } }]
      : []),
    ...(facts.signingKeySet ? [] : [{ id: 'signingKeyUnset' as const }]),
  ];
  const evidence = {
    where: facts.where,
    variables: Object.fromEntries(facts.present.map((k) => [k, (facts.values as Record<string, string>)[k] ?? '(set)'])),
  };
  const details = [`Read from ${facts.where}: ${facts.present.join(', ')}.`];
  if (!findings.length) {
    const url = redactUrl(facts.values.AIGW_GITLAB_URL ?? '');
    return {
      findings: [{ id: 'consistent', data: { url, api: redactUrl(facts.values.AIGW_GITLAB_API_URL ?? ''), checked: Boolean(expected) } }],
      details,
      evidence,
    };
  }
  return { findings, details, evidence };
}

export default defineCheck({
  id: 'gateway-env',
  title: "The gateway's AIGW_* settings point at this GitLab",
  category: 'runtime',
  dependsOn: ['runtime-host'],
  tags: ['ci', 'oncall', 'pre-upgrade', 'security'],
  explain: {
    checks:
      "Reads the gateway's environment (this process's, or the container's with --exec) as its settings library does: AIGW_GITLAB_URL is set, is http(s), and names " +
      'the same instance as --gitlab-url; AIGW_GITLAB_API_URL is <AIGW_GITLAB_URL>/api/v4/ with its trailing slash; none of the three auth bypass switches ' +
      '(AIGW_AUTH__BYPASS_EXTERNAL, AIGW_AUTH__BYPASS_EXTERNAL_WITH_HEADER, AIGW_AUTH__BYPASS_JWT_SIGNATURE) is on, each read as pydantic reads a boolean ' +
      '(1/0, true/false, t/f, yes/no, y/n, on/off in any case); AIGW_CUSTOM_MODELS__ENABLED is true; the gateway has its AIGW_SELF_SIGNED_JWT__SIGNING_KEY.',
    failsWhen:
      'The gateway would fetch keys from, or call, another GitLab than the one issuing tokens (unset means gitlab.com); the API URL lacks its trailing slash (Python\'s urljoin then drops "v4"); ' +
      'authentication is bypassed (for everyone, for anyone sending "Bypass-Auth: true", or by not verifying signatures); or a switch holds a value pydantic refuses (the gateway does not start).',
    fix:
      'docker run ... -e AIGW_GITLAB_URL=https://<your_gitlab_domain> -e AIGW_GITLAB_API_URL=https://<your_gitlab_domain>/api/v4/ ' +
      '(Helm: --set gitlab.url=... --set gitlab.apiUrl=.../api/v4/), remove every AIGW_AUTH__BYPASS_* variable, then restart the gateway.',
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const [host, env] = await Promise.all([runtimeHost(ctx), gatewayEnv(ctx)]);
    const values: Partial<Record<Read, string>> = {};
    for (const name of READ) {
      const found = envLookup(env, name);
      if (found) values[name] = name.endsWith('_URL') ? redactUrl(found.value) : found.value;
    }
    return {
      where: host.label,
      remote: host.label !== 'this host',
      present: Object.keys(env)
        .filter((k) => k.toUpperCase().startsWith('AIGW_'))
        .sort(),
      values,
      signingKeySet: Boolean(envLookup(env, 'AIGW_SELF_SIGNED_JWT__SIGNING_KEY')?.value),
      ...(ctx.settings.gitlabUrl ? { expectedGitlabUrl: ctx.settings.gitlabUrl } : {}),
    };
  },
  // Stryker restore all
  judge,
});
