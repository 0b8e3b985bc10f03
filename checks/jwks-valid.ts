// jwks-valid: the key set the gateway fetched holds keys it can verify GitLab's RS256 tokens with.
import { defineCheck } from '../src/check.js';
import { judgeKeySet, MIN_RSA_BITS, type KeyReport, type KeySetJudgement } from '../src/jwks/keyset.js';
import type { CheckOutcome } from '../src/model.js';
import { fetchJwks } from '../src/probes/jwks.js';

const EMPTY_CONSEQUENCE =
  'With no key the gateway denies every request with 401 "Forbidden by auth provider" (its log: "No keys founds in JWKS; are OIDC providers up?"), ' +
  'and it keeps that key set for up to 24 h unless it is restarted.';

function keyLine(k: KeyReport): string {
  const parts = [
    `kty ${k.kty ?? '(missing)'}`,
    k.alg ? `alg ${k.alg}` : 'no alg',
    k.use ? `use ${k.use}` : 'no use',
    k.modulusBits ? `${k.modulusBits} bits` : undefined,
    k.rs256 ? 'usable for RS256' : 'NOT usable for RS256',
  ].filter(Boolean);
  return `Key ${k.index}${k.kid ? ` kid ${k.kid}` : ' (no kid)'}: ${parts.join(', ')}`;
}

/** The fix for the most serious problem found. */
function remediationFor(j: KeySetJudgement): string | undefined {
  const ids = new Set(j.problems.map((p) => p.id));
  if (ids.has('private-material')) {
    return (
      'Treat the key as compromised: put a new openid_connect_signing_key into /etc/gitlab/gitlab-secrets.json on every GitLab node and run ' +
      "gitlab-ctl reconfigure; serve GitLab's own /oauth/discovery/keys (it publishes kty, kid, e, n only) instead of whatever serves private " +
      'members now; then restart the gateway.'
    );
  }
  if (ids.has('not-object') || ids.has('keys-missing') || ids.has('keys-not-array') || ids.has('keys-empty')) {
    return (
      'GitLab publishes its OpenID Connect signing key at /oauth/discovery/keys; an empty or malformed set means jwks_uri is served by something else, ' +
      "or GitLab lacks openid_connect_signing_key (check /etc/gitlab/gitlab-secrets.json and that jwks_uri points at GitLab). Then restart the gateway to drop its cached set."
    );
  }
  if (ids.has('weak-modulus') || ids.has('no-rs256-key')) {
    return `Give GitLab an RSA signing key of at least ${MIN_RSA_BITS} bits (openid_connect_signing_key in gitlab-secrets.json, then gitlab-ctl reconfigure), then restart the gateway.`;
  }
  if (j.problems.length) return 'The set works for the gateway but is non-standard: serve GitLab\'s own /oauth/discovery/keys unchanged (RSA keys, alg RS256, use sig, one kid per key).';
  return undefined;
}

/** Judges the key set into a check outcome. */
export async function judgeKeys(doc: unknown, source: string): Promise<CheckOutcome> {
  const j = await judgeKeySet(doc);
  const evidence = { keyCount: j.keyCount, kids: j.kids, usableCount: j.usable.length, problems: j.problems.map((p) => p.id) };
  const details = [`Key set from ${source}: ${j.keyCount} key${j.keyCount === 1 ? '' : 's'}`, ...j.keys.map(keyLine), ...j.problems.map((p) => `${p.severity}: ${p.message}`)];
  const remediation = remediationFor(j);
  if (j.status === 'pass') {
    return { status: 'pass', summary: `${j.keyCount} key${j.keyCount === 1 ? '' : 's'}, ${j.usable.length} usable for RS256 (kids: ${j.kids.join(', ') || 'none'})`, details, evidence };
  }
  const first = j.problems.find((p) => p.severity === j.status) ?? j.problems[0];
  const empty = j.problems.some((p) => ['not-object', 'keys-missing', 'keys-not-array', 'keys-empty', 'no-rs256-key'].includes(p.id));
  return {
    status: j.status,
    summary: first?.message ?? 'the key set has problems',
    details: empty ? [...details, EMPTY_CONSEQUENCE] : details,
    ...(remediation ? { remediation } : {}),
    evidence,
  };
}

export default defineCheck({
  id: 'jwks-valid',
  title: "GitLab's key set holds usable RS256 keys",
  category: 'jwks',
  tags: ['ci', 'oncall', 'pre-upgrade', 'security'],
  dependsOn: ['jwks-reachable'],
  explain: {
    checks:
      'The JWKS document jwks-reachable fetched: "keys" present, an array, not empty; per key kty, alg, use, RSA modulus size, private members; ' +
      'kids unique; at least one key imports as an RS256 verification key.',
    failsWhen:
      '"keys" is missing or empty ("No keys found in JWKS": every request is denied "Forbidden by auth provider" for up to 24 h of the gateway\'s ' +
      `key cache unless it restarts), no key is usable for RS256, a key is under ${MIN_RSA_BITS} bits, or a key publishes private material. ` +
      'Warns on non-RSA keys, alg other than RS256, use other than sig, missing or duplicated kids.',
    fix: "Serve GitLab's own /oauth/discovery/keys (RSA, RS256, 2048+ bits), rotate any published private key, then restart the gateway.",
  },
  async run(ctx) {
    const fetched = await fetchJwks(ctx);
    const jwks = fetched?.jwks;
    if (!jwks || jwks.outcome.kind !== 'json') return { status: 'skip', summary: 'no key set was fetched (see jwks-reachable)' };
    return judgeKeys(jwks.outcome.value, jwks.finalUrl);
  },
});
