// Release versions (X.Y.Z) as GitLab and the gateway's image tags carry them: parsing, ordering, ranges. Pure.

/** A release version. */
export interface Version {
  major: number;
  minor: number;
  patch: number;
}

/** X.Y.Z out of `18.6.0-ee`, `v18.6.0`, `self-hosted-v18.6.0-ee`; undefined when there is none. */
export function parseVersion(text: string): Version | undefined {
  const m = /(?:^|[^\d.])v?(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export const formatVersion = (v: Version): string => `${v.major}.${v.minor}.${v.patch}`;

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** A half-open range `[introduced, fixed)` as CVE records state them ("from 18.1.6 before 18.6.2"). */
export interface VersionRange {
  introduced: string;
  fixed: string;
}

/** Whether `v` lies in `range` (bounds that do not parse never match). */
export function inRange(v: Version, range: VersionRange): boolean {
  const from = parseVersion(range.introduced);
  const to = parseVersion(range.fixed);
  return Boolean(from && to && compareVersions(v, from) >= 0 && compareVersions(v, to) < 0);
}

/** What a gateway tag says: a release, a nightly/latest build, or nothing readable. */
export type GatewayTag =
  { kind: 'release'; tag: string; version: Version } | { kind: 'floating'; tag: string; nightly: boolean } | { kind: 'unreadable'; tag: string };

/** The tag of `value`, which may be a bare tag, a version, or a full image reference (`registry:5000/img:tag@sha256:...`). */
export function parseGatewayTag(value: string): GatewayTag {
  const withoutDigest = value.trim().split('@')[0] ?? '';
  const last = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? (last.split(':').pop() ?? last) : last;
  if (/nightly|latest/i.test(tag)) return { kind: 'floating', tag, nightly: /nightly/i.test(tag) };
  const version = parseVersion(tag);
  return version ? { kind: 'release', tag, version } : { kind: 'unreadable', tag };
}
