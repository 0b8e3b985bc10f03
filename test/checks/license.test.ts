// license against a scripted GitLab: none, expired, expiring, and Code Suggestions access from GitLab's probe or connection_details.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { daysUntil, judge, licenseBody, type AccessRead, type Facts, type LicenseBody } from '../../checks/license.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';
import healthCheck from '../../checks/gitlab-health-check.js';
import type { CheckResult } from '../../src/model.js';
import { makeContext } from '../helpers/context.js';
import { gqlData, missingField, startFakeGitLab, type Answer, type FakeGitLab } from '../helpers/fake-gitlab.js';
import { connectorStatus, FORBIDDEN, license, probe, UNAUTHORIZED } from '../helpers/gitlab-bodies.js';

const TOKEN = 'glpat-license-test-token';
const REACHABLE: CheckResult = { id: 'gitlab-reachable', category: 'network', status: 'pass', title: '', summary: '', details: [], durationMs: 1 };
const USER = { 'GET /api/v4/user': { body: { username: 'root' } } };

const NO_SEAT = probe(
  'code_suggestions_license_probe',
  false,
  'License includes access to Code Suggestions, but you lack the necessary permissions to use this feature.',
);
const NO_FEATURE = probe('code_suggestions_license_probe', false, 'License does not provide access to Code Suggestions.');
const MONOLITH = { 'x-gitlab-error-origin': 'monolith' };

let gitlab: FakeGitLab;

const run = (expiryWarnDays = 30) => check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN, expiryWarnDays }, [REACHABLE]));

interface Case {
  name: string;
  license: Answer;
  graphql?: Answer;
  connectionDetails?: Answer;
  status: string;
  summary: RegExp;
  remediation?: RegExp;
  details?: RegExp;
  evidence?: Record<string, unknown>;
}

const OK_STATUS = gqlData(connectorStatus());

const cases: Case[] = [
  {
    name: 'a valid license with Code Suggestions',
    license: { body: license(365) },
    graphql: OK_STATUS,
    status: 'pass',
    summary: /^The ultimate license is valid until \d{4}-\d\d-\d\d \(365 days\)$/,
    evidence: { plan: 'ultimate', daysLeft: 365, codeSuggestions: 'granted', codeSuggestionsSource: 'cloudConnectorStatus' },
  },
  {
    name: 'a license that never expires',
    license: { body: license(null) },
    graphql: OK_STATUS,
    status: 'pass',
    summary: /never expires/,
  },
  {
    name: 'no license (null)',
    license: { body: null },
    graphql: OK_STATUS,
    status: 'fail',
    summary: /^No license is installed/,
    remediation: /Admin > Subscription/,
  },
  {
    name: 'no license (404)',
    license: { status: 404, body: { message: '404 Not Found' } },
    graphql: OK_STATUS,
    status: 'fail',
    summary: /^No license is installed/,
  },
  {
    name: 'an expired license',
    license: { body: license(-3) },
    graphql: OK_STATUS,
    status: 'fail',
    summary: /^The ultimate license expired on \d{4}-\d\d-\d\d \(3 days ago\)$/,
    remediation: /Renew the subscription/,
  },
  {
    name: 'a license expiring in 10 days',
    license: { body: license(10) },
    graphql: OK_STATUS,
    status: 'warn',
    summary: /^The ultimate license expires in 10 days \(on \d{4}-\d\d-\d\d\)$/,
    evidence: { daysLeft: 10 },
  },
  {
    name: 'a license expiring today',
    license: { body: license(0) },
    graphql: OK_STATUS,
    status: 'warn',
    summary: /expires today/,
  },
  {
    name: 'a license without Code Suggestions',
    license: { body: license(365) },
    graphql: gqlData(connectorStatus({ code_suggestions_license_probe: NO_FEATURE })),
    status: 'fail',
    summary: /^License does not provide access to code suggestions, verify your license$/,
    remediation: /GitLab Duo Enterprise add-on/,
    evidence: { codeSuggestions: 'no-license' },
  },
  {
    name: 'a user without a Duo seat',
    license: { body: license(365) },
    graphql: gqlData(connectorStatus({ code_suggestions_license_probe: NO_SEAT })),
    status: 'fail',
    summary: /^License is correct, but user does not have access to code suggestions\. Please check user permissions/,
    remediation: /Assign a GitLab Duo seat to root at \/admin\/code_suggestions/,
    evidence: { codeSuggestions: 'no-seat' },
  },
  {
    name: 'an expired license and no seat: the expiry leads, both listed',
    license: { body: license(-1) },
    graphql: gqlData(connectorStatus({ code_suggestions_license_probe: NO_SEAT })),
    status: 'fail',
    summary: /expired on/,
    remediation: /Renew[\s\S]*\/admin\/code_suggestions/,
  },
  {
    name: 'an older GitLab: access from connection_details',
    license: { body: license(365) },
    graphql: missingField('cloudConnectorStatus', 'Query'),
    connectionDetails: { status: 201, body: { instance_id: 'uuid', realm: 'self-managed' } },
    status: 'pass',
    summary: /^The ultimate license is valid until/,
    details: /code_suggestions\/connection_details answered/,
    evidence: { codeSuggestions: 'granted', codeSuggestionsSource: 'code_suggestions/connection_details' },
  },
  {
    name: 'an older GitLab refusing the user (401 from the monolith)',
    license: { body: license(365) },
    graphql: missingField('cloudConnectorStatus', 'Query'),
    connectionDetails: { status: 401, headers: MONOLITH, body: UNAUTHORIZED },
    status: 'fail',
    summary: /refuses this user Code Suggestions \(HTTP 401 from GitLab itself\)/,
    remediation: /\/admin\/code_suggestions/,
    evidence: { codeSuggestions: 'denied' },
  },
  {
    name: 'access cannot be told',
    license: { body: license(365) },
    graphql: { status: 500, body: 'Internal Server Error' },
    connectionDetails: { status: 500, body: 'Internal Server Error' },
    status: 'warn',
    summary: /^Could not tell whether the license provides Code Suggestions$/,
    remediation: /verify_self_hosted_setup/,
  },
  {
    name: 'a token that may not read the license',
    license: { status: 403, body: FORBIDDEN },
    graphql: OK_STATUS,
    status: 'fail',
    summary: /^Could not read the license: GitLab answered HTTP 403 \(403 Forbidden\)$/,
  },
];

