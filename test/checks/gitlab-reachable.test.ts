// gitlab-reachable against a scripted GitLab: version and edition, token rejected vs not an administrator's, connection failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/gitlab-reachable.js';
import { makeContext } from '../helpers/context.js';
import { startFakeGitLab, type Answer, type FakeGitLab } from '../helpers/fake-gitlab.js';
import { FORBIDDEN, INSUFFICIENT_SCOPE, METADATA_CE, METADATA_EE, UNAUTHORIZED, USER_ADMIN, USER_REGULAR } from '../helpers/gitlab-bodies.js';
import { freePort } from '../helpers/loopback.js';

const TOKEN = 'glpat-reachable-test-token';
let gitlab: FakeGitLab;

beforeAll(async () => {
  gitlab = await startFakeGitLab({});
});
afterAll(() => gitlab.close());

interface Case {
  name: string;
  metadata: Answer;
  user?: Answer;
  status: string;
  summary: RegExp;
  remediation?: RegExp;
  evidence?: Record<string, unknown>;
}

const cases: Case[] = [
  {
    name: 'EE and an administrator',
    metadata: { body: METADATA_EE },
    user: { body: USER_ADMIN },
    status: 'pass',
    summary: /^GitLab 18\.6\.0-ee Enterprise Edition answers; the token is administrator root's$/,
    evidence: { version: '18.6.0-ee', revision: 'ceb07b24cb0', enterprise: true, username: 'root', isAdmin: true },
  },
  {
    name: 'a rejected token (401)',
    metadata: { status: 401, body: UNAUTHORIZED },
    status: 'fail',
    summary: /token rejected/,
    remediation: /personal access token with the `api` scope/,
    evidence: { httpStatus: 401 },
  },
  {
    name: 'a token without the scope (403 insufficient_scope)',
    metadata: { status: 403, body: INSUFFICIENT_SCOPE },
    status: 'fail',
    summary: /lacks the scope/,
    remediation: /`api` scope/,
  },
  {
    name: 'a 403 on /user',
    metadata: { body: METADATA_EE },
    user: { status: 403, body: FORBIDDEN },
    status: 'fail',
    summary: /^The token is not an administrator's/,
  },
  {
    name: 'a regular user',
    metadata: { body: METADATA_EE },
    user: { body: USER_REGULAR },
    status: 'fail',
    summary: /^The token is not an administrator's \(user alice, is_admin false\)/,
    evidence: { isAdmin: false, username: 'alice' },
  },
  {
    name: 'the Community Edition',
    metadata: { body: METADATA_CE },
    user: { body: USER_ADMIN },
    status: 'fail',
    summary: /Community Edition: GitLab Duo Self-Hosted needs the Enterprise Edition/,
    remediation: /gitlab-ee/,
    evidence: { enterprise: false },
  },
  {
    name: 'an older GitLab without the enterprise field',
    metadata: { body: { version: '16.11.2-ee', revision: 'abc', kas: METADATA_EE.kas } },
    user: { body: USER_ADMIN },
    status: 'pass',
    summary: /16\.11\.2-ee Enterprise Edition/,
  },
  {
    name: 'an HTML page (a proxy in front)',
    metadata: { headers: { 'content-type': 'text/html' }, body: '<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head></html>' },
    status: 'fail',
    summary: /does not answer like GitLab: .*HTML page \("Welcome to nginx!"\)/,
  },
  {
    name: 'no API there (404)',
    metadata: { status: 404, body: { message: '404 Not Found' } },
    status: 'fail',
    summary: /No GitLab API at .*HTTP 404/,
    remediation: /relative URL root/,
  },
];

describe('gitlab-reachable', () => {
  it.each(cases)('$name → $status', async (c) => {
    gitlab.routes = { 'GET /api/v4/metadata': c.metadata, ...(c.user ? { 'GET /api/v4/user': c.user } : {}) };
    const outcome = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN }));
    expect(outcome.status).toBe(c.status);
    expect(outcome.summary).toMatch(c.summary);
    if (c.remediation) expect(outcome.remediation).toMatch(c.remediation);
    if (c.evidence) expect(outcome.evidence).toMatchObject(c.evidence);
    expect(JSON.stringify(outcome)).not.toContain(TOKEN);
  });

  it('lists both problems of a CE instance and a regular user', async () => {
    gitlab.routes = { 'GET /api/v4/metadata': { body: METADATA_CE }, 'GET /api/v4/user': { body: USER_REGULAR } };
    const outcome = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN }));
    expect(outcome.status).toBe('fail');
    expect(outcome.details?.join('\n')).toMatch(/✗ The token is not an administrator's/);
  });

  it('reports a redirect to another origin without following it', async () => {
    gitlab.routes = { 'GET /api/v4/metadata': { status: 301, headers: { location: 'https://gitlab.example.com/api/v4/metadata' } } };
    const outcome = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN }));
    expect(outcome).toMatchObject({ status: 'fail', summary: 'GitLab redirected to https://gitlab.example.com; the token was not sent there (HTTP 301)' });
    expect(outcome.remediation).toMatch(/Use the URL GitLab redirects to/);
  });

  it('names the kind of a connection failure', async () => {
    const port = await freePort();
    const outcome = await check.run(makeContext({ gitlabUrl: `http://127.0.0.1:${port}`, gitlabToken: TOKEN }));
    expect(outcome.status).toBe('fail');
    expect(outcome.summary).toMatch(/unreachable \(refused\)/);
    expect(outcome.remediation).toMatch(/Nothing listens on that port/);
    expect(outcome.evidence).toMatchObject({ failure: 'refused' });
  });
});
