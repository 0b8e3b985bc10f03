// Whether a host name or address means "this machine" (localhost, 127.0.0.0/8, ::1, 0.0.0.0): one rule for every check.
import { isIP } from 'node:net';

/**
 * True for localhost names (localhost, *.localhost, localhost.localdomain, ip6-localhost, ip6-loopback; any case, a
 * trailing dot ignored), the IPv4 loopback range, ::1 and IPv4-mapped 127.x (dotted, or as the URL parser writes it:
 * ::ffff:7f00:1), and the unspecified addresses 0.0.0.0 and ::. Brackets of a URL's IPv6 host are ignored.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback'].includes(h) || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.') || h === '0.0.0.0';
  if (isIP(h) === 6) return h === '::1' || h === '::' || /^(0+:){7}0*1$/.test(h) || /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(h);
  return false;
}
