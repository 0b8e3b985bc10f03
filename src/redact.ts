// Redaction of secrets in anything the tool prints (URL credentials, secret-looking query parameters, the token), and control characters made inert.

const SECRET_PARAM_NAMES = 'private_token|access_token|token|password|secret|key|api_key|apikey|sig|signature';
const SECRET_PARAMS = new RegExp(`^(${SECRET_PARAM_NAMES})$`, 'i');
// The value runs to the next parameter, fragment, space or quote; a colon ends it only before a space (a message's "url: why").
const SECRET_PARAMS_IN_TEXT = new RegExp(`([?&](?:${SECRET_PARAM_NAMES})=)(?:[^&#\\s:"'<>]|:(?!\\s|$))*`, 'gi');

/** `scheme://userinfo@` or, without a scheme, a leading `userinfo@` before the host: what redactUrl removes from a URL value. */
const LEADING_USERINFO = /^(\s*(?:[a-z][a-z0-9+.-]*:\/\/)?)[^/?#\s]*@/i;

/**
 * A URL value with its userinfo and secret query values replaced by `REDACTED`, parsed or not: `oauth2:TOKEN@host`
 * (no scheme, which `new URL` reads as scheme `oauth2:`) and malformed URLs lose everything before the host's `@` too.
 */
export function redactUrl(raw: string): string {
  const textual = raw.replace(LEADING_USERINFO, '$1REDACTED@').replace(SECRET_PARAMS_IN_TEXT, '$1REDACTED');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return textual;
  }
  if (!url.host) return textual;
  if (url.username) url.username = 'REDACTED';
  if (url.password) url.password = 'REDACTED';
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_PARAMS.test(name)) url.searchParams.set(name, 'REDACTED');
  }
  // Keep the caller's spelling when nothing changed (new URL() adds a trailing slash to bare origins).
  return url.href === new URL(raw).href ? raw : url.href;
}

/** `scheme://userinfo@` anywhere in a text. */
const USERINFO_WITH_SCHEME = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'<>`]*@/gi;
/** `user:password@host` without a scheme, after a word boundary a URL can start at (start, space, quote, `=`, `(`). */
const USERINFO_WITHOUT_SCHEME = /(^|[\s"'`(<=,;])[^\s/?#@:"'`<>()=,;]+:[^\s/?#"'`<>]*@(?=[\w[])/g;

/**
 * Free text (a report, a usage error, a plugin's message) with the userinfo of everything URL-shaped in it replaced by
 * `REDACTED`, parsed or not, and secret query values hidden. `user@host` without a password is left alone (an e-mail).
 */
export function redactText(text: string): string {
  return text
    .replace(USERINFO_WITH_SCHEME, '$1REDACTED@')
    .replace(USERINFO_WITHOUT_SCHEME, '$1REDACTED@')
    .replace(SECRET_PARAMS_IN_TEXT, '$1REDACTED');
}

/** The passwords (and tokens given as user names) inside URL-shaped values: secrets in their own right. */
export function urlSecrets(values: readonly (string | undefined)[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    const m = v ? /^\s*([a-z][a-z0-9+.-]*:\/\/)?([^/?#\s]*)@/i.exec(v) : null;
    if (!m?.[2]) continue;
    const [user, password] = m[2].split(/:(.*)/s);
    // A lone user name counts only in a real URL (`https://TOKEN@host`): without a scheme it may be an e-mail address.
    for (const part of password !== undefined ? [password] : m[1] ? [user] : []) {
      if (!part) continue;
      out.add(part);
      try {
        out.add(decodeURIComponent(part));
      } catch {
        // Not percent-encoded text: the raw form is enough.
      }
    }
  }
  return [...out];
}

/** Every string inside `value` (objects and arrays, recursively) redacted: URL userinfo and each of `secrets`. */
export function redactDeep<T>(value: T, secrets: readonly (string | undefined)[]): T {
  // One redactor for the whole tree: a fleet's run holds thousands of strings and a secret per target.
  const redact = secretRedactor(secrets);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(redactText(v));
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** A line break and the next line's indentation: what a wrapped dump or a folded header puts inside a secret. */
const LINE_BREAK = '(?:\\r?\\n[ \\t]*)?';

/** `secret` as a pattern (each UTF-16 unit written `\uXXXX`, so no character is special) that also matches it broken across lines. */
function acrossLines(secret: string): RegExp {
  return new RegExp(
    secret
      .split('')
      .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
      .join(LINE_BREAK),
    'g',
  );
}

/**
 * Replaces every occurrence of each secret in `text` by `[REDACTED]`, also one split across lines (a server that wraps
 * what it echoes, a folded header): the pieces of a token on consecutive lines are the token.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  return secretRedactor(secrets)(text);
}

/**
 * `redactSecrets` for one set of secrets, each pattern compiled once, for many texts. A text without a line break can
 * only hold a secret whole, so a plain substring search (no regular expression) decides it.
 */
export function secretRedactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const each = secrets.filter((s): s is string => s !== undefined && s.length >= 4).map((s) => ({ s, across: acrossLines(s) }));
  return (text) => {
    // Stryker disable next-line StringLiteral,ConditionalExpression: the fast path only; the pattern gives the same answer on one line
    const multiline = text.includes('\n');
    let out = text;
    for (const { s, across } of each) {
      // Stryker disable next-line ConditionalExpression: the fast path only; the pattern gives the same answer on one line
      if (multiline) out = out.replace(across, '[REDACTED]');
      // Stryker disable next-line ConditionalExpression: replaceAll of an absent secret changes nothing; the test spares the copy
      else if (out.includes(s)) out = out.replaceAll(s, '[REDACTED]');
    }
    return out;
  };
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
    // Stryker disable next-line EqualityOperator: CONTROLS matches no character at 0xff (C1 ends at 0x9f), so <= and < agree
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
