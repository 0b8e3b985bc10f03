// Removes secrets from what a recording keeps: header values, URL credentials and secret query values, JWT signatures,
// personal access tokens, secret-named JSON members, and every secret the run held (tokens of each target).
import { redactSecrets, redactUrl } from '../redact.js';

/** Headers whose values are credentials, in either direction. */
export const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'private-token',
  'job-token',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-gitlab-oidc-token',
  'x-gitlab-instance-token',
]);

/** JSON member names whose string values are credentials. */
const SECRET_MEMBERS =
  /^(token|access_token|private_token|refresh_token|id_token|password|secret|api_key|apikey|client_secret|signing_key|d|p|q|dp|dq|qi|k)$/i;

/** A JWT (three base64url parts, the first two JSON objects): its signature is what makes it usable, so that part goes. */
const JWT = /\b(eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,})\.[A-Za-z0-9_-]{8,}/g;

/** GitLab token prefixes (personal, project, group, OAuth, deploy, runner, CI job, feed, incoming mail, SCIM). */
const GITLAB_TOKEN = /\b(glpat|gloas|gldt|glrt|glcbt|glptt|glft|glimt|glsoat|glagent|glffct|gltst)-[A-Za-z0-9_.-]{10,}/g;

/** A PEM private key of any kind (a signing key read from the gateway's environment, say). */
const PRIVATE_KEY_PEM = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;

export const REDACTED = '[REDACTED]';

function isJwt(text: string): boolean {
  return /^eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(text);
}

/** Text with every secret this module knows removed; JWTs keep their header and claims (public facts a judge reads). */
export function scrubText(text: string, secrets: readonly string[]): string {
  return redactSecrets(text, secrets)
    .replace(PRIVATE_KEY_PEM, REDACTED)
    .replace(JWT, `$1.${REDACTED}`)
    .replace(GITLAB_TOKEN, REDACTED)
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi, '$1REDACTED@')
    .replace(/([?&](?:private_token|access_token|token|password|secret|api_key|apikey|sig|signature)=)[^&#\s"']*/gi, `$1${REDACTED}`);
}

/** A URL with credentials and secret query values removed. */
export function scrubUrl(url: string, secrets: readonly string[]): string {
  return scrubText(redactUrl(url), secrets);
}

/** Header values with credentials replaced (the header stays, so a reader sees it was sent). */
export function scrubHeaders(headers: Record<string, string>, secrets: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : scrubText(value, secrets)]),
  );
}

/** Any JSON value with secrets removed: secret-named members emptied, every string scrubbed. */
export function scrubJson(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, secrets));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      // A secret-named JWT keeps its claims (scrubText drops its signature); any other secret-named string goes whole.
      Object.entries(value).map(([k, v]) => [
        k,
        SECRET_MEMBERS.test(k) && typeof v === 'string' && v !== '' && !isJwt(v) ? REDACTED : scrubJson(v, secrets),
      ]),
    );
  }
  return value;
}

/** A body: JSON bodies member by member, anything else as text. */
export function scrubBody(body: string, secrets: readonly string[]): string {
  const trimmed = body.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(scrubJson(JSON.parse(trimmed), secrets));
    } catch {
      // Not JSON after all: scrubbed as text below.
    }
  }
  return scrubText(body, secrets);
}
