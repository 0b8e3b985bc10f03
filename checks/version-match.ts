// version-match: the gateway's image tag matches GitLab's version (self-hosted-vX.Y.Z-ee for GitLab vX.Y.Z), or the planned one.
import { defineCheck, type CheckContext } from '../src/check.js';
import type { CheckOutcome, Status } from '../src/model.js';
import { GATEWAY_VERSION_HEADER, gatewayHealthz } from '../src/probes/gateway.js';
import { gitlabGet } from '../src/probes/gitlab-api.js';
import { parseJson } from '../src/probes/http.js';
import { formatVersion, parseVersion, type Version } from '../src/judge/versions.js';

export { formatVersion, parseVersion, type Version };

/** What a gateway tag says: a release, a nightly/latest build, or nothing readable. */
export type GatewayTag =
  | { kind: 'release'; tag: string; version: Version }
  | { kind: 'floating'; tag: string; nightly: boolean }
  | { kind: 'unreadable'; tag: string };

/** Where the gateway's version came from, and what it said. */
export interface GatewayVersionSource {
  value: string;
  from: string;
}

const IMAGE = 'registry.gitlab.com/gitlab-org/modelops/applied-ml/code-suggestions/ai-assist/model-gateway';

/** The install guide's rule: GitLab vX.Y.Z runs with the gateway image tag `self-hosted-vX.Y.Z-ee`. */
export const expectedTag = (v: Version): string => `self-hosted-v${formatVersion(v)}-ee`;

/** The tag of `value`, which may be a bare tag, a version, or a full image reference (`registry:5000/img:tag@sha256:...`). */
export function parseGatewayTag(value: string): GatewayTag {
  const withoutDigest = value.trim().split('@')[0] ?? '';
  const last = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? (last.split(':').pop() ?? last) : last;
  if (/nightly|latest/i.test(tag)) return { kind: 'floating', tag, nightly: /nightly/i.test(tag) };
  const version = parseVersion(tag);
  return version ? { kind: 'release', tag, version } : { kind: 'unreadable', tag };
}

/** What is known for the comparison. */
export interface VersionFacts {
  gitlab: string;
  gateway?: GatewayVersionSource;
  target?: string;
}

const fixFor = (v: Version) =>
  `Run the gateway image with the tag ${expectedTag(v)}: \`docker pull ${IMAGE}:${expectedTag(v)}\` and recreate the container ` +
  `(Helm: --set image.tag=${expectedTag(v)}). Upgrade GitLab and the gateway together.`;

const HOW_TO_SUPPLY =
  "Pass the gateway's image tag with --gateway-image-tag (e.g. `docker inspect --format '{{.Config.Image}}' <gateway container>`, " +
  'or the Helm value image.tag), or its version with --gateway-version.';

