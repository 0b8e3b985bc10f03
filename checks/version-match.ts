// version-match: the gateway's image tag matches GitLab's version (self-hosted-vX.Y.Z-ee for GitLab vX.Y.Z), or the planned one.
// The gateway exposes its version nowhere over HTTP (no version header; OpenAPI off by default: ai_gateway/config.py
// ConfigFastApi, flyisland/ai-gateway 95a8d76dd), so it comes from --gateway-image-tag / --gateway-version, or it is
// unknown — and the pre-upgrade gate then fails rather than pass without a comparison.
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { formatVersion, parseGatewayTag, parseVersion, type Version } from '../src/judge/versions.js';
import { gitlabMetadata } from '../src/probes/gitlab-api.js';

export { formatVersion, parseGatewayTag, parseVersion, type GatewayTag, type Version } from '../src/judge/versions.js';

const IMAGE = 'registry.gitlab.com/gitlab-org/modelops/applied-ml/code-suggestions/ai-assist/model-gateway';

/** The install guide's rule: GitLab vX.Y.Z runs with the gateway image tag `self-hosted-vX.Y.Z-ee`. */
export const expectedTag = (v: Version): string => `self-hosted-v${formatVersion(v)}-ee`;

/** What version-match judges. */
export interface Facts {
  /** GitLab's version (GET /api/v4/metadata), when known; else why not. */
  gitlab?: string;
  gitlabReason?: string;
  /** The gateway's tag or version as the operator gave it (--gateway-image-tag / --gateway-version). */
  gateway?: string;
  /** --target-version: the GitLab version of a planned upgrade (the pre-upgrade gate). */
  target?: string;
}

const HOW_TO_SUPPLY =
  "Pass the gateway's image tag with --gateway-image-tag (e.g. `docker inspect --format '{{.Config.Image}}' <gateway container>`, " +
  'or the Helm value image.tag), or its version with --gateway-version: the gateway does not report its version over HTTP.';

const runTag = (tag: string) =>
  `Run the gateway image with the tag ${tag}: \`docker pull ${IMAGE}:${tag}\` and recreate the container (Helm: --set image.tag=${tag}). ` +
  'Upgrade GitLab and the gateway together.';

/** The comparison's two sides: what the gateway runs, what it should run, and for whom. */
interface Compared {
  tag: string;
  expected: string;
  /** "GitLab 18.6.0-ee", or "the planned GitLab 18.7.0". */
  against: string;
}

