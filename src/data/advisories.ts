// Known vulnerabilities of a self-hosted Duo installation, as data: which product, which versions, where it is stated.
// To add one: copy an entry, take the ranges from GitLab's CVE record (GitLab is the CVE numbering authority for both
// products) or its patch-release post, and say in `verification` what was read. An entry nobody could verify goes in
// UNVERIFIED below, never in ADVISORIES.
import type { VersionRange } from '../judge/versions.js';

/** Which version an advisory is judged against: GitLab's (from /api/v4/metadata) or the gateway's image tag. */
export type Product = 'gitlab' | 'ai-gateway';

export interface Advisory {
  id: string;
  product: Product;
  severity: 'critical' | 'high' | 'medium' | 'low';
  /** GitLab editions affected, when not both (GitLab's version string ends in `-ee` on Enterprise Edition). */
  editions?: readonly ('ce' | 'ee')[];
  /** One line: what an attacker gets. */
  summary: string;
  /** Affected versions, each `[introduced, fixed)`; the `fixed` bounds are the fixed releases. */
  affected: readonly VersionRange[];
  /** GitLab's own statement: the CVE record it published, and its patch-release post when known. */
  sources: readonly string[];
  /** What was read to verify this entry, and when. */
  verification: string;
}

export const ADVISORIES: readonly Advisory[] = [
  {
    id: 'CVE-2026-1724',
    product: 'gitlab',
    severity: 'high',
    editions: ['ee'],
    summary: 'unauthenticated users can read the API tokens of self-hosted AI models (GitLab EE)',
    affected: [
      { introduced: '18.5.0', fixed: '18.8.7' },
      { introduced: '18.9.0', fixed: '18.9.3' },
      { introduced: '18.10.0', fixed: '18.10.1' },
    ],
    sources: [
      'https://about.gitlab.com/releases/2026/03/25/patch-release-gitlab-18-10-1-released/',
      'https://nvd.nist.gov/vuln/detail/CVE-2026-1724',
    ],
    verification:
      '2026-12-01: affected 18.5–18.8.6, 18.9–18.9.2, 18.10.0 and the fixes 18.8.7, 18.9.3, 18.10.1 (released 2026-03-25) read from the ' +
      "NVD record as republished by SentinelOne's vulnerability database; the post's address read from a downstream upgrade PR " +
      "(sameersbn/docker-gitlab#3230). GitLab's post itself was not in the searchable corpus.",
  },
  {
    id: 'CVE-2026-1868',
    product: 'ai-gateway',
    severity: 'critical',
    summary:
      'insecure template expansion of Duo Agent Platform flow definitions in the Duo Workflow Service: denial of service or code execution on the gateway',
    affected: [
      { introduced: '18.1.6', fixed: '18.6.2' },
      { introduced: '18.7.0', fixed: '18.7.1' },
      { introduced: '18.8.0', fixed: '18.8.1' },
    ],
    sources: ['https://www.cve.org/CVERecord?id=CVE-2026-1868'],
    verification:
      "2026-12-01: ranges and fixed versions (18.6.2, 18.7.1, 18.8.1) read from GitLab's CVE record (CNA GitLab, published 2026-02-09, " +
      'cvelistV5). The record describes the start as "18.1.6, 18.2.6, 18.3.1" but its machine-readable range is one span from 18.1.6; ' +
      'the span is what is encoded. The patch-release post (2026-02-06 per secondary sources) was not found.',
  },
  {
    id: 'CVE-2026-19889',
    product: 'ai-gateway',
    severity: 'high',
    summary:
      'an authenticated Duo Agent Platform user can redirect model requests via crafted model metadata and obtain Vertex AI / Bedrock credentials',
    affected: [
      { introduced: '18.9.0', fixed: '19.0.12' },
      { introduced: '19.1.0', fixed: '19.1.7' },
      { introduced: '19.2.0', fixed: '19.2.2' },
    ],
    sources: ['https://www.cve.org/CVERecord?id=CVE-2026-19889'],
    verification: "2026-12-01: ranges read from GitLab's CVE record (CNA GitLab, published 2026-08-27, cvelistV5). Post not found.",
  },
  {
    id: 'CVE-2026-75871',
    product: 'ai-gateway',
    severity: 'high',
    summary:
      'an authenticated Duo Agent Platform user can override the outbound Host header via an inline flow and obtain Vertex credentials and signing keys',
    affected: [
      { introduced: '18.10.0', fixed: '19.0.12' },
      { introduced: '19.1.0', fixed: '19.1.7' },
      { introduced: '19.2.0', fixed: '19.2.2' },
    ],
    sources: ['https://www.cve.org/CVERecord?id=CVE-2026-75871'],
    verification: "2026-12-01: ranges read from GitLab's CVE record (CNA GitLab, published 2026-08-27, cvelistV5). Post not found.",
  },
  {
    id: 'CVE-2026-90970',
    product: 'ai-gateway',
    severity: 'critical',
    summary: 'an authenticated Duo Agent Platform user can escape the prompt template sandbox and run commands on the gateway',
    affected: [
      { introduced: '18.1.6', fixed: '19.2.4' },
      { introduced: '19.3.0', fixed: '19.3.2' },
      { introduced: '19.4.0', fixed: '19.4.1' },
    ],
    sources: ['https://www.cve.org/CVERecord?id=CVE-2026-90970'],
    verification: "2026-12-01: ranges read from GitLab's CVE record (CNA GitLab, published 2026-10-02, cvelistV5). Post not found.",
  },
];

/**
 * The gateway's Host-header authentication bypass, fixed by ai-gateway commit 219d702b3 (2026-06-08, merged to main as
 * 3e6e1d412). Not in ADVISORIES: no GitLab post or CVE record naming the first fixed gateway release was found, and the
 * mirror's tags end at self-hosted-v18.5.0-ee (none contains the commit). `host-header-bypass` probes it live instead.
 * `firstFixedMinor` is an inference, not a statement: 19.1 is the first minor release whose stable branch
 * (stable-19-1-ee, cut when GitLab tags v19.1.0-ee, released 2026-06-18; docs/delivery/release.md) follows the merge;
 * whether 18.10.x–19.0.x patch releases got a backport is unknown.
 */
export const HOST_HEADER_BYPASS = {
  ids: ['X41-2026-002', 'PYSEC-2026-161', 'CVE-2026-48710'],
  fixCommit: '219d702b3',
  fixFile: 'ai_gateway/api/middleware/host_header_validation.py',
  firstFixedMinor: '19.1.0',
  starletteFixed: '1.0.1',
} as const;

/** Advisories looked for and not entered, with why (shown by `explain known-vulnerabilities`). */
export const UNVERIFIED: readonly { id: string; why: string }[] = [
  {
    id: 'X41-2026-002 / PYSEC-2026-161',
    why: 'the first gateway release containing the fix (commit 219d702b3) is not stated in any GitLab post or record found; probed live by host-header-bypass',
  },
];
