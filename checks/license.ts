// license: a GitLab license is installed, not expired (warn when it soon will be), and gives the token's user Code
// Suggestions — as GitLab decides it, worded as the rake task of GitLab's version words it.
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { LICENSE_MISSING, rakeEra, rakeWording, type RakeEra } from '../src/judge/rake.js';
import {
  cloudConnectorStatus,
  describeExchange,
  gitlabGet,
  gitlabMetadata,
  gitlabPost,
  gitlabUsername,
  probeText,
} from '../src/probes/gitlab-api.js';
import { parseJson } from '../src/probes/http.js';
import { plural } from '../src/plural.js';

const DAY_MS = 86_400_000;
const PROBE = 'code_suggestions_license_probe';

const UPLOAD_LICENSE =
  'Add a license that includes GitLab Duo (Premium or Ultimate with the GitLab Duo Enterprise add-on, which self-hosted models need) ' +
  'at Admin > Subscription (/admin/subscription), or activate it there with an activation code.';
const RENEW =
  'Renew the subscription and add the new license at Admin > Subscription (/admin/subscription) (offline: upload the new license file). ' +
  'GitLab Duo stops working once the license has expired.';
const seatFix = (user: string) =>
  `Assign a GitLab Duo seat to ${user} at /admin/code_suggestions (Admin > GitLab Duo > Seat utilization), as the install guide asks for the root user; ` +
  'check that the Duo add-on has seats left.';

/** The facts of GET /api/v4/license that matter here (the body says nothing about Code Suggestions). */
export interface LicenseBody {
  plan?: string;
  expiresAt?: string;
  expired: boolean;
  userLimit?: number;
  activeUsers?: number;
  addOns: string[];
}

/** What GET /api/v4/license said: a license, none (404 or `null`), or an answer that is neither. */
export type LicenseRead = { kind: 'license'; body: LicenseBody } | { kind: 'none' } | { kind: 'error'; reason: string };

/** How GitLab answered whether the user may use Code Suggestions: its own license probe, or code_suggestions/connection_details. */
export type AccessRead =
  | { source: 'cloudConnectorStatus'; success: boolean; text: string }
  | { source: 'code_suggestions/connection_details'; status?: number; fromGitlab: boolean; said: string; healthCheck: string };

/** What license judges. */
export interface Facts {
  gitlabVersion?: string;
  user?: string;
  license: LicenseRead;
  access: AccessRead;
  /** The time of the run (ms since the epoch), for the days left. */
  now: number;
  warnDays: number;
}

/** Whole days from `now` (UTC) to a `YYYY-MM-DD` date; negative once passed. GitLab counts the expiry day as still valid. */
export function daysUntil(date: string, now: number): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return undefined;
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const today = new Date(now);
  return Math.round((day - Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())) / DAY_MS);
}

const planOf = (d: { plan?: string }) => (d.plan ? `${d.plan} license` : 'license');

