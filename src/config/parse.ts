// Value parsers for options, wherever the value comes from (a flag, the environment, the config file): each returns the
// typed value or throws a UsageError naming where the value came from. No parser ever echoes a secret.
import { redactUrl } from '../redact.js';
import { UsageError } from './errors.js';

/** A raw value as a flag (string, boolean, repeated strings) or the config file (its declared type) gives it. */
export type Raw = string | number | boolean | readonly string[];

/** Where a value came from, for messages ("--timeout", "DUO_DOCTOR_GITLAB_URL", "--config f.yaml: timeout"), and a channel for notes. */
export interface ParseContext {
  where: string;
  /** A remark about a value that was accepted after a correction (printed on stderr). */
  note(message: string): void;
}

/** The largest delay Node's timers honour (2^31-1 ms, about 24.8 days); a longer one silently fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function text(raw: Raw, ctx: ParseContext): string {
  if (typeof raw !== 'string') throw new UsageError(`${ctx.where}: expected a string`);
  if (raw.trim() === '') {
    throw new UsageError(`${ctx.where} is empty (an unset variable in a script?): give a value or leave the option out`);
  }
  return raw.trim();
}

/** A non-empty string. */
export function nonEmpty(raw: Raw, ctx: ParseContext): string {
  return text(raw, ctx);
}

/** A whole number in [min, max]. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: Raw, ctx: ParseContext): number => {
    const n = typeof raw === 'number' ? raw : Number(text(raw, ctx));
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(
        `${ctx.where} ${String(raw)}: expected a whole number ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`}`,
      );
    }
    return n;
  };
}

/**
 * A duration in milliseconds: `500ms`, `30s`, `5m`, `1h`, or a bare number in `bareUnit`. Bounded by `min` and by Node's
 * timer range: a longer delay would fire at once, so it is refused rather than clamped.
 */
export function duration(bareUnit: 'ms' | 's', min: number) {
  return (raw: Raw, ctx: ParseContext): number => {
    const given = typeof raw === 'number' ? String(raw) : text(raw, ctx);
    const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(given);
    if (!m) throw new UsageError(`${ctx.where} ${given}: expected a duration such as 500ms, 30s, 5m or 1h`);
    const ms = Math.round(Number(m[1]) * UNITS[m[2] ?? bareUnit]!);
    if (ms < min) throw new UsageError(`${ctx.where} ${given}: at least ${min} ms`);
    if (ms > MAX_TIMER_MS) throw new UsageError(`${ctx.where} ${given}: at most ${MAX_TIMER_MS} ms (about 24 days, the longest timer Node keeps)`);
    return ms;
  };
}

/** `x.y.z` (optionally `v`-prefixed, with a suffix such as `-ee`): what a version comparison needs. */
export function version(raw: Raw, ctx: ParseContext): string {
  const v = text(raw, ctx);
  if (!/^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(v)) throw new UsageError(`${ctx.where} ${v}: expected a version such as 18.7.0`);
  return v;
}

/**
 * An http(s) URL of a target. Both URL options validate the same way: parseable, http or https, a real port, and
 * credentials never echoed. `stripApi` drops a trailing `/api/v4` (GitLab's root is wanted; duo-doctor adds the path).
 */
export function targetUrl(options: { stripApi?: boolean } = {}) {
  return (raw: Raw, ctx: ParseContext): string => {
    const value = text(raw, ctx);
    const shown = redactUrl(value);
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new UsageError(`${ctx.where} ${shown}: not a URL (expected e.g. https://gitlab.example.com)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${ctx.where} ${shown}: must be an http:// or https:// URL`);
    if (url.port === '0') throw new UsageError(`${ctx.where} ${shown}: port 0 is not a port a server listens on`);
    if (options.stripApi && /\/api\/v4\/?$/.test(url.pathname)) {
      const root = value.replace(/\/api\/v4\/?(?=$|[?#])/, '');
      ctx.note(`${ctx.where} ends in /api/v4: using ${redactUrl(root)} (give GitLab's root URL; duo-doctor adds /api/v4 itself)`);
      return root;
    }
    return value;
  };
}

/** One of `choices`. */
export function oneOf<const T extends string>(choices: readonly T[]) {
  return (raw: Raw, ctx: ParseContext): T => {
    const v = text(raw, ctx);
    if (!(choices as readonly string[]).includes(v)) throw new UsageError(`${ctx.where} ${v}: expected one of ${choices.join(', ')}`);
    return v as T;
  };
}

/** A boolean: a flag's presence, or a config file's true/false. */
export function flag(raw: Raw, ctx: ParseContext): boolean {
  if (typeof raw !== 'boolean') throw new UsageError(`${ctx.where}: expected true or false`);
  return raw;
}

/** A list: repeated flags and comma-separated items, or a config file's list of strings; empty items are refused. */
export function list(raw: Raw, ctx: ParseContext): string[] {
  const items = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? (raw as readonly string[]) : undefined;
  if (!items) throw new UsageError(`${ctx.where}: expected a list of strings`);
  const out = items.flatMap((v) => v.split(',')).map((v) => v.trim());
  if (out.length === 0 || out.some((v) => v === ''))
    throw new UsageError(`${ctx.where} ${JSON.stringify(items.join(','))}: an empty item (an unset variable in a script?)`);
  return out;
}

/** A list whose every item is checked by `item`. */
export function listOf<T>(item: (raw: Raw, ctx: ParseContext) => T) {
  return (raw: Raw, ctx: ParseContext): T[] => {
    const values = Array.isArray(raw) ? (raw as readonly string[]) : [raw as string];
    if (values.length === 0) throw new UsageError(`${ctx.where}: an empty list`);
    return values.map((v) => item(v, ctx));
  };
}

/**
 * An HTTP header value: the token rides in `PRIVATE-TOKEN`. A line break or any other character a header cannot carry
 * would make every request fail as if GitLab were unreachable: refuse it naming the source, never the value.
 */
export function headerSafeToken(token: string, source: string): string {
  // RFC 9110 field-value: visible ASCII, obs-text (Latin-1), space and tab inside; Node refuses anything else.
  if (!/^[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?$/.test(token)) {
    throw new UsageError(
      `the GitLab token from ${source} holds a line break or another character an HTTP header cannot carry: store the token alone on one line`,
    );
  }
  return token;
}
