// Release-dependent behaviour of the reference gateway: which known flaws the image tag it reports implies.
import { HOST_HEADER_BYPASS } from '../../data/advisories.js';
import { compareVersions, parseVersion } from '../../judge/versions.js';

/**
 * Paths the auth middleware lets through without authentication: `_SKIP_ENDPOINTS` in ai_gateway/api/server.py
 * (flyisland/ai-gateway, unchanged from 219d702b3^ to HEAD 95a8d76dd).
 */
export const AUTH_SKIP_PATHS: ReadonlySet<string> = new Set(['/monitoring/healthz', '/monitoring/ready', '/metrics', '/v1/models/definitions']);

/**
 * Whether a gateway reporting `version` predates the Host-header fix (ai-gateway 219d702b3). Every release before
 * self-hosted-v19.1.0-ee is treated as vulnerable (see HOST_HEADER_BYPASS for why 19.1 and what is unknown); a tag
 * without a version (nightly, a commit) is treated as built after the fix.
 */
export function predatesHostHeaderFix(version: string): boolean {
  const v = parseVersion(version);
  const fixed = parseVersion(HOST_HEADER_BYPASS.firstFixedMinor);
  return Boolean(v && fixed && compareVersions(v, fixed) < 0);
}

/**
 * The path Starlette < 1.0.1 puts in `request.url.path`: it builds `{scheme}://{Host}{path}` without validating the Host
 * and re-parses it (starlette/datastructures.py URL.__init__ with scope; the flaw GHSA-86qp-5c8j-p5mr fixed in 1.0.1).
 * Python's urlsplit ends the authority at the first '/', '?' or '#', and the path at the next '?' or '#'.
 */
export function starletteUrlPath(host: string | undefined, target: string): string {
  if (host === undefined) return target.split(/[?#]/, 1)[0] ?? '';
  const rebuilt = `${host}${target}`;
  const authorityEnd = rebuilt.search(/[/?#]/);
  if (authorityEnd < 0 || rebuilt[authorityEnd] !== '/') return '';
  return rebuilt.slice(authorityEnd).split(/[?#]/, 1)[0] ?? '';
}
