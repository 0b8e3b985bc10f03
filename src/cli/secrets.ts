// Every secret a run holds, for output redaction: the GitLab token of the run and of each installation, and the
// passwords inside the URLs it was given (flags, config, and the URL variables of the environment).
import type { Settings } from '../config/settings.js';
import { urlSecrets } from '../redact.js';

/** Variables that hold URLs which may carry credentials. */
const URL_VARIABLES = [
  'AIGW_GITLAB_URL',
  'AIGW_GITLAB_API_URL',
  'AI_GATEWAY_URL',
  'DUO_DOCTOR_GITLAB_URL',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'all_proxy',
];

function secretsOfOne(s: Settings): string[] {
  return [...(s.gitlabToken ? [s.gitlabToken] : []), ...urlSecrets([s.gitlabUrl, s.gatewayUrl, ...URL_VARIABLES.map((v) => s.env[v])])];
}

export function secretsOf(settings: Settings): string[] {
  return [...new Set([...secretsOfOne(settings), ...(settings.installations ?? []).flatMap((i) => secretsOfOne(i.settings))])];
}
