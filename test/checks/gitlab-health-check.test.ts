// gitlab-health-check against a scripted GitLab: every probe listed, failures failed, an unavailable health check skipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/gitlab-health-check.js';
import { makeContext } from '../helpers/context.js';
import { gqlData, gqlErrors, missingField, startFakeGitLab, type FakeGitLab, type Route } from '../helpers/fake-gitlab.js';
import { connectorStatus, probe } from '../helpers/gitlab-bodies.js';

const TOKEN = 'glpat-health-test-token';
let gitlab: FakeGitLab;
beforeAll(async () => {
  gitlab = await startFakeGitLab({});
});
afterAll(() => gitlab.close());

const HOST_DOWN = probe(
  'host_probe',
  false,
  'aigw.example.com connection failed: Failed to open TCP connection. If you use firewalls or proxy servers, they must allow traffic to this host.',
);

interface Case {
  name: string;
  graphql: Route;
  status: string;
  summary: RegExp;
  details?: RegExp;
  remediation?: RegExp;
}

const cases: Case[] = [
  {
    name: 'every probe passing',
    graphql: gqlData(connectorStatus()),
    status: 'pass',
    summary: /^All 4 of GitLab's health-check probes passed$/,
    details: /✔ code_suggestions_license_probe: License includes access to Code Suggestions\./,
  },
  {
    name: 'the host probe failing',
    graphql: gqlData(connectorStatus({ host_probe: HOST_DOWN })),
    status: 'fail',
    summary: /^1 of 4 of GitLab's health-check probes failed: host_probe$/,
    details: /✗ host_probe: aigw\.example\.com connection failed/,
    remediation: /firewalls or proxy servers/,
  },
  {
    name: 'an older GitLab without errors/details (second query)',
    graphql: (r) =>
      r.query?.includes('errors')
        ? missingField('errors', 'CloudConnectorProbeResult')
        : gqlData({ cloudConnectorStatus: { success: true, probeResults: [{ name: 'host_probe', success: true, message: 'reachable.' }] } }),
    status: 'pass',
    summary: /All 1 of/,
  },
  {
    name: 'a GitLab without cloudConnectorStatus',
    graphql: missingField('cloudConnectorStatus', 'Query'),
    status: 'skip',
    summary: /^GitLab's health check is unavailable: Field 'cloudConnectorStatus' doesn't exist on type 'Query'$/,
  },
  {
    name: 'a token that may not run it',
    graphql: gqlErrors("The resource that you are attempting to access does not exist or you don't have permission to perform this action"),
    status: 'skip',
    summary: /don't have permission/,
  },
  {
    name: 'the feature off (null)',
    graphql: gqlData({ cloudConnectorStatus: null }),
    status: 'skip',
    summary: /returned no status/,
  },
];

describe('gitlab-health-check', () => {
  it.each(cases)('$name → $status', async (c) => {
    gitlab.routes = { 'POST /api/graphql': c.graphql };
    const outcome = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN }));
    expect(outcome.status).toBe(c.status);
    expect(outcome.summary).toMatch(c.summary);
    if (c.details) expect(outcome.details?.join('\n')).toMatch(c.details);
    if (c.remediation) expect(outcome.remediation).toMatch(c.remediation);
  });

  it('puts each probe in the evidence', async () => {
    gitlab.routes = { 'POST /api/graphql': gqlData(connectorStatus({ host_probe: HOST_DOWN })) };
    const outcome = await check.run(makeContext({ gitlabUrl: gitlab.url, gitlabToken: TOKEN }));
    expect(outcome.evidence).toEqual({
      probes: [
        { name: 'ai_gateway_url_presence_probe', success: true },
        { name: 'host_probe', success: false },
        { name: 'code_suggestions_license_probe', success: true },
        { name: 'end_to_end_probe', success: true },
      ],
    });
  });
});