/** Judges the gateway's tag against GitLab's version — or, with a target, against the planned one (the pre-upgrade gate). */
export function judgeVersions(f: VersionFacts): CheckOutcome {
  const gitlab = parseVersion(f.gitlab);
  if (!gitlab) {
    return { status: 'fail', summary: `GitLab's version "${f.gitlab}" cannot be read`, remediation: 'See gitlab-reachable.', evidence: { gitlabVersion: f.gitlab } };
  }
  const target = f.target !== undefined ? parseVersion(f.target) : undefined;
  if (f.target !== undefined && !target) {
    return { status: 'fail', summary: `--target-version "${f.target}" is not a version (X.Y.Z)`, remediation: 'Pass --target-version as X.Y.Z, e.g. 18.7.0.' };
  }
  const against = target ?? gitlab;
  const evidence: Record<string, unknown> = { gitlabVersion: f.gitlab, expectedTag: expectedTag(against), ...(target ? { targetVersion: formatVersion(target) } : {}) };
  if (!f.gateway) {
    return {
      status: 'skip',
      summary: `The AI gateway's version is unknown (GitLab ${f.gitlab} needs ${expectedTag(against)})`,
      details: [`The gateway exposes no version (the real one sends no version header); ${HOW_TO_SUPPLY}`],
      remediation: HOW_TO_SUPPLY,
      evidence,
    };
  }
  const tag = parseGatewayTag(f.gateway.value);
  const details = [`AI gateway: ${tag.tag} (from ${f.gateway.from})`, `GitLab: ${f.gitlab}`, ...(target ? [`Planned GitLab: ${formatVersion(target)}`] : [])];
  Object.assign(evidence, { gatewayTag: tag.tag, gatewayVersionSource: f.gateway.from });
  const subject = target ? `Upgrading GitLab to ${formatVersion(target)} needs gateway tag ${expectedTag(target)}` : undefined;

  if (tag.kind === 'floating') {
    return {
      status: 'warn',
      summary: `${subject ? `${subject}; the` : 'The'} AI gateway runs ${tag.nightly ? 'a nightly' : 'a floating'} image (${tag.tag}): not recommended, it can be incompatible with GitLab ${formatVersion(against)}`,
      details: [...details, 'Nightly builds carry newer features without a compatibility guarantee: always use an explicit version tag.'],
      remediation: fixFor(against),
      evidence,
    };
  }
  if (tag.kind === 'unreadable') {
    return {
      status: 'warn',
      summary: `No version in the gateway tag "${tag.tag}": cannot tell whether it matches GitLab ${formatVersion(against)} (${expectedTag(against)})`,
      details,
      remediation: `${HOW_TO_SUPPLY}\n${fixFor(against)}`,
      evidence,
    };
  }
  const gw = tag.version;
  Object.assign(evidence, { gatewayVersion: formatVersion(gw) });
  const sameMinor = gw.major === against.major && gw.minor === against.minor;
  const status: Status = !sameMinor ? 'fail' : gw.patch !== against.patch ? 'warn' : 'pass';
  if (target) {
    const current = gw.major === gitlab.major && gw.minor === gitlab.minor && gw.patch === gitlab.patch;
    details.push(current ? `The gateway matches the running GitLab ${f.gitlab}.` : `The gateway does not match the running GitLab ${f.gitlab} either.`);
  }
  if (status === 'pass') {
    const summary = target
      ? `The AI gateway ${tag.tag} already matches the planned GitLab ${formatVersion(target)}`
      : `AI gateway ${tag.tag} matches GitLab ${f.gitlab}`;
    return { status, summary, details, evidence };
  }
  const difference = sameMinor ? 'patch release differs' : 'major.minor differs';
  return {
    status,
    summary: subject
      ? `${subject}; the gateway runs ${tag.tag} (${difference})`
      : `AI gateway ${tag.tag} does not match GitLab ${f.gitlab} (${difference}): use ${expectedTag(gitlab)}`,
    details,
    remediation: fixFor(against),
    evidence,
  };
}

/** GitLab's version: from gitlab-reachable's evidence, else from /api/v4/metadata. */
export async function gitlabVersion(ctx: CheckContext): Promise<string | undefined> {
  const fromCheck = ctx.resultOf('gitlab-reachable')?.evidence?.version;
  if (typeof fromCheck === 'string') return fromCheck;
  const ex = await gitlabGet(ctx, '/api/v4/metadata');
  if (!ex.ok || ex.response.status !== 200) return undefined;
  const parsed = parseJson(ex.response);
  const version = parsed.ok ? (parsed.value as { version?: unknown } | null)?.version : undefined;
  return typeof version === 'string' ? version : undefined;
}

/** The gateway's version: the flag, else the version header the gateway's health answer carries (the reference gateway's). */
export async function gatewayVersion(ctx: CheckContext): Promise<GatewayVersionSource | undefined> {
  if (ctx.settings.gatewayVersion) return { value: ctx.settings.gatewayVersion, from: '--gateway-image-tag / --gateway-version' };
  const { exchange } = await gatewayHealthz(ctx);
  const header = exchange.ok ? exchange.response.headers[GATEWAY_VERSION_HEADER] : undefined;
  return header ? { value: header, from: `the gateway's ${GATEWAY_VERSION_HEADER} header` } : undefined;
}

export default defineCheck({
  id: 'version-match',
  title: "The AI gateway's version matches GitLab's",
  category: 'version',
  tags: ['ci', 'pre-upgrade'],
  dependsOn: ['gitlab-reachable'],
  explain: {
    checks:
      "The gateway's image tag (--gateway-image-tag / --gateway-version, else a version header on /monitoring/healthz) against " +
      "GitLab's version from /api/v4/metadata, by the install guide's rule: GitLab vX.Y.Z runs with the tag self-hosted-vX.Y.Z-ee. " +
      'With --target-version X.Y.Z it is the gate before an upgrade: the tag the planned GitLab needs.',
    failsWhen:
      'Major or minor version differ (fail); only the patch differs (warn); the gateway runs a nightly or latest image (warn: not ' +
      'recommended). Skipped when the gateway version is unknown.',
    fix: `Run ${IMAGE}:self-hosted-vX.Y.Z-ee for GitLab X.Y.Z, and upgrade both together.`,
  },
  async run(ctx) {
    const gitlab = await gitlabVersion(ctx);
    if (!gitlab) return { status: 'skip', summary: "GitLab's version is unknown (see gitlab-reachable)" };
    const gateway = await gatewayVersion(ctx);
    return judgeVersions({ gitlab, ...(gateway ? { gateway } : {}), ...(ctx.settings.targetVersion ? { target: ctx.settings.targetVersion } : {}) });
  },
});
