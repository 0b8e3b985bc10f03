// Gathers what the TLS endpoint checks judge: the URL's endpoint, one memoised handshake, and the trust of the side that
// connects — as recorded facts (PEM strings, times as numbers). Gathering only: the judging is in src/judge/tls-endpoint.ts.
import { rootCertificates } from 'node:tls';
import type { CheckContext } from '../check.js';
import type { EndpointFacts, TrustFacts } from '../judge/tls-endpoint.js';
import { endpointOf } from '../net/endpoint.js';
import { tlsChain } from '../probes/tls.js';
import { readBundle, type BundleRead, type Trust, type TrustSource } from '../probes/trust.js';
import { redactUrl } from '../redact.js';

const SYSTEM_ROOTS = new Set(rootCertificates);

/** A probe's Trust as facts: Node's roots are named by a flag, not copied into every recorded run. */
export function trustFacts(trust: Trust, systemRoots: boolean): TrustFacts {
  const withSystem = systemRoots || trust.source.kind === 'system';
  return {
    source: trust.source,
    certificates: withSystem ? trust.ca.filter((pem) => !SYSTEM_ROOTS.has(pem)) : trust.ca,
    systemRoots: withSystem,
    problems: trust.problems,
  };
}

/** The trust a CA bundle alone gives (it replaces the system roots, as for Python's ssl and requests). */
export function bundleTrustFacts(kind: TrustSource['kind'], read: BundleRead): TrustFacts {
  return {
    source: { kind, file: read.file },
    certificates: read.certificates,
    systemRoots: false,
    problems: read.readError ? [`${read.file}: ${read.readError.message}`] : read.problems.map((p) => `${read.file}: ${p}`),
  };
}

/** The system roots alone. */
export const SYSTEM_TRUST: TrustFacts = { source: { kind: 'system' }, certificates: [], systemRoots: true, problems: [] };

/**
 * The facts for the endpoint behind `url`, judged with the trust `trust` gives (asked for only when there is a handshake to
 * judge). --ca-file's certificates are recorded as `known` when the trust judged is not --ca-file itself.
 */
export async function endpointFacts(ctx: CheckContext, url: string, trust: () => Promise<TrustFacts>): Promise<EndpointFacts> {
  const endpoint = endpointOf(url);
  const base = { url: redactUrl(url), endpoint, now: Date.now(), expiryWarnDays: ctx.settings.expiryWarnDays };
  if ('problem' in endpoint || endpoint.scheme === 'http') return base;
  const [handshake, judgedTrust] = await Promise.all([tlsChain(ctx, endpoint), trust()]);
  const { caFile } = ctx.settings;
  const known =
    caFile && judgedTrust.source.kind !== '--ca-file'
      ? { where: `--ca-file ${caFile}`, certificates: (await readBundle(ctx, caFile)).certificates }
      : undefined;
  return { ...base, handshake, trust: judgedTrust, ...(known ? { known } : {}) };
}
