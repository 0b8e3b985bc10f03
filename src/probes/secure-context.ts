// One TLS trust store per CA list, shared by every connection that trusts it: building one parses each certificate again.
import { createSecureContext, type SecureContext } from 'node:tls';

/** By list identity (a memoised trust's `ca` is one array for the whole run), then by content (a copy of it). */
const byList = new WeakMap<readonly string[], SecureContext>();
const byContent = new Map<string, SecureContext>();

/**
 * The secure context trusting exactly `ca` (PEMs), as `tls.connect({ ca })` would build it — but built once: with
 * Node's ~150 roots plus a private CA, each build costs milliseconds of CPU, and a run opens dozens of connections.
 */
export function secureContextFor(ca: readonly string[]): SecureContext {
  let context = byList.get(ca);
  if (!context) {
    const key = ca.join('\n');
    context = byContent.get(key) ?? createSecureContext({ ca: [...ca] });
    byContent.set(key, context);
    byList.set(ca, context);
  }
  return context;
}
