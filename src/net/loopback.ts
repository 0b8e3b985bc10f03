// Whether a host name or address means "this machine" (localhost, 127.0.0.0/8, ::1, 0.0.0.0).
import { isIP } from 'node:net';

/** True for localhost names, the IPv4 loopback range, ::1 (and its IPv4-mapped form) and the unspecified addresses. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === 'localhost.localdomain') return true;
  if (isIP(h) === 4) return h.startsWith('127.') || h === '0.0.0.0';
  if (isIP(h) === 6) return h === '::1' || h === '::' || /^::ffff:127\./.test(h) || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(h);
  return false;
}
