// Which proxy, if any, a URL goes through given an environment's HTTP(S)_PROXY / ALL_PROXY / NO_PROXY.
import { BlockList, isIP } from 'node:net';
import type { Env } from '../config/settings.js';
import { redactUrl } from '../redact.js';

/** The proxy decision for one URL, with the variables that led to it (proxy credentials redacted where printed). */
export interface ProxyDecision {
  /** The proxy URL requests to this URL go through (normalised, credentials kept: it is used, not printed); undefined = direct. */
  proxy?: string;
  /** The variable the proxy came from (`https_proxy`, `HTTPS_PROXY`, `ALL_PROXY`, ...). */
  variable?: string;
  /** The NO_PROXY value read, and from which variable. */
  noProxy?: { variable: string; value: string };
  /** The NO_PROXY entry that sent this URL direct although a proxy variable is set. */
  bypassedBy?: string;
  /** Every proxy-related variable that is set, value redacted, for reports. */
  variables: Record<string, string>;
}

/** The variables read, in the order they are looked up (lower case first, as curl, Python and Ruby do). */
const PROXY_VARIABLES = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'] as const;
const NO_PROXY_VARIABLES = ['no_proxy', 'NO_PROXY'] as const;
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** The first variable among `names` with a non-blank value. */
function firstSet(env: Env, names: readonly string[]): { variable: string; value: string } | undefined {
  for (const variable of names) {
    const value = env[variable]?.trim();
    if (value) return { variable, value };
  }
  return undefined;
}

/** A proxy value as a URL: curl and Python assume `http://` when the scheme is missing. */
function normaliseProxy(value: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
}

/** Host and port of a NO_PROXY entry: `host`, `host:port`, `[v6]:port`, bare v6, or a CIDR. */
function parseEntry(raw: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : undefined };
  if (isIP(raw) === 6 || raw.includes('/')) return { host: raw };
  const withPort = /^(.+):(\d+)$/.exec(raw);
  if (withPort) return { host: withPort[1]!, port: Number(withPort[2]) };
  return { host: raw };
}

/** Whether an IP literal `host` lies in the CIDR `entry` (`10.0.0.0/8`, `fd00::/8`). */
function inCidr(host: string, entry: string): boolean {
  const [network, bitsText] = entry.split('/');
  const bits = Number(bitsText);
  const family = isIP(network ?? '');
  const hostFamily = isIP(host);
  if (!network || !family || !hostFamily || !Number.isInteger(bits)) return false;
  const list = new BlockList();
  try {
    list.addSubnet(network, bits, family === 6 ? 'ipv6' : 'ipv4');
    return list.check(host, hostFamily === 6 ? 'ipv6' : 'ipv4');
  } catch {
    return false;
  }
}

/**
 * The NO_PROXY entry covering `host:port`, or undefined. Matches as curl (7.86+) and undici do, plus Python's CIDR:
 * `*` covers everything; `example.com`, `.example.com` and `*.example.com` cover the domain and its subdomains;
 * `host:port` only that port; IP literals exactly or by CIDR. Case and a trailing dot are ignored.
 */
export function noProxyMatch(host: string, port: number, noProxy: string): string | undefined {
  const name = host
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  for (const raw of noProxy.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return raw.trim();
    const parsed = parseEntry(entry);
    if (parsed.port !== undefined && parsed.port !== port) continue;
    const target = parsed.host.replace(/^\*?\./, '').replace(/\.$/, '');
    if (!target) continue;
    if (target.includes('/')) {
      if (inCidr(name, target)) return raw.trim();
    } else if (name === target || (!isIP(name) && name.endsWith(`.${target}`))) {
      return raw.trim();
    }
  }
  return undefined;
}

/**
 * The proxy a request to `url` goes through under `env`. Scheme-specific variables first (`http_proxy` for http,
 * `https_proxy` for https — no fallback from https to http_proxy, as curl, Python and Ruby behave), then `all_proxy`;
 * lower-case spelling wins over upper-case. NO_PROXY then decides.
 */
export function proxyFor(url: string | URL, env: Env): ProxyDecision {
  const variables: Record<string, string> = {};
  for (const name of [...PROXY_VARIABLES, ...NO_PROXY_VARIABLES]) {
    const value = env[name]?.trim();
    if (value) variables[name] = name.toLowerCase() === 'no_proxy' ? value : redactUrl(normaliseProxy(value));
  }
  const noProxy = firstSet(env, NO_PROXY_VARIABLES);
  const decision: ProxyDecision = { variables, ...(noProxy ? { noProxy } : {}) };

  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return decision;
  }
  const scheme = parsed.protocol === 'https:' ? 'https' : parsed.protocol === 'http:' ? 'http' : undefined;
  if (!scheme) return decision;
  const chosen = firstSet(env, [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`, 'all_proxy', 'ALL_PROXY']);
  if (!chosen) return decision;

  const port = Number(parsed.port) || DEFAULT_PORTS[parsed.protocol] || 0;
  const bypassedBy = noProxy ? noProxyMatch(parsed.hostname, port, noProxy.value) : undefined;
  if (bypassedBy) return { ...decision, bypassedBy };
  return { ...decision, proxy: normaliseProxy(chosen.value), variable: chosen.variable };
}
