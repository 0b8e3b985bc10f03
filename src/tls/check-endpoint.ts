// The body gitlab-tls and gateway-tls share: from a URL and a trust list to a judged outcome (one handshake per host).
import type { CheckContext } from '../check.js';
import type { CheckOutcome } from '../model.js';
import { redactUrl } from '../redact.js';
import { tlsChain } from '../probes/tls.js';
import { readBundle, type Trust } from '../probes/trust.js';
import { endpointOf } from './endpoint.js';
import { tlsOutcome, type TrustingClient } from './outcome.js';

/** Which server a TLS check judges, and as whom. */
export interface TlsCheckTarget {
  url: string;
  /** As messages name it: "GitLab", "The AI gateway". */
  serverName: string;
  client: TrustingClient;
  trust(ctx: CheckContext): Promise<Trust>;
}

/** Judges the certificate chain behind an https URL; a plain http URL is a skip (nothing to judge). */
export async function judgeTlsEndpoint(ctx: CheckContext, target: TlsCheckTarget): Promise<CheckOutcome> {
  const endpoint = endpointOf(target.url);
  if ('problem' in endpoint) return { status: 'skip', summary: endpoint.problem };
  if (endpoint.scheme === 'http') {
    return { status: 'skip', summary: `${target.serverName} is served over plain http (${redactUrl(target.url)}): no certificate to judge` };
  }
  const [facts, trust] = await Promise.all([tlsChain(ctx, endpoint), target.trust(ctx)]);
  // --ca-file that is not the trust judged (the gateway's own bundle is) may still hold the root the gateway lacks: name it.
  const caFile = ctx.settings.caFile;
  const known = caFile && trust.source.kind !== '--ca-file' ? { where: `--ca-file ${caFile}`, certificates: (await readBundle(ctx, caFile)).certificates } : undefined;
  return tlsOutcome(facts, trust, {
    client: target.client,
    serverName: target.serverName,
    now: new Date(),
    expiryWarnDays: ctx.settings.expiryWarnDays,
    ...(known ? { known } : {}),
  });
}
