// gateway-env: the gateway's AIGW_* environment points at this GitLab, ends right, and does not bypass auth.
import { defineCheck } from '../src/check.js';
import type { Status } from '../src/model.js';
import { gatewayEnv, runtimeHost } from '../src/runtime/host.js';
import { isLoopbackHost } from '../src/net/loopback.js';
import { redactUrl } from '../src/redact.js';

interface Finding {
  status: Exclude<Status, 'pass' | 'skip' | 'error'>;
  text: string;
  fix: string;
}

const TRUE = /^(true|1|yes|on)$/i;

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

export default defineCheck({
  id: 'gateway-env',
  title: "The gateway's AIGW_* settings point at this GitLab",
  category: 'runtime',
  dependsOn: ['runtime-host'],
  tags: ['ci', 'oncall', 'pre-upgrade', 'security'],
  explain: {
    checks:
      "Reads the gateway's environment (this process's, or the container's with --exec): AIGW_GITLAB_URL is set, is http(s), and names " +
      'the same instance as --gitlab-url; AIGW_GITLAB_API_URL is <AIGW_GITLAB_URL>/api/v4/ with its trailing slash; ' +
      'AIGW_AUTH__BYPASS_EXTERNAL is not on; AIGW_CUSTOM_MODELS__ENABLED is true for self-hosted models.',
    failsWhen:
      'The gateway would fetch keys from, or call, another GitLab than the one issuing tokens (every request then fails ' +
      '"Forbidden by auth provider"); the API URL lacks its trailing slash (Python\'s urljoin then drops "v4"); or authentication is bypassed.',
    fix:
      'docker run ... -e AIGW_GITLAB_URL=https://<your_gitlab_domain> -e AIGW_GITLAB_API_URL=https://<your_gitlab_domain>/api/v4/ ' +
      '(Helm: --set gitlab.url=... --set gitlab.apiUrl=.../api/v4/), remove AIGW_AUTH__BYPASS_EXTERNAL, then restart the gateway.',
  },
  async run(ctx) {
    const [host, env] = await Promise.all([runtimeHost(ctx), gatewayEnv(ctx)]);
    const present = Object.keys(env).filter((k) => k.startsWith('AIGW_')).sort();
    if (present.length === 0) {
      return {
        status: 'skip',
        summary: `no AIGW_* variables in the environment of ${host.label}: not the gateway's environment`,
        details: ['Run duo-doctor on the gateway host, or point --exec at its container (e.g. --exec "docker exec gitlab-aigw").'],
      };
    }
    const findings: Finding[] = [];
    const gitlabUrlRaw = env.AIGW_GITLAB_URL;
    const gitlabUrl = gitlabUrlRaw ? parseUrl(gitlabUrlRaw) : undefined;
    const expected = ctx.settings.gitlabUrl ? parseUrl(ctx.settings.gitlabUrl) : undefined;
    if (!gitlabUrlRaw) {
      findings.push({
        status: 'fail',
        text: 'AIGW_GITLAB_URL is not set: the gateway does not know which GitLab issues its tokens',
        fix: 'Set AIGW_GITLAB_URL=https://<your_gitlab_domain> on the gateway and restart it.',
      });
    } else if (!gitlabUrl || !/^https?:$/.test(gitlabUrl.protocol)) {
      findings.push({
        status: 'fail',
        text: `AIGW_GITLAB_URL=${redactUrl(gitlabUrlRaw)} is not an http(s) URL`,
        fix: 'Set AIGW_GITLAB_URL to GitLab\'s external URL, e.g. https://gitlab.example.com.',
      });
    } else {
      if (expected && !sameInstance(gitlabUrl, expected)) {
        findings.push({
          status: 'fail',
          text: `AIGW_GITLAB_URL=${redactUrl(gitlabUrl.href)} is not the GitLab being checked (${redactUrl(expected.href)}): the gateway fetches signing keys from the wrong instance`,
          fix: `Set AIGW_GITLAB_URL=${redactUrl(expected.href.replace(/\/$/, ''))} on the gateway and restart it.`,
        });
      }
      if (isLoopbackHost(gitlabUrl.hostname) && host.label !== 'this host') {
        findings.push({
          status: 'warn',
          text: `AIGW_GITLAB_URL uses ${gitlabUrl.hostname}: inside a container that is the container itself, not GitLab`,
          fix: "Use GitLab's real hostname in AIGW_GITLAB_URL.",
        });
      }
    }
    const apiRaw = env.AIGW_GITLAB_API_URL;
    if (!apiRaw) {
      findings.push({
        status: 'warn',
        text: 'AIGW_GITLAB_API_URL is not set',
        fix: 'Set AIGW_GITLAB_API_URL=https://<your_gitlab_domain>/api/v4/ (with the trailing slash), as the install guide does.',
      });
    } else {
      const api = parseUrl(apiRaw);
      const base = gitlabUrl ?? expected;
      const wanted = base ? `${base.href.replace(/\/+$/, '')}/api/v4/` : undefined;
      if (!api || !/^https?:$/.test(api.protocol)) {
        findings.push({ status: 'fail', text: `AIGW_GITLAB_API_URL=${redactUrl(apiRaw)} is not an http(s) URL`, fix: `Set AIGW_GITLAB_API_URL=${redactUrl(wanted ?? 'https://<your_gitlab_domain>/api/v4/')}.` });
      } else if (!api.pathname.endsWith('/api/v4/')) {
        findings.push({
          status: 'fail',
          text: `AIGW_GITLAB_API_URL=${redactUrl(apiRaw)} does not end with /api/v4/ — without the trailing slash, Python's urljoin drops the last path segment`,
          fix: `Set AIGW_GITLAB_API_URL=${redactUrl(wanted ?? `${api.origin}/api/v4/`)}.`,
        });
      } else if (wanted && api.href !== wanted) {
        findings.push({
          status: 'fail',
          text: `AIGW_GITLAB_API_URL=${redactUrl(apiRaw)} does not belong to AIGW_GITLAB_URL (expected ${redactUrl(wanted)})`,
          fix: `Set AIGW_GITLAB_API_URL=${redactUrl(wanted)}.`,
        });
      }
    }
    if (TRUE.test(env.AIGW_AUTH__BYPASS_EXTERNAL ?? '')) {
      findings.push({
        status: 'fail',
        text: 'AIGW_AUTH__BYPASS_EXTERNAL is on: the gateway accepts every request without a token (security finding)',
        fix: 'Remove AIGW_AUTH__BYPASS_EXTERNAL (it is for troubleshooting only) and restart the gateway.',
      });
    }
    const custom = env.AIGW_CUSTOM_MODELS__ENABLED;
    if (custom !== undefined && !TRUE.test(custom)) {
      findings.push({
        status: 'warn',
        text: `AIGW_CUSTOM_MODELS__ENABLED=${custom}: self-hosted models are disabled on the gateway`,
        fix: 'Set AIGW_CUSTOM_MODELS__ENABLED=true when GitLab uses self-hosted models.',
      });
    }
    const evidence = {
      where: host.label,
      variables: Object.fromEntries(present.map((k) => [k, k === 'AIGW_GITLAB_URL' || k === 'AIGW_GITLAB_API_URL' || k.startsWith('AIGW_AUTH') || k.startsWith('AIGW_CUSTOM') ? redactUrl(env[k] ?? '') : '(set)'])),
    };
    const worst = findings.some((f) => f.status === 'fail') ? 'fail' : findings.length ? 'warn' : 'pass';
    if (worst === 'pass') {
      return {
        status: 'pass',
        summary: `AIGW_GITLAB_URL=${redactUrl(gitlabUrlRaw ?? '')} and AIGW_GITLAB_API_URL=${redactUrl(apiRaw ?? '')} are consistent${expected ? ' with the GitLab checked' : ''}`,
        details: [`Read from ${host.label}: ${present.join(', ')}.`],
        evidence,
      };
    }
    const first = findings.find((f) => f.status === worst)!;
    return {
      status: worst,
      summary: findings.length > 1 ? `${first.text} (and ${findings.length - 1} more)` : first.text,
      details: [`Read from ${host.label}.`, ...findings.map((f) => `${f.status === 'fail' ? '✗' : '⚠'} ${f.text}`)],
      remediation: findings.map((f) => f.fix).join('\n'),
      evidence,
    };
  },
});
