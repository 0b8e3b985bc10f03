// gateway-url: an AI gateway URL is configured, is http(s), and is not a loopback address GitLab would call itself on.
import { defineCheck, type CheckContext } from '../src/check.js';
import type { CheckOutcome } from '../src/model.js';
import { isLoopbackHost } from '../src/net/loopback.js';
import { gitlabPost, resolveGatewayUrl, type GatewayUrlResolution } from '../src/probes/gitlab-api.js';
import { parseJson } from '../src/probes/http.js';
import { redactUrl } from '../src/redact.js';
import { hostnameOf } from '../src/net/url.js';

/** GitLab's own wording when the setting is blank (rake gitlab:duo:verify_self_hosted_setup). */
export const BLANK_MESSAGE = "Set the 'ai_gateway_url' application setting to point to your AI Gateway instance";
/** GitLab's own wording for a non-HTTP(S) URL. */
export const FORMAT_MESSAGE = 'Invalid AI Gateway URL format: URL must be HTTP or HTTPS';
/** The install guide's prerequisite. */
export const LOCALHOST_MESSAGE = 'Use a valid hostname that is accessible in your network. Do not use localhost.';

const HOW_TO_SET = [
  "Set GitLab's AI gateway URL to the gateway's network address (default port 5052):",
  '  Admin area > GitLab Duo > Change configuration > Local AI Gateway URL, or',
  "  sudo gitlab-rails runner \"Ai::Setting.instance.update!(ai_gateway_url: 'http://ai-gateway-host.example.com:5052')\"",
].join('\n');

const SOURCES: Record<GatewayUrlResolution['source'], string> = {
  flag: '--gateway-url',
  env: 'AI_GATEWAY_URL',
  config: 'the config file',
  gitlab: "GitLab's setting (duoSettings.aiGatewayUrl)",
  none: 'nowhere',
};

export { isLoopbackHost };


/**
 * Where GitLab runs: its own host name (`host_name` of code_suggestions/connection_details, i.e. its external URL's host)
 * when the token can read it — GitLab may be reached here through a tunnel on 127.0.0.1 — else --gitlab-url's host.
 */
async function gitlabHost(ctx: CheckContext): Promise<{ host?: string; from: string }> {
  const fromUrl = { host: hostnameOf(ctx.settings.gitlabUrl ?? '') || undefined, from: '--gitlab-url' };
  if (!ctx.settings.gitlabUrl || !ctx.settings.gitlabToken) return fromUrl;
  const ex = await gitlabPost(ctx, '/api/v4/code_suggestions/connection_details', {});
  const parsed = ex.ok && ex.response.status < 300 ? parseJson(ex.response) : undefined;
  const hostName = parsed?.ok ? (parsed.value as { host_name?: unknown } | null)?.host_name : undefined;
  return typeof hostName === 'string' && hostName ? { host: hostName, from: "GitLab's own host name (connection_details)" } : fromUrl;
}

export default defineCheck({
  id: 'gateway-url',
  title: 'An AI gateway URL is configured',
  category: 'network',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  needs: ['gateway'],
  explain: {
    checks:
      'Where the AI gateway URL comes from (--gateway-url, else AI_GATEWAY_URL, else GitLab\'s own setting read through GraphQL ' +
      '`duoSettings.aiGatewayUrl` with the admin token), that it is set, that it is an http(s) URL, and that it does not point at ' +
      'localhost / 127.0.0.0/8 / ::1 / 0.0.0.0 while GitLab runs elsewhere (GitLab\'s own host name from code_suggestions/connection_details, ' +
      'else the --gitlab-url host).',
    failsWhen:
      `The setting is blank ("${BLANK_MESSAGE}"); the URL is not http(s) ("${FORMAT_MESSAGE}"); or it names a loopback address ` +
      'while GitLab is on another host: GitLab would then call itself, not the gateway. With GitLab on this host it passes with a note ' +
      '(it breaks as soon as GitLab or the gateway runs in a container).',
    fix: `${HOW_TO_SET}\n${LOCALHOST_MESSAGE}`,
  },
  async run(ctx): Promise<CheckOutcome> {
    const resolved = await resolveGatewayUrl(ctx);
    const from = SOURCES[resolved.source];
    if (!resolved.url) {
      // The setting is known to be blank, or nothing says where the gateway is.
      const couldNotRead = resolved.source === 'none';
      return {
        status: 'fail',
        summary: couldNotRead ? `The AI gateway URL is unknown: ${resolved.detail ?? 'no source gave one'}` : BLANK_MESSAGE,
        details: resolved.detail && !couldNotRead ? [resolved.detail] : [],
        remediation: couldNotRead
          ? `Pass --gateway-url (or AI_GATEWAY_URL), or fix GitLab access (see gitlab-reachable) so its setting can be read.\n${HOW_TO_SET}`
          : HOW_TO_SET,
        evidence: { source: resolved.source },
      };
    }

    const shown = redactUrl(resolved.url);
    let url: URL | undefined;
    try {
      url = new URL(resolved.url);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      return {
        status: 'fail',
        summary: FORMAT_MESSAGE,
        details: [`AI gateway URL from ${from}: ${shown}`, url ? `Scheme "${url.protocol}" is not http: or https:` : 'It does not parse as a URL'],
        remediation: `Use a full URL such as http://ai-gateway-host.example.com:5052 (or https:// behind a TLS proxy).\n${HOW_TO_SET}`,
        evidence: { url: shown, source: resolved.source },
      };
    }

    const details = [`Source: ${from}`];
    const evidence = { url: shown, source: resolved.source };
    if (isLoopbackHost(url.hostname)) {
      const gitlab = await gitlabHost(ctx);
      if (gitlab.host && !isLoopbackHost(gitlab.host)) {
        return {
          status: 'fail',
          summary: `AI Gateway URL ${shown} points at localhost: GitLab (${gitlab.host}) would call itself, not the gateway`,
          details: [
            ...details,
            `"${url.hostname}" is a loopback address: it means "this machine" to whoever resolves it, and GitLab runs on ${gitlab.host} (${gitlab.from}).`,
          ],
          remediation: `${LOCALHOST_MESSAGE}\n${HOW_TO_SET}`,
          evidence: { ...evidence, gitlabHost: gitlab.host },
        };
      }
      // GitLab on this host (or unknown): the loopback URL can work, but say what it depends on.
      details.push(
        gitlab.host
          ? `Loopback address: works only while GitLab (${gitlab.host}, on this host) and the gateway share one network; not across containers or hosts. ${LOCALHOST_MESSAGE}`
          : `Loopback address: GitLab's host is not known here, and GitLab can use this URL only if it runs on this same host. ${LOCALHOST_MESSAGE}`,
      );
    }
    return { status: 'pass', summary: `AI Gateway URL configured: ${shown}`, details, evidence };
  },
});