export const messages = {
  neverExpires: { status: 'pass', text: (d: { plan?: string }) => `The ${planOf(d)} never expires` },
  valid: {
    status: 'pass',
    text: (d: { plan?: string; date: string; days?: number }) =>
      `The ${planOf(d)} is valid until ${d.date}${d.days !== undefined ? ` (${plural(d.days, 'day')})` : ''}`,
  },
  expiresSoon: {
    status: 'warn',
    text: (d: { plan?: string; date: string; days: number }) =>
      `The ${planOf(d)} expires ${d.days === 0 ? 'today' : `in ${d.days} day${d.days === 1 ? '' : 's'}`} (on ${d.date})`,
    fix: RENEW,
  },
  expired: {
    status: 'fail',
    text: (d: { plan?: string; date: string; daysAgo?: number }) =>
      `The ${planOf(d)} expired on ${d.date}${d.daysAgo !== undefined ? ` (${plural(d.daysAgo, 'day')} ago)` : ''}`,
    fix: RENEW,
  },
  noLicense: { status: 'fail', text: () => 'No license is installed: GitLab Duo needs a Premium or Ultimate license', fix: UPLOAD_LICENSE },
  licenseUnreadable: {
    status: 'fail',
    text: (d: { reason: string }) => `Could not read the license: ${d.reason}`,
    fix: "The token must be an administrator's (see gitlab-reachable).",
  },
  accessGranted: { status: 'pass', text: (d: { said: string }) => d.said },
  accessNoLicense: { status: 'fail', text: () => LICENSE_MISSING, fix: UPLOAD_LICENSE },
  accessNoSeat: {
    status: 'fail',
    text: (d: { era: RakeEra; user: string }) => rakeWording(d.era).seatMissing,
    fix: (d: { user: string }) => seatFix(d.user),
  },
  accessDenied: {
    status: 'fail',
    text: (d: { said: string; user: string }) => d.said,
    fix: (d: { user: string }) => `${seatFix(d.user)}\nIf that does not help: ${UPLOAD_LICENSE}`,
  },
  accessSwitchedOff: {
    status: 'fail',
    text: () => 'Code Suggestions are switched off on this instance (ops feature flag ai_duo_code_suggestions_switch)',
    fix: 'Turn Code Suggestions back on: `Feature.enable(:ai_duo_code_suggestions_switch)` in the Rails console.',
  },
  accessUnknown: {
    status: 'warn',
    text: () => 'Could not tell whether the license provides Code Suggestions',
    fix: 'Run the health check at Admin > GitLab Duo, or `sudo gitlab-rake gitlab:duo:verify_self_hosted_setup` on the GitLab host.',
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

function expiryFinding(body: LicenseBody, f: Facts): Finding & { days?: number } {
  if (!body.expiresAt) return { id: 'neverExpires', data: { plan: body.plan } };
  const days = daysUntil(body.expiresAt, f.now);
  const date = body.expiresAt;
  if (body.expired || (days !== undefined && days < 0))
    // GitLab may call it expired while this host's clock still counts days left: no "-1 days ago".
    return { id: 'expired', data: { plan: body.plan, date, ...(days !== undefined && days < 0 ? { daysAgo: -days } : {}) }, days };
  if (days !== undefined && days <= f.warnDays) return { id: 'expiresSoon', data: { plan: body.plan, date, days }, days };
  return { id: 'valid', data: { plan: body.plan, date, ...(days !== undefined ? { days } : {}) }, days };
}

function accessFinding(a: AccessRead, user: string, era: RakeEra): { finding: Finding; state: string; said: string } {
  if (a.source === 'cloudConnectorStatus') {
    if (a.success)
      return {
        finding: { id: 'accessGranted', data: { said: a.text || 'License includes access to Code Suggestions.' } },
        state: 'granted',
        said: a.text,
      };
    if (/lack the necessary permissions/i.test(a.text))
      return { finding: { id: 'accessNoSeat', data: { era, user } }, state: 'no-seat', said: a.text };
    if (/does not provide access/i.test(a.text)) return { finding: { id: 'accessNoLicense' }, state: 'no-license', said: a.text };
    return { finding: { id: 'accessDenied', data: { said: a.text || `${PROBE} failed`, user } }, state: 'denied', said: a.text };
  }
  if (a.status === 200 || a.status === 201) {
    const said = 'GitLab gives this user Code Suggestions (code_suggestions/connection_details answered)';
    return { finding: { id: 'accessGranted', data: { said } }, state: 'granted', said };
  }
  if (a.status === 401 && a.fromGitlab) {
    const said =
      'GitLab refuses this user Code Suggestions (HTTP 401 from GitLab itself): the license lacks them, or the user has no GitLab Duo seat';
    return { finding: { id: 'accessDenied', data: { said, user } }, state: 'denied', said };
  }
  if (a.status === 404 && a.fromGitlab) return { finding: { id: 'accessSwitchedOff' }, state: 'denied', said: 'switched off' };
  const said = `${a.healthCheck}; code_suggestions/connection_details: ${a.said}`;
  return { finding: { id: 'accessUnknown' }, state: 'unknown', said };
}

/** Judges the license and the user's Code Suggestions access. Pure. */
export function judge(f: Facts): Judgement<typeof messages> {
  const era = rakeEra(f.gitlabVersion);
  const user = f.user ?? "the token's user";
  const findings: Finding[] = [];
  const details: string[] = [];
  let days: number | undefined;
  const body = f.license.kind === 'license' ? f.license.body : undefined;
  if (f.license.kind === 'none') findings.push({ id: 'noLicense' });
  else if (f.license.kind === 'error') findings.push({ id: 'licenseUnreadable', data: { reason: f.license.reason } });
  else {
    const expiry = expiryFinding(f.license.body, f);
    days = expiry.days;
    findings.push({ id: expiry.id, data: expiry.data } as Finding);
    if (f.license.body.userLimit !== undefined)
      details.push(`Users: ${f.license.body.activeUsers ?? '?'} active of ${f.license.body.userLimit} licensed`);
    if (f.license.body.addOns.length) details.push(`Add-ons: ${f.license.body.addOns.join(', ')}`);
  }
  const access = accessFinding(f.access, user, era);
  findings.push(access.finding);
  details.push(`Code Suggestions (${f.access.source}): ${access.said || access.state}`);
  const granted = access.state === 'granted';
  return {
    findings,
    details,
    evidence: {
      plan: body?.plan,
      expiresAt: body?.expiresAt,
      expired: body?.expired,
      daysLeft: days,
      userLimit: body?.userLimit,
      activeUsers: body?.activeUsers,
      codeSuggestions: access.state,
      codeSuggestionsSource: f.access.source,
      ...(f.user ? { user: f.user } : {}),
      // The rake task's `license` diagnostics.
      rakeDiagnostics: {
        license: {
          feature_available: access.state !== 'no-license' && access.state !== 'unknown' ? true : access.state === 'no-license' ? false : null,
          user_has_access: granted,
          license_type: body?.plan ?? 'No license',
          license_expires: body?.expiresAt ?? null,
          ...(granted
            ? {}
            : { error: access.state === 'no-seat' ? 'License valid but user lacks access' : 'License does not provide code suggestions feature' }),
        },
      },
    },
  };
}

export function licenseBody(value: Record<string, unknown>): LicenseBody {
  const text = (x: unknown) => (typeof x === 'string' && x ? x : undefined);
  const num = (x: unknown) => (typeof x === 'number' ? x : undefined);
  const body: LicenseBody = {
    expired: value.expired === true,
    addOns: typeof value.add_ons === 'object' && value.add_ons !== null ? Object.keys(value.add_ons) : [],
  };
  const plan = text(value.plan);
  const expiresAt = text(value.expires_at);
  const userLimit = num(value.user_limit);
  const activeUsers = num(value.active_users);
  return {
    ...body,
    ...(plan ? { plan } : {}),
    ...(expiresAt ? { expiresAt } : {}),
    ...(userLimit !== undefined ? { userLimit } : {}),
    ...(activeUsers !== undefined ? { activeUsers } : {}),
  };
}

export default defineCheck({
  id: 'license',
  title: 'The license is valid and provides Code Suggestions',
  category: 'license',
  tags: ['ci', 'oncall', 'pre-upgrade'],
  dependsOn: ['gitlab-reachable'],
  needs: ['gitlab', 'token'],
  explain: {
    checks:
      "GET /api/v4/license (plan, expiry, users), then whether the token's user may use Code Suggestions, as GitLab decides it: " +
      'its own code_suggestions_license_probe (GraphQL cloudConnectorStatus), or else POST /api/v4/code_suggestions/connection_details. ' +
      'The license body alone cannot tell: GitLab Duo is an add-on with seats assigned to users.',
    failsWhen:
      'No license is installed; it has expired (warns within --expiry-warn-days, 30 by default); the license does not include ' +
      'Code Suggestions; or it does but the user has no GitLab Duo seat.',
    fix: 'Add or renew the license at Admin > Subscription; assign a GitLab Duo seat to the user at /admin/code_suggestions.',
  },
  messages,
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const [ex, status, metadata, user] = await Promise.all([
      gitlabGet(ctx, '/api/v4/license'),
      cloudConnectorStatus(ctx),
      gitlabMetadata(ctx),
      gitlabUsername(ctx),
    ]);
    let license: LicenseRead;
    if (ex.ok && ex.response.status === 404) license = { kind: 'none' };
    else if (!ex.ok || ex.response.status !== 200) license = { kind: 'error', reason: describeExchange(ctx, ex) };
    else {
      const parsed = parseJson(ex.response);
      if (!parsed.ok) license = { kind: 'error', reason: `the answer is not JSON: ${parsed.reason}` };
      else if (parsed.value === null) license = { kind: 'none' };
      else if (typeof parsed.value !== 'object') license = { kind: 'error', reason: 'the answer is not a license object' };
      else license = { kind: 'license', body: licenseBody(parsed.value as Record<string, unknown>) };
    }
    const probe = status.available ? status.probes.find((p) => p.name === PROBE) : undefined;
    let access: AccessRead;
    if (probe) access = { source: 'cloudConnectorStatus', success: probe.success, text: probeText(probe) };
    else {
      // connection_details sits behind the same access check as completions, and has no side effect.
      const cd = await gitlabPost(ctx, '/api/v4/code_suggestions/connection_details', {});
      access = {
        source: 'code_suggestions/connection_details',
        ...(cd.ok ? { status: cd.response.status } : {}),
        fromGitlab: cd.ok && cd.response.headers['x-gitlab-error-origin'] === 'monolith',
        said: describeExchange(ctx, cd),
        healthCheck: status.available ? `GitLab's health check has no ${PROBE}` : `GitLab's health check is unavailable: ${status.reason}`,
      };
    }
    return {
      license,
      access,
      now: Date.now(),
      warnDays: ctx.settings.expiryWarnDays,
      ...(metadata.version ? { gitlabVersion: metadata.version } : {}),
      ...(user ? { user } : {}),
    };
  },
  // Stryker restore all
  judge,
});
