// duo-instance-settings: GitLab's switches that stop Duo requests before they reach the gateway — GitLab Duo turned off
// for the instance or for groups (error M3002) and Silent Mode (outbound POSTs blocked).
import { defineCheck, type CheckContext, type Judgement, type Messages } from '../src/check.js';
import { describeExchange, gitlabGet, gitlabGroups, type GroupFact, type GroupsFacts } from '../src/probes/gitlab-api.js';
import { parseJson } from '../src/probes/http.js';

/** The settings read (absent: GitLab did not expose the field, e.g. duo_features_enabled without AI features licensed). */
export type Facts =
  { unread: string } | { duoFeaturesEnabled?: boolean; lockDuoFeaturesEnabled?: boolean; silentModeEnabled?: boolean; groups?: GroupsFacts };

/** Groups named in the finding; the rest are counted. */
const NAMED_GROUPS = 5;

/** The groups where Duo is off: the topmost of each switched-off subtree, and how many of their subgroups follow them. */
interface OffGroups {
  /** Full paths, "(Always off)" after a locked one. */
  groups: string[];
  more: number;
  subgroups: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The groups where duo_features_enabled is false, each subtree once (a subgroup under a switched-off group follows it). */
export function offGroups(groups: readonly GroupFact[]): OffGroups | undefined {
  const off = groups.filter((g) => g.duoFeaturesEnabled === false);
  const offIds = new Set(off.map((g) => g.id));
  // Stryker disable next-line ConditionalExpression: a top-level group's absent parent is in no set of ids either
  const tops = off.filter((g) => g.parentId === undefined || !offIds.has(g.parentId));
  if (!tops.length) return undefined;
  const named = tops.map((g) => `${g.fullPath}${g.lockDuoFeaturesEnabled === true ? ' (Always off)' : ''}`);
  return {
    groups: named.slice(0, NAMED_GROUPS),
    more: Math.max(0, named.length - NAMED_GROUPS),
    subgroups: off.length - tops.length,
  };
}

export const messages = {
  unread: { status: 'skip', text: (d: { why: string }) => `GitLab's application settings could not be read: ${d.why}` },
  duoOff: {
    status: 'fail',
    text: (d: { locked: boolean }) =>
      `GitLab Duo is turned off for the whole instance (duo_features_enabled false${d.locked ? ', locked for every group' : ''}): Duo Chat answers error M3002 and no request reaches the gateway`,
    fix:
      'Turn GitLab Duo on at Admin > GitLab Duo > Change configuration > GitLab Duo availability ("On by default"), or in the Rails console: ' +
      '::Gitlab::CurrentSettings.update!(duo_features_enabled: true). Groups and projects can still turn it off below.',
  },
  silentMode: {
    status: 'fail',
    text: () => 'Silent Mode is on: GitLab blocks every outbound POST, so no completion or chat request reaches the AI gateway',
    fix: 'Turn Silent Mode off at Admin > Settings > General > Silent Mode (or PUT /api/v4/application/settings?silent_mode_enabled=false) once this instance is meant to serve users.',
  },
  duoOffInGroups: {
    status: 'warn',
    text: (d: OffGroups) =>
      `GitLab Duo is turned off in ${d.groups.join(', ')}${d.more ? ` and ${plural(d.more, 'more group')}` : ''}` +
      `${d.subgroups ? ` (with ${plural(d.subgroups, 'subgroup')} below, which follow)` : ''}: ` +
      'Duo Chat answers error M3002 there and no Duo request from their projects reaches the gateway',
    fix:
      'If Duo should work there: as the group\'s Owner, Settings > General > GitLab Duo features > "On by default" (GitLab 17.8 and later), ' +
      'or as an administrator `PUT /api/v4/groups/<id>?duo_availability=default_on`. A group set to "Always off" locks every subgroup ' +
      'off, so change it at that group; a subgroup left alone follows its parent.',
  },
  allOn: { status: 'pass', text: () => 'GitLab Duo is on for the instance and Silent Mode is off' },
} satisfies Messages;

/** What the group listing said, in one line. */
function groupDetails(groups: GroupsFacts | undefined): string[] {
  if (!groups) return [];
  if (!groups.ok) return [`Groups could not be read: ${groups.reason}`];
  const exposed = groups.groups.filter((g) => g.duoFeaturesEnabled !== undefined).length;
  const read = `${plural(groups.groups.length, 'group')} read${groups.truncated ? ' (the first pages only)' : ''}`;
  return [
    exposed === groups.groups.length
      ? read
      : `${read}; ${plural(groups.groups.length - exposed, 'group')} without duo_features_enabled (AI features not licensed there)`,
  ];
}

export function judge(f: Facts): Judgement<typeof messages> {
  if ('unread' in f) return { findings: [{ id: 'unread', data: { why: f.unread } }] };
  const findings: Judgement<typeof messages>['findings'] = [];
  if (f.duoFeaturesEnabled === false) findings.push({ id: 'duoOff', data: { locked: f.lockDuoFeaturesEnabled === true } });
  // With Duo off for the instance every group follows unless it turned Duo on itself: the instance finding says it all.
  const groups = f.groups?.ok && f.duoFeaturesEnabled !== false ? offGroups(f.groups.groups) : undefined;
  if (groups) findings.push({ id: 'duoOffInGroups', data: groups });
  if (f.silentModeEnabled === true) findings.push({ id: 'silentMode' });
  if (!findings.length) findings.push({ id: 'allOn' });
  const shown = (v: boolean | undefined) => (v === undefined ? 'not exposed' : String(v));
  return {
    findings,
    details: [
      `duo_features_enabled: ${shown(f.duoFeaturesEnabled)}, lock_duo_features_enabled: ${shown(f.lockDuoFeaturesEnabled)}, silent_mode_enabled: ${shown(f.silentModeEnabled)}`,
      ...groupDetails(f.groups),
      'Projects can turn Duo off below their group (the same M3002); this check reads the instance and its groups.',
    ],
  };
}

// Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);

export async function gather(ctx: CheckContext): Promise<Facts> {
  const ex = await gitlabGet(ctx, '/api/v4/application/settings');
  if (!ex.ok || ex.response.status !== 200) return { unread: describeExchange(ctx, ex) };
  const parsed = parseJson(ex.response);
  if (!parsed.ok || !parsed.value || typeof parsed.value !== 'object') return { unread: 'the answer is not a JSON object' };
  const v = parsed.value as Record<string, unknown>;
  const read = {
    duoFeaturesEnabled: bool(v.duo_features_enabled),
    lockDuoFeaturesEnabled: bool(v.lock_duo_features_enabled),
    silentModeEnabled: bool(v.silent_mode_enabled),
  };
  return { ...Object.fromEntries(Object.entries(read).filter(([, x]) => x !== undefined)), groups: await gitlabGroups(ctx) };
}

// Stryker restore all
export default defineCheck({
  id: 'duo-instance-settings',
  title: 'GitLab Duo is on for the instance and its groups, and Silent Mode is off',
  category: 'system-exchange',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  dependsOn: ['gitlab-reachable'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      'Reads GET /api/v4/application/settings with the admin token: duo_features_enabled and lock_duo_features_enabled (exposed when AI ' +
      'features are licensed) and silent_mode_enabled; then every group (GET /api/v4/groups, up to 1000) for its cascaded duo_features_enabled.',
    failsWhen:
      'Duo is off for the instance (Chat answers M3002: "A group or project owner has turned off Duo features"), or Silent Mode is on ' +
      '(gitlab-http allows only GET, HEAD, OPTIONS and TRACE outbound, so every request to the gateway is blocked). Warns when Duo is ' +
      'off for some groups ("Off by default" or "Always off"): their users get the same M3002.',
    fix: "Turn GitLab Duo on at Admin > GitLab Duo, or in the group's Settings > General > GitLab Duo features; turn Silent Mode off at Admin > Settings > General.",
  },
  messages,
  gather,
  judge,
});
