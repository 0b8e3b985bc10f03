// known-vulnerabilities: GitLab's version and the gateway's image tag against the advisory table (src/data/advisories.ts).
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { ADVISORIES, UNVERIFIED, type Advisory, type Product } from '../src/data/advisories.js';
import { compareVersions, formatVersion, inRange, parseVersion, type Version } from '../src/judge/versions.js';
import { operatorGatewayVersion } from '../src/probes/gateway.js';
import { gitlabVersion } from '../src/probes/gitlab-api.js';
import { parseGatewayTag } from '../src/judge/versions.js';

/** A version as learnt, or why it could not be. */
export interface VersionFact {
  value?: string;
  from?: string;
  unknownWhy?: string;
}

export interface Facts {
  gitlab: VersionFact;
  gateway: VersionFact;
}

/** One advisory a version falls in, with the release that fixes it on that version's line. */
export interface Hit {
  id: string;
  severity: Advisory['severity'];
  summary: string;
  fixedIn: string;
  source: string;
}

const PRODUCT_NAME: Record<Product, string> = { gitlab: 'GitLab', 'ai-gateway': 'The AI gateway' };
const hitLine = (h: Hit) => `${h.id} (${h.severity}): ${h.summary}; fixed in ${h.fixedIn} — ${h.source}`;
const counted = (product: Product) => ADVISORIES.filter((a) => a.product === product).length;

export const messages = {
  gitlabAffected: {
    status: 'fail',
    text: (d: { version: string; hits: Hit[] }) => `SECURITY: GitLab ${d.version} is affected by ${d.hits.map((h) => h.id).join(', ')}`,
    fix: (d: { version: string; hits: Hit[] }) =>
      `Upgrade GitLab to ${firstClearRelease('gitlab', d.hits)} or later (the first release outside every advisory in the table), ` +
      'following the upgrade path; then upgrade the gateway to the matching self-hosted tag.',
  },
  gatewayAffected: {
    status: 'fail',
    text: (d: { version: string; hits: Hit[] }) => `SECURITY: the AI gateway ${d.version} is affected by ${d.hits.map((h) => h.id).join(', ')}`,
    fix: (d: { version: string; hits: Hit[] }) =>
      `Run the gateway image self-hosted-v${firstClearRelease('ai-gateway', d.hits)}-ee or later (the first release outside every advisory in the table; GitLab on the same version), and recreate the container.`,
  },
  clear: {
    status: 'pass',
    text: (d: { product: Product; version: string }) =>
      `${PRODUCT_NAME[d.product]} ${d.version} is outside every known advisory (${counted(d.product)} checked)`,
  },
  unknown: {
    status: 'skip',
    text: (d: { product: Product; why: string }) => `${PRODUCT_NAME[d.product]}'s version is unknown, so its advisories cannot be checked: ${d.why}`,
  },
} satisfies Messages;

/**
 * The first release at or after every hit's fix that no advisory of `product` covers: one upgrade that clears them all
 * (a fixed release of one advisory can lie in another's range). Candidates are the table's own fixed releases.
 */
export function firstClearRelease(product: Product, hits: readonly Hit[], advisories: readonly Advisory[] = ADVISORIES): string {
  const floor = hits
    .map((h) => parseVersion(h.fixedIn))
    .filter((v): v is Version => Boolean(v))
    .reduce<Version | undefined>((a, v) => (!a || compareVersions(v, a) > 0 ? v : a), undefined);
  if (!floor) return '(see the advisories)';
  const candidates = advisories
    .filter((a) => a.product === product)
    .flatMap((a) => a.affected.map((r) => parseVersion(r.fixed)))
    .filter((v): v is Version => Boolean(v) && compareVersions(v as Version, floor) >= 0)
    .sort(compareVersions);
  const clear = candidates.find((v) => hitsFor(product, v, advisories).length === 0);
  return formatVersion(clear ?? floor);
}

/** GitLab's edition from its version string: `18.6.0-ee` is Enterprise Edition, `18.6.0` Community Edition. */
export const editionOf = (version: string): 'ce' | 'ee' => (/-ee\b/i.test(version) ? 'ee' : 'ce');