describe('license', () => {
  beforeAll(async () => {
    gitlab = await startFakeGitLab({});
  });
  afterAll(() => gitlab.close());

  it.each(cases)('$name → $status', async (c) => {
    gitlab.routes = {
      ...USER,
      'GET /api/v4/license': c.license,
      ...(c.graphql ? { 'POST /api/graphql': c.graphql } : {}),
      ...(c.connectionDetails ? { 'POST /api/v4/code_suggestions/connection_details': c.connectionDetails } : {}),
    };
    const outcome = await run();
    expect(outcome.status).toBe(c.status);
    expect(outcome.summary).toMatch(c.summary);
    if (c.remediation) expect(outcome.remediation).toMatch(c.remediation);
    if (c.details) expect(outcome.details?.join('\n')).toMatch(c.details);
    if (c.evidence) expect(outcome.evidence).toMatchObject(c.evidence);
    expect(JSON.stringify(outcome)).not.toContain(TOKEN);
  });

  it('honours --expiry-warn-days', async () => {
    gitlab.routes = { 'GET /api/v4/license': { body: license(10) }, 'POST /api/graphql': OK_STATUS };
    expect((await run(5)).status).toBe('pass');
  });

  it("shares GitLab's health-check GraphQL call with gitlab-health-check", async () => {
    gitlab.routes = { 'GET /api/v4/license': { body: license(365) }, 'POST /api/graphql': OK_STATUS };
    gitlab.requests.length = 0;
    const ctx = makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN }, [REACHABLE]);
    await Promise.all([check.run(ctx), healthCheck.run(ctx)]);
    expect(gitlab.requests.filter((r) => r.query?.includes('cloudConnectorStatus'))).toHaveLength(1);
  });
});

describe('daysUntil', () => {
  const now = Date.parse('2025-03-10T23:30:00Z');
  it.each([
    ['2025-03-10', 0],
    ['2025-03-11', 1],
    ['2025-03-09', -1],
    ['2026-03-10', 365],
    ['2025-04-01T00:00:00Z', 22],
    ['2024-02-29', -375],
  ])('%s → %i', (date, days) => expect(daysUntil(date, now)).toBe(days));
  it.each(['soon', '', '2025-3-10', '25-03-10', 'x2025-03-10'])('is undefined for a malformed date %j', (date) =>
    expect(daysUntil(date, now)).toBeUndefined(),
  );
});

