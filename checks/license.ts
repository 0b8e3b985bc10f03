// license: a GitLab license is installed, not expired (warn when it soon will be), and gives the token's user Code Suggestions.
import { defineCheck, type CheckContext } from '../src/check.js';
import { combineFindings, type Finding } from '../src/findings.js';
import { cloudConnectorStatus, describeExchange, gitlabGet, gitlabPost, probeText } from '../src/probes/gitlab-api.js';
import { parseJson, type HttpExchange } from '../src/probes/http.js';

const DAY_MS = 86_400_000;

const UPLOAD_LICENSE =
  'Add a license that includes GitLab Duo (Premium or Ultimate with the GitLab Duo Enterprise add-on, which self-hosted models need) ' +
  'at Admin > Subscription (/admin/subscription), or activate it there with an activation code.';
const RENEW =
  'Renew the subscription and add the new license at Admin > Subscription (/admin/subscription) (offline: upload the new license file). ' +
  'GitLab Duo stops working once the license has expired.';

/** The facts of GET /api/v4/license that matter here (the body says nothing about Code Suggestions). */
interface LicenseFacts {
  plan?: string;
  expiresAt?: string;
  expired: boolean;
  userLimit?: number;
  activeUsers?: number;
  addOns: string[];
}

/** The license body as facts, or undefined when GitLab has none (`null`). */
function licenseFacts(value: unknown): LicenseFacts | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const text = (x: unknown) => (typeof x === 'string' && x ? x : undefined);
  const num = (x: unknown) => (typeof x === 'number' ? x : undefined);
  return {
    plan: text(v.plan),
    expiresAt: text(v.expires_at),
    expired: v.expired === true,
    userLimit: num(v.user_limit),
    activeUsers: num(v.active_users),
    addOns: typeof v.add_ons === 'object' && v.add_ons !== null ? Object.keys(v.add_ons) : [],
  };
}

/** What GET /api/v4/license said: a license, none (404 or `null`), or an answer that is neither. */
function readLicense(
  ctx: CheckContext,
  ex: HttpExchange,
): { kind: 'license'; facts: LicenseFacts } | { kind: 'none' } | { kind: 'error'; reason: string } {
  if (ex.ok && ex.response.status === 404) return { kind: 'none' };
  if (!ex.ok || ex.response.status !== 200) return { kind: 'error', reason: describeExchange(ctx, ex) };
  const parsed = parseJson(ex.response);
  if (!parsed.ok) return { kind: 'error', reason: `the answer is not JSON: ${parsed.reason}` };
  if (parsed.value === null) return { kind: 'none' };
  const facts = licenseFacts(parsed.value);
  return facts ? { kind: 'license', facts } : { kind: 'error', reason: 'the answer is not a license object' };
}

/** Whole days from today (UTC) to a `YYYY-MM-DD` date; negative once passed. GitLab counts the expiry day as still valid. */
export function daysUntil(date: string, now = new Date()): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return undefined;
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Math.round((day - today) / DAY_MS);
}

/** The expiry finding for a license. */
function expiryFinding(facts: LicenseFacts, warnDays: number): Finding & { daysLeft?: number } {
  const plan = facts.plan ? `${facts.plan} license` : 'license';
  if (!facts.expiresAt) return { status: 'pass', summary: `The ${plan} never expires` };
  const daysLeft = daysUntil(facts.expiresAt);
  if (facts.expired || (daysLeft !== undefined && daysLeft < 0)) {
    const ago = daysLeft !== undefined ? ` (${-daysLeft} days ago)` : '';
    return { status: 'fail', summary: `The ${plan} expired on ${facts.expiresAt}${ago}`, fix: RENEW, daysLeft };
  }
  if (daysLeft !== undefined && daysLeft <= warnDays) {
    const when = daysLeft === 0 ? 'today' : `in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`;
    return { status: 'warn', summary: `The ${plan} expires ${when} (on ${facts.expiresAt})`, fix: RENEW, daysLeft };
  }
  return { status: 'pass', summary: `The ${plan} is valid until ${facts.expiresAt} (${daysLeft} days)`, daysLeft };
}

/** Whether GitLab lets the token's user use Code Suggestions, and how that was learnt. */
interface Access {
  state: 'granted' | 'no-license' | 'no-seat' | 'denied' | 'unknown';
  source: 'cloudConnectorStatus' | 'code_suggestions/connection_details';
  message: string;
}

const PROBE = 'code_suggestions_license_probe';