/** The advisories `version` of `product` (of `edition`, for GitLab) falls in. Pure. */
export function hitsFor(product: Product, version: Version, advisories: readonly Advisory[] = ADVISORIES, edition?: 'ce' | 'ee'): Hit[] {
  return advisories.flatMap((a) => {
    if (a.product !== product) return [];
    if (edition && a.editions && !a.editions.includes(edition)) return [];
    const range = a.affected.find((r) => inRange(version, r));
    return range ? [{ id: a.id, severity: a.severity, summary: a.summary, fixedIn: range.fixed, source: a.sources[0] ?? '' }] : [];
  });
}

type Finding = FindingOf<typeof messages>;

function judgeOne(product: Product, fact: VersionFact): Finding {
  if (!fact.value) return { id: 'unknown', data: { product, why: fact.unknownWhy ?? 'not learnt' } };
  const version =
    product === 'gitlab'
      ? parseVersion(fact.value)
      : (() => {
          const tag = parseGatewayTag(fact.value);
          return tag.kind === 'release' ? tag.version : undefined;
        })();
  if (!version) return { id: 'unknown', data: { product, why: `"${fact.value}" (from ${fact.from ?? '?'}) carries no X.Y.Z version` } };
  const hits = hitsFor(product, version, ADVISORIES, product === 'gitlab' ? editionOf(fact.value) : undefined);
  const shown = `${formatVersion(version)}`;
  if (!hits.length) return { id: 'clear', data: { product, version: shown } };
  const data = { version: shown, hits };
  return product === 'gitlab'
    ? { id: 'gitlabAffected', data, details: hits.map(hitLine) }
    : { id: 'gatewayAffected', data, details: hits.map(hitLine) };
}

/** Pure: each product's version against the table. */
export function judge(f: Facts): Judgement<typeof messages> {
  return {
    findings: [judgeOne('gitlab', f.gitlab), judgeOne('ai-gateway', f.gateway)],
    evidence: {
      gitlabVersion: f.gitlab.value ?? null,
      gatewayVersion: f.gateway.value ?? null,
      advisories: ADVISORIES.map((a) => a.id),
    },
  };
}

const HOW_TO_TAG =
  "pass the gateway's image tag with --gateway-image-tag (`docker inspect --format '{{.Config.Image}}' <container>`); the real gateway " +
  'does not tell its version over the network';

export default defineCheck({
  id: 'known-vulnerabilities',
  title: 'GitLab and the AI gateway are outside known security advisories',
  category: 'security',
  tags: ['ci', 'pre-upgrade', 'security'],
  messages,
  explain: {
    checks:
      "GitLab's version (from /api/v4/metadata, read with the token gitlab-reachable uses) and the gateway's image tag " +
      '(--gateway-image-tag / --gateway-version: the gateway tells it nowhere over HTTP) against the advisory table in ' +
      `src/data/advisories.ts: ${ADVISORIES.map((a) => `${a.id} (${a.product})`).join(', ')}. Sends nothing beyond what ` +
      `gitlab-reachable and gateway-health already send. Not in the table, with why: ${UNVERIFIED.map((u) => `${u.id} — ${u.why}`).join('; ')}.`,
    failsWhen: "A version falls in an advisory's affected range. Skipped (per product) when the version cannot be learnt.",
    fix: 'Upgrade to the fixed release the finding names (GitLab and the gateway together, same X.Y.Z).',
  },
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const [gitlab, gateway] = [await gitlabVersion(ctx), operatorGatewayVersion(ctx)];
    return {
      gitlab: gitlab
        ? { value: gitlab, from: '/api/v4/metadata' }
        : { unknownWhy: ctx.settings.gitlabUrl ? '/api/v4/metadata did not answer with a version (see gitlab-reachable)' : 'no GitLab URL given' },
      gateway: gateway ? { value: gateway.value, from: gateway.from } : { unknownWhy: HOW_TO_TAG },
    };
  },
  // Stryker restore all
  judge,
});