describe('license judge at the edges of --expiry-warn-days', () => {
  const NOW = Date.parse('2025-03-10T12:00:00Z');
  const on = (days: number) => new Date(NOW + days * 86_400_000).toISOString().slice(0, 10);
  const facts = (expiresAt: string | undefined): Facts => ({
    license: { kind: 'license', body: { plan: 'ultimate', expired: false, addOns: [], ...(expiresAt ? { expiresAt } : {}) } },
    access: { source: 'cloudConnectorStatus', success: true, text: 'License includes access to Code Suggestions.' },
    now: NOW,
    warnDays: 30,
  });
  it.each<[string, string | undefined, string]>([
    ['31 days left (one past the threshold)', on(31), 'valid'],
    ['30 days left (at the threshold)', on(30), 'expiresSoon'],
    ['today', on(0), 'expiresSoon'],
    ['yesterday', on(-1), 'expired'],
    ['no expiry', undefined, 'neverExpires'],
    ['an empty expiry', '', 'neverExpires'],
  ])('%s → %s', (_name, expiresAt, id) => {
    expect(judge(facts(expiresAt)).findings.map((f) => f.id)).toEqual([id, 'accessGranted']);
  });
});

describe('license renderings (every message, pinned in __renderings__/license.txt)', () => {
  const NOW = Date.parse('2025-03-10T12:00:00Z');
  const body = (extra: Partial<LicenseBody> = {}): LicenseBody => ({
    plan: 'ultimate',
    expired: false,
    addOns: [],
    expiresAt: '2026-03-10',
    ...extra,
  });
  const granted: AccessRead = { source: 'cloudConnectorStatus', success: true, text: 'License includes access to Code Suggestions.' };
  const connection = (status: number | undefined, fromGitlab: boolean): AccessRead => ({
    source: 'code_suggestions/connection_details',
    ...(status !== undefined ? { status } : {}),
    fromGitlab,
    said: `HTTP ${status ?? 'none'}`,
    healthCheck: 'health check said nothing',
  });
  const at = (license: Facts['license'], access: AccessRead = granted, extra: Partial<Facts> = {}): Facts => ({
    license,
    access,
    now: NOW,
    warnDays: 30,
    ...extra,
  });
  const cases: RenderCase<Facts>[] = [
    {
      name: 'valid, with users and add-ons',
      facts: at({ kind: 'license', body: body({ userLimit: 100, activeUsers: 7, addOns: ['duo_enterprise', 'duo_pro'] }) }, granted, {
        user: 'root',
        gitlabVersion: '18.6.0',
      }),
    },
    { name: 'valid, user limit without active users, no plan', facts: at({ kind: 'license', body: body({ plan: undefined, userLimit: 0 }) }) },
    { name: 'never expires', facts: at({ kind: 'license', body: body({ expiresAt: undefined }) }) },
    { name: 'expires today', facts: at({ kind: 'license', body: body({ expiresAt: '2025-03-10' }) }) },
    { name: 'expires tomorrow', facts: at({ kind: 'license', body: body({ expiresAt: '2025-03-11' }) }) },
    { name: 'expires in 30 days', facts: at({ kind: 'license', body: body({ expiresAt: '2025-04-09' }) }) },
    { name: 'expired 3 days ago', facts: at({ kind: 'license', body: body({ expiresAt: '2025-03-07' }) }) },
    { name: 'expired yesterday', facts: at({ kind: 'license', body: body({ expiresAt: '2025-03-09' }) }) },
    { name: 'marked expired on its last day', facts: at({ kind: 'license', body: body({ expired: true, expiresAt: '2025-03-10' }) }) },
    { name: 'marked expired, date ahead', facts: at({ kind: 'license', body: body({ expired: true, expiresAt: '2025-03-20' }) }) },
    { name: 'valid for 1 day, no warning asked', facts: at({ kind: 'license', body: body({ expiresAt: '2025-03-11' }) }, granted, { warnDays: 0 }) },
    { name: 'valid, one day past the warning', facts: at({ kind: 'license', body: body({ expiresAt: '2025-04-10' }) }) },
    { name: 'valid, date unreadable', facts: at({ kind: 'license', body: body({ expiresAt: 'someday' }) }) },
    { name: 'marked expired, date unreadable', facts: at({ kind: 'license', body: body({ expired: true, expiresAt: 'soon' }) }) },
    { name: 'no license', facts: at({ kind: 'none' }) },
    { name: 'license unreadable', facts: at({ kind: 'error', reason: 'HTTP 403 from GitLab' }) },
    {
      name: 'granted, GitLab said nothing',
      facts: at({ kind: 'license', body: body() }, { source: 'cloudConnectorStatus', success: true, text: '' }),
    },
    {
      name: 'no seat (18.6)',
      facts: at(
        { kind: 'license', body: body() },
        { source: 'cloudConnectorStatus', success: false, text: 'but you lack the necessary permissions' },
        { gitlabVersion: '18.6.0', user: 'alice' },
      ),
    },
    {
      name: 'no seat (17.9)',
      facts: at(
        { kind: 'license', body: body() },
        { source: 'cloudConnectorStatus', success: false, text: 'but you lack the necessary permissions' },
        { gitlabVersion: '17.9.0' },
      ),
    },
    {
      name: 'license without Code Suggestions',
      facts: at(
        { kind: 'license', body: body() },
        { source: 'cloudConnectorStatus', success: false, text: 'License does not provide access to Code Suggestions.' },
      ),
    },
    {
      name: 'probe failed, said why',
      facts: at({ kind: 'license', body: body() }, { source: 'cloudConnectorStatus', success: false, text: 'something else' }),
    },
    { name: 'probe failed silently', facts: at({ kind: 'license', body: body() }, { source: 'cloudConnectorStatus', success: false, text: '' }) },
    { name: 'connection_details 200', facts: at({ kind: 'license', body: body() }, connection(200, true)) },
    { name: 'connection_details 201', facts: at({ kind: 'license', body: body() }, connection(201, false)) },
    { name: 'connection_details 401 from GitLab', facts: at({ kind: 'license', body: body() }, connection(401, true)) },
    { name: 'connection_details 401 not from GitLab', facts: at({ kind: 'license', body: body() }, connection(401, false)) },
    { name: 'connection_details 404 from GitLab', facts: at({ kind: 'license', body: body() }, connection(404, true)) },
    { name: 'connection_details 404 not from GitLab', facts: at({ kind: 'license', body: body() }, connection(404, false)) },
    { name: 'connection_details unanswered', facts: at({ kind: 'none' }, connection(undefined, false)) },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});

describe('licenseBody: the parts of GET /api/v4/license that matter', () => {
  it.each<[string, Record<string, unknown>, LicenseBody]>([
    [
      'a full license',
      { plan: 'ultimate', expires_at: '2026-03-10', expired: false, user_limit: 100, active_users: 7, add_ons: { duo_enterprise: 1, duo_pro: {} } },
      { plan: 'ultimate', expiresAt: '2026-03-10', expired: false, userLimit: 100, activeUsers: 7, addOns: ['duo_enterprise', 'duo_pro'] },
    ],
    ['an empty object', {}, { expired: false, addOns: [] }],
    ['expired: true', { expired: true }, { expired: true, addOns: [] }],
    ['expired as a string is not true', { expired: 'true' }, { expired: false, addOns: [] }],
    ['zero users kept', { user_limit: 0, active_users: 0 }, { expired: false, addOns: [], userLimit: 0, activeUsers: 0 }],
    ['numbers as strings dropped', { user_limit: '100', active_users: '7' }, { expired: false, addOns: [] }],
    ['empty strings dropped', { plan: '', expires_at: '' }, { expired: false, addOns: [] }],
    ['wrong types dropped', { plan: 5, expires_at: 20260310 }, { expired: false, addOns: [] }],
    ['null members', { plan: null, expires_at: null, user_limit: null, add_ons: null }, { expired: false, addOns: [] }],
    ['add_ons a string', { add_ons: 'duo' }, { expired: false, addOns: [] }],
  ])('%s', (_name, value, expected) => expect(licenseBody(value)).toStrictEqual(expected));
});
