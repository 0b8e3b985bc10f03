// jwks-valid: the key set the gateway fetched holds keys it can verify GitLab's RS256 tokens with.
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import type { Evidence, ReportedEvidence } from '../src/model.js';
import { judgeKeySet, keyLabel, MIN_RSA_BITS, type KeyReport, type KeySetProblemId, type KeySetProblemOf } from '../src/judge/keyset.js';
import { fetchJwks } from '../src/probes/jwks.js';
import { gatewayHasOwnKeys, withoutGitLabKeys } from '../src/judge/gateway-keys.js';

/** What the judge reads: the key-set document as fetched (JSON), where from, and whether the gateway has keys of its own. */
export interface Facts {
  /** undefined: no key set was fetched (jwks-reachable says why). */
  fetched?: { url: string; doc: unknown };
  /**
   * Whether the gateway's environment sets AIGW_SELF_SIGNED_JWT__SIGNING_KEY (its own keys join GitLab's in the set it
   * verifies with); undefined when the environment read is not the gateway's.
   */
  gatewayHasOwnKeys?: boolean;
}

// GitLab publishes at /oauth/discovery/keys its OpenID Connect key, its CI key and every Cloud Connector key
// (app/controllers/jwks_controller.rb + ee/app/controllers/ee/jwks_controller.rb); Duo tokens are signed with the oldest
// Cloud Connector key (ee/app/models/cloud_connector/keys.rb `current`), managed by ee/lib/tasks/cloud_connector/keys.rake.
const RESTART = 'Then restart the gateway: it keeps the key set it fetched for 24 h.';
const EMPTY_FIX =
  "GitLab's /oauth/discovery/keys always holds its OpenID Connect key, so an empty or malformed set means jwks_uri is served by something other than GitLab " +
  '(a proxy, a stub, another service on that path): route /oauth/discovery/keys to GitLab. Duo tokens are signed with the Cloud Connector key (table cloud_connector_keys): ' +
  '`gitlab-rake cloud_connector:keys:list` must show one; if it says "No keys found." run `gitlab-rake cloud_connector:keys:create`. ' +
  RESTART;
const ROTATE =
  'Replace the Cloud Connector key GitLab signs Duo tokens with: `gitlab-rake cloud_connector:keys:create` (a new 2048-bit RSA key, published at once), ' +
  '`gitlab-rake cloud_connector:keys:rotate` (sign with it), then `gitlab-rake cloud_connector:keys:trim` (remove the old one).';
const STANDARD = "Serve GitLab's own /oauth/discovery/keys unchanged: GitLab publishes kty, kid, e, n with use sig and alg RS256 for each key.";

type P<I extends KeySetProblemId> = KeySetProblemOf<I>;

export const messages = {
  noKeySet: { status: 'skip', text: () => 'no key set was fetched (see jwks-reachable)' },
  usable: {
    status: 'pass',
    text: (d: { count: number; usable: number; kids: string[] }) =>
      `${d.count} key${d.count === 1 ? '' : 's'}, ${d.usable} usable for RS256 (kids: ${d.kids.join(', ') || 'none'})`,
  },
  notObject: { status: 'fail', text: () => 'the JWKS document is not a JSON object', fix: EMPTY_FIX },
  keysMissing: { status: 'fail', text: () => 'the JWKS document has no "keys" member', fix: EMPTY_FIX },
  keysNotArray: { status: 'fail', text: () => '"keys" is not an array', fix: EMPTY_FIX },
  keysEmpty: { status: 'fail', text: () => '"keys" is empty: the gateway has no GitLab key to verify tokens with', fix: EMPTY_FIX },
  noRs256Key: {
    status: 'fail',
    text: () => 'no key in the set is usable to verify RS256 tokens',
    fix: `GitLab's keys are ${MIN_RSA_BITS}-bit RSA keys for RS256: serve GitLab's own /oauth/discovery/keys. ${ROTATE} ${RESTART}`,
  },
  privateMaterial: {
    status: 'fail',
    text: (p: P<'privateMaterial'>) => `${p.key} publishes private key material (${p.names.join(', ')}): anyone can sign tokens the gateway accepts`,
    fix: `Treat the key as compromised. GitLab publishes public members only, so something else serves jwks_uri: route /oauth/discovery/keys to GitLab. ${ROTATE} ${RESTART}`,
  },
  weakModulus: {
    status: 'fail',
    text: (p: P<'weakModulus'>) => `${p.key} is a ${p.bits}-bit RSA key; RS256 needs at least ${MIN_RSA_BITS} bits`,
    fix: `${ROTATE} ${RESTART}`,
  },
  notRsa: {
    status: 'warn',
    text: (p: P<'notRsa'>) =>
      `${p.key} has kty ${p.value}: the gateway's python-jose builds every key of the set for RS256 and errors on this one when it comes before the signing key`,
    fix: STANDARD,
  },
  keyNotObject: { status: 'warn', text: (p: P<'keyNotObject'>) => `${p.key} is not a JSON object; the gateway cannot use it`, fix: STANDARD },
  algNotRs256: {
    status: 'warn',
    text: (p: P<'algNotRs256'>) => `${p.key} says alg ${p.value}: GitLab signs with RS256, and standard verifiers skip this key for RS256 tokens`,
    fix: STANDARD,
  },
  useNotSig: {
    status: 'warn',
    text: (p: P<'useNotSig'>) => `${p.key} says use "${p.value}", not "sig": standard verifiers skip it`,
    fix: STANDARD,
  },
  missingKid: {
    status: 'warn',
    text: (p: P<'missingKid'>) => `${p.key} has no kid: verifiers that pick keys by the token's kid cannot find it`,
    fix: STANDARD,
  },
  duplicateKid: {
    status: 'warn',
    text: (p: P<'duplicateKid'>) =>
      `kid ${p.value} names ${p.names.length} different keys (${p.names.join(', ')}): verifiers that pick by kid may pick the wrong one`,
    fix: STANDARD,
  },
  unimportable: { status: 'warn', text: (p: P<'unimportable'>) => `${p.key} does not import as an RSA public key: ${p.value}`, fix: STANDARD },
} satisfies Messages;

