// One TLS trust store per CA list, shared by every connection that trusts it: building one parses each certificate again.
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

/** By list identity (a memoised trust's `ca` is one array for the whole run), then by content (a copy of it). */
const byList = new WeakMap<readonly string[], SecureContext>();
const byContent = new Map<string, SecureContext>();

/**
 * Whether Node's default store is exactly `tls.rootCertificates`: not when NODE_EXTRA_CA_CERTS adds to it or a flag
 * swaps in the operating system's store (then a list must be built as given, or it would trust more than it says).
 */
const defaultStoreIsBundled =
  !process.env.NODE_EXTRA_CA_CERTS &&
  ![...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((arg) => /^--use-(openssl|system)-ca$/.test(arg));

/** The extra certificates of a list that starts with Node's bundled roots (system roots plus a CA file), else undefined. */
function extrasOverBundledRoots(ca: readonly string[]): readonly string[] | undefined {
  if (!defaultStoreIsBundled || ca.length < rootCertificates.length) return undefined;
  return rootCertificates.every((root, i) => ca[i] === root) ? ca.slice(rootCertificates.length) : undefined;
}

function build(ca: readonly string[]): SecureContext {
  const extras = extrasOverBundledRoots(ca);
  if (!extras) return createSecureContext({ ca: [...ca] });
  // Node's default store holds the same roots, already parsed once per process: add only the extras to it
  // (parsing ~150 roots through `ca` costs ~20 ms of CPU, right before a run's first exchange).
  const context = createSecureContext();
  for (const pem of extras) context.context.addCACert(pem);
  return context;
}

/**
 * The secure context trusting exactly `ca` (PEMs), as `tls.connect({ ca })` would build it — but built once: with
 * Node's ~150 roots plus a private CA, each build costs milliseconds of CPU, and a run opens dozens of connections.
 */
export function secureContextFor(ca: readonly string[]): SecureContext {
  let context = byList.get(ca);
  if (!context) {
    const key = ca.join('\n');
    context = byContent.get(key) ?? build(ca);
    byContent.set(key, context);
    byList.set(ca, context);
  }
  return context;
}
