// Redaction of secrets in anything the tool prints: URL credentials and secret-looking query parameters, and the token.

const SECRET_PARAM_NAMES = 'private_token|access_token|token|password|secret|key|api_key|apikey|sig|signature';
const SECRET_PARAMS = new RegExp(`^(${SECRET_PARAM_NAMES})$`, 'i');
const SECRET_PARAMS_IN_TEXT = new RegExp(`([?&](?:${SECRET_PARAM_NAMES})=)[^&#\\s]*`, 'gi');

/** A URL with its userinfo and secret query values replaced by `REDACTED`; text that does not parse as a URL keeps all but its userinfo. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // A malformed URL is still echoed in error messages: drop anything that looks like `scheme://user:pass@`.
    return raw.replace(/^(\s*[a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/i, '$1REDACTED@').replace(SECRET_PARAMS_IN_TEXT, '$1REDACTED');
  }
  if (url.username) url.username = 'REDACTED';
  if (url.password) url.password = 'REDACTED';
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_PARAMS.test(name)) url.searchParams.set(name, 'REDACTED');
  }
  // Keep the caller's spelling when nothing changed (new URL() adds a trailing slash to bare origins).
  return url.href === new URL(raw).href ? raw : url.href;
}

/** Replaces every occurrence of each secret in `text` by `[REDACTED]`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[REDACTED]');
  return out;
}