function keyLine(k: KeyReport): string {
  const parts = [
    `kty ${k.kty ?? '(missing)'}`,
    k.alg ? `alg ${k.alg}` : 'no alg',
    k.use ? `use ${k.use}` : 'no use',
    k.modulusBits ? `${k.modulusBits} bits` : undefined,
    k.rs256 ? 'usable for RS256' : 'NOT usable for RS256',
  ].filter(Boolean);
  return `${keyLabel(k)
    .replace(/^key/, 'Key')
    .replace(/ \(kid (.*)\)$/, ' kid $1')}${k.kid ? '' : ' (no kid)'}: ${parts.join(', ')}`;
}

const EMPTY_IDS = new Set(['notObject', 'keysMissing', 'keysNotArray', 'keysEmpty', 'noRs256Key']);

/** Pure: the key set judged as the gateway uses it. */
export function judge(facts: Facts): Judgement<typeof messages> {
  if (!facts.fetched) return { findings: [{ id: 'noKeySet' }] };
  const j = judgeKeySet(facts.fetched.doc);
  // keyCount is a reported field (the Prometheus reporter's key-count family): typed so a rename breaks the build.
  const evidence: Evidence & Required<Pick<ReportedEvidence, 'keyCount'>> = {
    keyCount: j.keyCount,
    kids: j.kids,
    usableCount: j.usable.length,
    problems: j.problems.map((p) => p.id),
  };
  const details = [`Key set from ${facts.fetched.url}: ${j.keyCount} key${j.keyCount === 1 ? '' : 's'}`, ...j.keys.map(keyLine)];
  if (j.problems.some((p) => EMPTY_IDS.has(p.id))) {
    details.push(withoutGitLabKeys(facts.gatewayHasOwnKeys));
  }
  // Every problem message reads the problem itself.
  const findings: FindingOf<typeof messages>[] = j.problems.length
    ? j.problems.map((p) => ({ id: p.id, data: p }) as FindingOf<typeof messages>)
    : [{ id: 'usable', data: { count: j.keyCount, usable: j.usable.length, kids: j.kids } }];
  return { findings, details, evidence };
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
      'kids unique; at least one key imports as an RS256 verification key. GitLab publishes its OpenID Connect key, its CI key and every Cloud Connector key there.',
    failsWhen:
      '"keys" is missing or empty (the gateway then answers 500 for want of any key, or 401 "Forbidden by auth provider" when it has keys of its own, ' +
      `for the 24 h it caches the set), no key is usable for RS256, a key is under ${MIN_RSA_BITS} bits, or a key publishes private material. ` +
      'Warns on non-RSA keys, alg other than RS256, use other than sig, missing or duplicated kids.',
    fix:
      "Serve GitLab's own /oauth/discovery/keys; manage the Cloud Connector key that signs Duo tokens with gitlab-rake cloud_connector:keys:list|create|rotate|trim; " +
      'then restart the gateway.',
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const fetched = await fetchJwks(ctx);
    const jwks = fetched?.jwks;
    const own = gatewayHasOwnKeys(ctx.settings.env);
    return {
      ...(jwks && jwks.outcome.kind === 'json' ? { fetched: { url: jwks.finalUrl, doc: jwks.outcome.value } } : {}),
      ...(own !== undefined ? { gatewayHasOwnKeys: own } : {}),
    };
  },
  // Stryker restore all
  judge,
});