/** Code Suggestions access as GitLab decides it: its own license probe when it runs, else the answer of connection_details. */
async function codeSuggestionsAccess(ctx: CheckContext): Promise<Access> {
  const status = await cloudConnectorStatus(ctx);
  const probe = status.available ? status.probes.find((p) => p.name === PROBE) : undefined;
  if (probe) {
    const said = probeText(probe);
    const source = 'cloudConnectorStatus';
    if (probe.success) return { state: 'granted', source, message: probe.message || 'License includes access to Code Suggestions.' };
    if (/lack the necessary permissions/i.test(said)) return { state: 'no-seat', source, message: said };
    if (/does not provide access/i.test(said)) return { state: 'no-license', source, message: said };
    return { state: 'denied', source, message: said || `${PROBE} failed` };
  }
  // connection_details sits behind the same access check as completions, and has no side effect.
  const source = 'code_suggestions/connection_details';
  const ex = await gitlabPost(ctx, '/api/v4/code_suggestions/connection_details', {});
  const monolith = ex.ok && ex.response.headers['x-gitlab-error-origin'] === 'monolith';
  if (ex.ok && (ex.response.status === 200 || ex.response.status === 201)) {
    return { state: 'granted', source, message: 'GitLab gives this user Code Suggestions (code_suggestions/connection_details answered)' };
  }
  if (ex.ok && ex.response.status === 401 && monolith) {
    return { state: 'denied', source, message: 'GitLab refuses this user Code Suggestions (HTTP 401 from GitLab itself): the license lacks them, or the user has no GitLab Duo seat' };
  }
  if (ex.ok && ex.response.status === 404 && monolith) {
    return { state: 'denied', source, message: 'Code Suggestions are switched off on this instance (ops feature flag ai_duo_code_suggestions_switch)' };
  }
  const why = status.available ? `GitLab's health check has no ${PROBE}` : `GitLab's health check is unavailable: ${status.reason}`;
  return { state: 'unknown', source, message: `${why}; code_suggestions/connection_details: ${describeExchange(ctx, ex)}` };
}

/** The finding for Code Suggestions access, with GitLab's rake-task wording. */
function accessFinding(access: Access, user: string): Finding {
  const seat =
    `Assign a GitLab Duo seat to ${user} at /admin/code_suggestions (Admin > GitLab Duo > Seat utilization), as the install guide asks for the root user; ` +
    'check that the Duo add-on has seats left.';
  switch (access.state) {
    case 'granted':
      return { status: 'pass', summary: access.message };
    case 'no-license':
      return { status: 'fail', summary: 'License does not provide access to Code Suggestions, verify your license', fix: UPLOAD_LICENSE };
    case 'no-seat':
      return { status: 'fail', summary: 'License is correct, but user does not have access to code suggestions.', fix: seat };
    case 'denied':
      return { status: 'fail', summary: access.message, fix: `${seat}\nIf that does not help: ${UPLOAD_LICENSE}` };
    case 'unknown':
      return {
        status: 'warn',
        summary: 'Could not tell whether the license provides Code Suggestions',
        fix: 'Run the health check at Admin > GitLab Duo, or `sudo gitlab-rake gitlab:duo:verify_self_hosted_setup` on the GitLab host.',
      };
  }
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
      'GET /api/v4/license (plan, expiry, users), then whether the token\'s user may use Code Suggestions, as GitLab decides it: ' +
      'its own code_suggestions_license_probe (GraphQL cloudConnectorStatus), or else POST /api/v4/code_suggestions/connection_details. ' +
      'The license body alone cannot tell: GitLab Duo is an add-on with seats assigned to users.',
    failsWhen:
      'No license is installed; it has expired (warns within --expiry-warn-days, 30 by default); the license does not include ' +
      'Code Suggestions; or it does but the user has no GitLab Duo seat.',
    fix:
      'Add or renew the license at Admin > Subscription; assign a GitLab Duo seat to the user at /admin/code_suggestions.',
  },
  async run(ctx) {
    const user = String(ctx.resultOf('gitlab-reachable')?.evidence?.username ?? 'the token\'s user');
    const [ex, access] = await Promise.all([gitlabGet(ctx, '/api/v4/license'), codeSuggestionsAccess(ctx)]);
    const findings: Finding[] = [];
    const details: string[] = [];
    let facts: LicenseFacts | undefined;
    let daysLeft: number | undefined;

    const license = readLicense(ctx, ex);
    if (license.kind === 'none') {
      findings.push({ status: 'fail', summary: 'No license is installed: GitLab Duo needs a Premium or Ultimate license', fix: UPLOAD_LICENSE });
    } else if (license.kind === 'error') {
      findings.push({ status: 'fail', summary: `Could not read the license: ${license.reason}`, fix: 'The token must be an administrator\'s (see gitlab-reachable).' });
    } else {
      facts = license.facts;
      const expiry = expiryFinding(facts, ctx.settings.expiryWarnDays);
      daysLeft = expiry.daysLeft;
      findings.push(expiry);
      details.push(expiry.summary);
      if (facts.userLimit !== undefined) details.push(`Users: ${facts.activeUsers ?? '?'} active of ${facts.userLimit} licensed`);
      if (facts.addOns.length) details.push(`Add-ons: ${facts.addOns.join(', ')}`);
    }

    const accessResult = accessFinding(access, user);
    findings.push(accessResult);
    details.push(`Code Suggestions (${access.source}): ${access.message}`);

    const pass = facts ? `${findings[0]?.summary}; ${accessResult.summary}` : accessResult.summary;
    return combineFindings(findings, pass, details, {
      plan: facts?.plan,
      expiresAt: facts?.expiresAt,
      expired: facts?.expired,
      daysLeft,
      userLimit: facts?.userLimit,
      activeUsers: facts?.activeUsers,
      codeSuggestions: access.state,
      codeSuggestionsSource: access.source,
    });
  },
});
