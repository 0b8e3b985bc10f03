// duo-instance-settings: GitLab's instance-wide switches that stop every Duo request before it reaches the gateway —
// GitLab Duo turned off for the instance (error M3002) and Silent Mode (outbound POSTs blocked).
import { defineCheck, type CheckContext, type Judgement, type Messages } from '../src/check.js';
import { describeExchange, gitlabGet } from '../src/probes/gitlab-api.js';
import { parseJson } from '../src/probes/http.js';

/** The settings read (absent: GitLab did not expose the field, e.g. duo_features_enabled without AI features licensed). */
export type Facts = { unread: string } | { duoFeaturesEnabled?: boolean; lockDuoFeaturesEnabled?: boolean; silentModeEnabled?: boolean };

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
  allOn: { status: 'pass', text: () => 'GitLab Duo is on for the instance and Silent Mode is off' },
} satisfies Messages;

export function judge(f: Facts): Judgement<typeof messages> {
  if ('unread' in f) return { findings: [{ id: 'unread', data: { why: f.unread } }] };
  const findings: Judgement<typeof messages>['findings'] = [];
  if (f.duoFeaturesEnabled === false) findings.push({ id: 'duoOff', data: { locked: f.lockDuoFeaturesEnabled === true } });
  if (f.silentModeEnabled === true) findings.push({ id: 'silentMode' });
  if (!findings.length) findings.push({ id: 'allOn' });
  const shown = (v: boolean | undefined) => (v === undefined ? 'not exposed' : String(v));
  return {
    findings,
    details: [
      `duo_features_enabled: ${shown(f.duoFeaturesEnabled)}, lock_duo_features_enabled: ${shown(f.lockDuoFeaturesEnabled)}, silent_mode_enabled: ${shown(f.silentModeEnabled)}`,
      'Groups and projects can turn Duo off below the instance (the same M3002); this check reads the instance only.',
    ],
  };
}

const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);

// Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
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
  return Object.fromEntries(Object.entries(read).filter(([, x]) => x !== undefined));
}

// Stryker restore all
export default defineCheck({
  id: 'duo-instance-settings',
  title: 'GitLab Duo is on for the instance and Silent Mode is off',
  category: 'system-exchange',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  dependsOn: ['gitlab-reachable'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      'Reads GET /api/v4/application/settings with the admin token: duo_features_enabled and lock_duo_features_enabled (exposed when AI ' +
      'features are licensed) and silent_mode_enabled.',
    failsWhen:
      'Duo is off for the instance (Chat answers M3002: "A group or project owner has turned off Duo features"), or Silent Mode is on ' +
      '(gitlab-http allows only GET, HEAD, OPTIONS and TRACE outbound, so every request to the gateway is blocked).',
    fix: 'Turn GitLab Duo on at Admin > GitLab Duo; turn Silent Mode off at Admin > Settings > General.',
  },
  messages,
  gather,
  judge,
});