export const messages = {
  match: { status: 'pass', text: (d: Compared) => `AI gateway ${d.tag} matches ${d.against}` },
  patchDiffers: {
    status: 'warn',
    text: (d: Compared) => `AI gateway ${d.tag} does not match ${d.against} (patch release differs): use ${d.expected}`,
    fix: (d: Compared) => runTag(d.expected),
  },
  minorDiffers: {
    status: 'fail',
    text: (d: Compared) => `AI gateway ${d.tag} does not match ${d.against} (major.minor differs): use ${d.expected}`,
    fix: (d: Compared) => runTag(d.expected),
  },
  floating: {
    status: 'warn',
    text: (d: Compared & { nightly: boolean }) =>
      `The AI gateway runs ${d.nightly ? 'a nightly' : 'a floating'} image (${d.tag}): not recommended, it can be incompatible with ${d.against} (${d.expected})`,
    fix: (d: Compared) => runTag(d.expected),
  },
  tagUnreadable: {
    status: 'warn',
    text: (d: Compared) => `Could not compare versions: no version in the gateway tag "${d.tag}" (${d.against} needs ${d.expected})`,
    fix: (d: Compared) => `${HOW_TO_SUPPLY}\n${runTag(d.expected)}`,
  },
  gatewayUnknown: {
    status: 'warn',
    text: (d: Omit<Compared, 'tag'>) => `Could not compare versions: the AI gateway's version is unknown (${d.against} needs ${d.expected})`,
    fix: HOW_TO_SUPPLY,
  },
  gateCannotCompare: {
    status: 'fail',
    text: (d: Omit<Compared, 'tag'> & { why: string }) =>
      `PRE-UPGRADE GATE NOT PASSED: could not compare versions — ${d.why}; ${d.against} needs ${d.expected}`,
    fix: (d: Omit<Compared, 'tag'>) => `${HOW_TO_SUPPLY}\n${runTag(d.expected)}`,
  },
  gitlabUnknown: { status: 'skip', text: (d: { reason: string }) => `GitLab's version is unknown (see gitlab-reachable): ${d.reason}` },
  gitlabUnreadable: {
    status: 'fail',
    text: (d: { gitlab: string }) => `GitLab's version "${d.gitlab}" cannot be read`,
    fix: 'GitLab reports its version at GET /api/v4/metadata (see gitlab-reachable).',
  },
  targetInvalid: {
    status: 'fail',
    text: (d: { target: string }) => `--target-version "${d.target}" is not a version (X.Y.Z)`,
    fix: 'Pass --target-version as X.Y.Z, e.g. 18.7.0.',
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

/** Judges the gateway's tag against GitLab's version — or, with a target, against the planned one (the pre-upgrade gate). Pure. */
export function judge(f: Facts): Judgement<typeof messages> {
  // Stryker disable next-line ConditionalExpression: parseVersion reads no version in undefined either
  const gitlab = f.gitlab === undefined ? undefined : parseVersion(f.gitlab);
  if (f.gitlab !== undefined && !gitlab) return { findings: [{ id: 'gitlabUnreadable', data: { gitlab: f.gitlab } }] };
  // Stryker disable next-line ConditionalExpression: parseVersion reads no version in undefined either
  const target = f.target === undefined ? undefined : parseVersion(f.target);
  if (f.target !== undefined && !target) return { findings: [{ id: 'targetInvalid', data: { target: f.target } }] };
  const against = target ?? gitlab;
  if (!against) return { findings: [{ id: 'gitlabUnknown', data: { reason: f.gitlabReason ?? 'not read' } }] };
  const side = { expected: expectedTag(against), against: target ? `the planned GitLab ${formatVersion(target)}` : `GitLab ${f.gitlab}` };
  const details = [...(f.gitlab ? [`GitLab: ${f.gitlab}`] : []), ...(target ? [`Planned GitLab: ${formatVersion(target)} (pre-upgrade gate)`] : [])];
  const evidence: Record<string, unknown> = {
    expectedTag: side.expected,
    ...(f.gitlab ? { gitlabVersion: f.gitlab } : {}),
    ...(target ? { targetVersion: formatVersion(target) } : {}),
  };
  const cannot = (why: string, fallback: Finding): Judgement<typeof messages> => ({
    findings: [target ? { id: 'gateCannotCompare', data: { ...side, why } } : fallback],
    details,
    evidence: { ...evidence, compared: false },
  });
  if (f.gateway === undefined) return cannot("the AI gateway's version is unknown", { id: 'gatewayUnknown', data: side });

  const tag = parseGatewayTag(f.gateway);
  details.unshift(`AI gateway: ${tag.tag} (from --gateway-image-tag / --gateway-version)`);
  Object.assign(evidence, { gatewayTag: tag.tag });
  if (tag.kind === 'floating') {
    return cannot(`the gateway runs the floating tag ${tag.tag}`, { id: 'floating', data: { ...side, tag: tag.tag, nightly: tag.nightly } });
  }
  if (tag.kind === 'unreadable')
    return cannot(`no version in the gateway tag "${tag.tag}"`, { id: 'tagUnreadable', data: { ...side, tag: tag.tag } });

  const gw = tag.version;
  Object.assign(evidence, { gatewayVersion: formatVersion(gw), compared: true });
  const data = { ...side, tag: tag.tag };
  const sameMinor = gw.major === against.major && gw.minor === against.minor;
  const finding: Finding = !sameMinor
    ? { id: 'minorDiffers', data }
    : gw.patch !== against.patch
      ? { id: 'patchDiffers', data }
      : { id: 'match', data };
  if (target && gitlab) {
    const current = gw.major === gitlab.major && gw.minor === gitlab.minor && gw.patch === gitlab.patch;
    // "either" only when it matches the planned version neither.
    details.push(
      current
        ? `The gateway matches the running GitLab ${f.gitlab}.`
        : `The gateway does not match the running GitLab ${f.gitlab}${finding.id === 'match' ? '' : ' either'}.`,
    );
  }
  return { findings: [finding], details, evidence };
}

export default defineCheck({
  id: 'version-match',
  title: "The AI gateway's version matches GitLab's",
  category: 'version',
  tags: ['ci', 'pre-upgrade'],
  explain: {
    checks:
      "The gateway's image tag (--gateway-image-tag / --gateway-version: the gateway reports its version nowhere over HTTP) against " +
      "GitLab's version from /api/v4/metadata, by the install guide's rule: GitLab vX.Y.Z runs with the tag self-hosted-vX.Y.Z-ee. " +
      'With --target-version X.Y.Z it is the gate before an upgrade: the tag the planned GitLab needs.',
    failsWhen:
      'Major or minor version differ (fail); only the patch differs (warn); the gateway runs a nightly or latest image, or its version is ' +
      'unknown (warn: versions not compared). As the pre-upgrade gate (--target-version) it fails whenever it could not compare versions.',
    fix: `Run ${IMAGE}:self-hosted-vX.Y.Z-ee for GitLab X.Y.Z, upgrade both together, and tell duo-doctor the tag (--gateway-image-tag).`,
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const metadata = ctx.settings.gitlabUrl ? await gitlabMetadata(ctx) : { reason: 'no GitLab URL given' };
    const { gatewayVersion, targetVersion } = ctx.settings;
    return {
      ...(metadata.version ? { gitlab: metadata.version } : { gitlabReason: metadata.reason }),
      ...(gatewayVersion ? { gateway: gatewayVersion } : {}),
      ...(targetVersion ? { target: targetVersion } : {}),
    };
  },
  // Stryker restore all
  judge,
});
