// Redaction of secrets in anything the tool prints (URL credentials, secret-looking query parameters, the token), and control characters made inert.

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

/** Characters a terminal acts on (C0 controls but tab and line feed, DEL, C1 controls) and bidirectional overrides ("Trojan Source"). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text a server may have written (a page title, a kid, a certificate name) made inert for a terminal or a log: every
 * control character shown as `\xNN` / `\uNNNN`, so an ANSI escape cannot repaint the report. A single line (the
 * default) has its line breaks folded into spaces, so a forged line cannot pass for a result.
 */
export function inertText(text: string, multiline = false): string {
  const lines = multiline ? text : text.replace(/\r\n|\r|\n/g, ' ');
  return lines.replace(CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
