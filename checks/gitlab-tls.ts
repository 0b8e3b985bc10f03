// gitlab-tls: the chain GitLab serves, judged as the AI gateway trusts it — with the gateway's own CA bundle where the gateway
// runs (--exec, or a host whose environment is the gateway's), else with what the user describes (--ca-file).
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { endpointMessages, judgeEndpoint, type ChainData, type EndpointFacts, type TrustFacts } from '../src/judge/tls-endpoint.js';
import { RUN_WHERE_THE_GATEWAY_RUNS } from '../src/judge/runtime-place.js';
import { readBundle, gatewayTrust } from '../src/probes/trust.js';
import { containerBundle } from '../src/runtime/gateway-view.js';
import { gatewayEnv, runtimePlace } from '../src/runtime/host.js';
import { bundleTrustFacts, endpointFacts, SYSTEM_TRUST, trustFacts } from '../src/tls/endpoint-facts.js';

const SERVER = 'GitLab';

/**
 * Whose trust was judged: `gateway` — the gateway's own (its container's bundle variables, or this host's when its environment
 * is the gateway's); `described` — --ca-file standing for the gateway's bundle; `unknown` — neither: the image's default roots.
 */
export type TrustBasis = 'gateway' | 'described' | 'unknown';

export const messages = {
  ...endpointMessages('gateway'),
  gatewayTrustUnknown: {
    status: 'skip',
    text: (d: ChainData) =>
      `${d.server}: ${d.verdict.message}. Whether the gateway trusts that CA depends on its own CA bundle, which is not known on this host: ` +
      "give it with --ca-file (the file the gateway's SSL_CERT_FILE/REQUESTS_CA_BUNDLE name), or run where the gateway runs",
  },
} satisfies Messages;

/** The endpoint facts, whose trust the judged trust is, and this host's own bundle variables (not the gateway's, so unused). */
export type Facts = EndpointFacts & { basis: TrustBasis; ignored: string[] };

const BASIS_LINES: Record<TrustBasis, string> = {
  gateway: "the gateway's own CA bundle variables (or its default roots when it sets none)",
  described: "--ca-file, standing for the gateway's CA bundle: give the gateway that file in both SSL_CERT_FILE and REQUESTS_CA_BUNDLE",
  unknown: "the image's default roots: this host is not where the gateway runs and no --ca-file describes the gateway's bundle",
};

export function judge(facts: Facts): Judgement<typeof messages> {
  const j = judgeEndpoint(facts, SERVER, 'gateway');
  // Off the gateway with no bundle described, a private CA is not the gateway's problem to be judged here: say what is unknown.
  const findings = j.findings.map((f): FindingOf<typeof messages> =>
    facts.basis === 'unknown' && f.id === 'untrustedRoot' && !f.data.verdict.publicRoot
      ? { id: 'gatewayTrustUnknown', data: f.data, details: [...RUN_WHERE_THE_GATEWAY_RUNS] }
      : f,
  );
  const ignored = facts.ignored.length
    ? [
        `${facts.ignored.join(' and ')} of this host ${facts.ignored.length > 1 ? 'are' : 'is'} not the gateway's and ${facts.ignored.length > 1 ? 'were' : 'was'} not used.`,
      ]
    : [];
  return {
    findings,
    details: [...j.details, ...(facts.trust ? [`judged with ${BASIS_LINES[facts.basis]}`] : []), ...ignored],
    ...(j.evidence ? { evidence: { ...j.evidence, basis: facts.basis } } : {}),
  };
}

// Stryker disable all: gather's own helper (I/O through probes); the integration tier tests it
/** The gateway's trust, from where it runs; else what the user describes; else the image's default roots. */
async function trustOfTheGateway(ctx: Parameters<typeof runtimePlace>[0]): Promise<{ trust: TrustFacts; basis: TrustBasis }> {
  const place = runtimePlace(ctx);
  if (place.kind === 'exec') {
    const env = await gatewayEnv(ctx);
    const kind = env.REQUESTS_CA_BUNDLE ? 'REQUESTS_CA_BUNDLE' : env.SSL_CERT_FILE ? 'SSL_CERT_FILE' : undefined;
    if (!kind) return { trust: SYSTEM_TRUST, basis: 'gateway' };
    return { trust: bundleTrustFacts(kind, await containerBundle(ctx, env[kind] ?? '')), basis: 'gateway' };
  }
  if (place.kind === 'gateway-env') {
    const trust = await gatewayTrust(ctx);
    return { trust: trustFacts(trust, false), basis: trust.source.kind === '--ca-file' ? 'described' : 'gateway' };
  }
  const { caFile } = ctx.settings;
  if (caFile) return { trust: bundleTrustFacts('--ca-file', await readBundle(ctx, caFile)), basis: 'described' };
  return { trust: SYSTEM_TRUST, basis: 'unknown' };
}
// Stryker restore all

export default defineCheck({
  id: 'gitlab-tls',
  title: "GitLab's certificate chain, as the AI gateway trusts it",
  category: 'tls',
  tags: ['ci', 'oncall', 'pre-upgrade', 'security'],
  needs: ['gitlab'],
  explain: {
    checks:
      'One TLS handshake with the GitLab URL (no token needed); the chain GitLab sends is judged against the trust the gateway uses: ' +
      "where the gateway runs (--exec, or this host when its environment is the gateway's) the bundle its REQUESTS_CA_BUNDLE, else " +
      "SSL_CERT_FILE names (read there), else its default roots; anywhere else --ca-file stands for the gateway's bundle, and without it " +
      "a private CA is reported as unknown rather than judged (this host's own bundle variables are not the gateway's). A root --ca-file " +
      'holds is named as the one to add. Every verdict is reported together: self-signed leaf, private CA trusted or not, missing ' +
      'intermediate, expired / not yet valid / expiring within --expiry-warn-days (default 30) for every certificate, host name not in ' +
      'subjectAltName, SHA-1 signature or RSA key under 2048 bits.',
    failsWhen:
      'GitLab serves a self-signed certificate (the gateway does not support it: ai-assist issue 799), a chain whose root the bundle lacks ' +
      '(the gateway logs "[SSL: CERTIFICATE_VERIFY_FAILED] ... self-signed certificate in certificate chain"), a chain without its ' +
      'intermediate, an expired or not-yet-valid certificate, or a certificate that does not name the GitLab host. Warns on expiry soon, ' +
      'SHA-1 and small RSA keys. Skips for an http:// GitLab URL.',
    fix:
      'Use a certificate from a private CA and put its root in the bundle named by both SSL_CERT_FILE and REQUESTS_CA_BUNDLE (Helm chart: ' +
      'the workaround in ai-gateway-helm-chart issue 3); serve the full chain (nginx ssl_certificate = fullchain.pem); renew expired ' +
      'certificates; reissue with a subjectAltName that includes the host.',
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const url = ctx.settings.gitlabUrl as string; // needs: ['gitlab'] guarantees it
    let basis: TrustBasis = 'unknown';
    const facts = await endpointFacts(ctx, url, async () => {
      const found = await trustOfTheGateway(ctx);
      basis = found.basis;
      return found.trust;
    });
    const ignored =
      runtimePlace(ctx).kind === 'elsewhere' ? (['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE'] as const).filter((v) => ctx.settings.env[v]) : [];
    return { ...facts, basis, ignored: [...ignored] };
  },
  // Stryker restore all
  judge,
});
