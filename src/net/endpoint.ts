// Where a TLS check connects: host and port from an http(s) URL.
import { redactUrl } from '../redact.js';

/** A URL's scheme, host (IPv6 without brackets) and port (defaulted from the scheme). */
export interface Endpoint {
  scheme: 'http' | 'https';
  host: string;
  port: number;
}

/** The endpoint of an http(s) URL, or a reason it has none. */
export function endpointOf(url: string): Endpoint | { problem: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: `${redactUrl(url)} is not a valid URL` };
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https') return { problem: `${redactUrl(url)} is not an http(s) URL` };
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port ? Number(parsed.port) : scheme === 'https' ? 443 : 80;
  return { scheme, host, port };
}

/** "host:port", with brackets around an IPv6 literal. */
export function formatEndpoint(e: Pick<Endpoint, 'host' | 'port'>): string {
  return `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;
}
