// gateway-url: where the URL comes from, blank / non-http / loopback, with GitLab's wording.
import { describe, expect, it, vi } from 'vitest';
import check, { BLANK_MESSAGE, FORMAT_MESSAGE, isLoopbackHost, LOCALHOST_MESSAGE } from '../../checks/gateway-url.js';
import type { GatewayUrlResolution } from '../../src/probes/gitlab-api.js';
import type { Status } from '../../src/model.js';
import { makeContext } from '../helpers/context.js';

const resolution = vi.hoisted(() => ({ current: { source: 'none' } as GatewayUrlResolution, hostName: undefined as string | undefined }));
vi.mock('../../src/probes/gitlab-api.js', () => ({
  resolveGatewayUrl: () => Promise.resolve(resolution.current),
  // code_suggestions/connection_details, answered as GitLab does (201) when a host name is set, else refused.
  gitlabPost: () =>
    Promise.resolve(
      resolution.hostName
        ? { ok: true, response: { status: 201, headers: {}, body: JSON.stringify({ host_name: resolution.hostName, realm: 'self-managed' }), elapsedMs: 1 } }
        : { ok: true, response: { status: 401, headers: {}, body: '{"message":"401 Unauthorized"}', elapsedMs: 1 } },
    ),
}));

interface Case {
  name: string;
  resolved: GatewayUrlResolution;
  gitlabUrl?: string;
  /** GitLab's host_name from connection_details (the token is given when set). */
  hostName?: string;
  status: Status;
  summary: string | RegExp;
  remediation?: string;
  detail?: RegExp;
}

const cases: Case[] = [
  { name: 'a URL from the flag', resolved: { url: 'http://aigw.example.com:5052', source: 'flag' }, status: 'pass', summary: 'AI Gateway URL configured: http://aigw.example.com:5052' },
  { name: "GitLab's own setting", resolved: { url: 'https://aigw.example.com', source: 'gitlab' }, gitlabUrl: 'https://gitlab.example.com', status: 'pass', summary: /configured: https:\/\/aigw/ },
  { name: "GitLab's blank setting", resolved: { source: 'gitlab', detail: 'blank' }, status: 'fail', summary: BLANK_MESSAGE, remediation: 'Ai::Setting.instance.update!' },
  { name: 'a blank flag', resolved: { url: '', source: 'flag' }, status: 'fail', summary: BLANK_MESSAGE },
  { name: 'no source at all', resolved: { source: 'none', detail: 'GraphQL said 403' }, status: 'fail', summary: /unknown: GraphQL said 403/, remediation: '--gateway-url' },
  { name: 'an ftp URL', resolved: { url: 'ftp://aigw.example.com', source: 'env' }, status: 'fail', summary: FORMAT_MESSAGE },
  { name: 'a scheme-less host:port', resolved: { url: 'aigw.example.com:5052', source: 'config' }, status: 'fail', summary: FORMAT_MESSAGE },
  { name: 'not a URL', resolved: { url: 'http//', source: 'flag' }, status: 'fail', summary: FORMAT_MESSAGE },
  { name: 'localhost, GitLab elsewhere', resolved: { url: 'http://localhost:5052', source: 'gitlab' }, gitlabUrl: 'https://gitlab.example.com', status: 'fail', summary: /points at localhost: GitLab \(gitlab\.example\.com\) would call itself/, remediation: LOCALHOST_MESSAGE },
  { name: '0.0.0.0, GitLab elsewhere', resolved: { url: 'http://0.0.0.0:5052', source: 'gitlab' }, gitlabUrl: 'https://10.0.0.4', status: 'fail', summary: /points at localhost/ },
  { name: 'loopback, GitLab on this host', resolved: { url: 'http://127.0.0.1:5052', source: 'flag' }, gitlabUrl: 'http://127.0.0.1:8080', status: 'pass', summary: /configured/, detail: /Loopback address: works only while GitLab \(127\.0\.0\.1, on this host\)/ },
  {
    name: "localhost, GitLab reached through 127.0.0.1 but its own host name is elsewhere",
    resolved: { url: 'http://localhost:5052', source: 'gitlab' },
    gitlabUrl: 'http://127.0.0.1:8080',
    hostName: 'gitlab.example.com',
    status: 'fail',
    summary: /GitLab \(gitlab\.example\.com\) would call itself/,
  },
  {
    name: 'loopback, token given but connection_details refused',
    resolved: { url: 'http://localhost:5052', source: 'gitlab' },
    gitlabUrl: 'http://127.0.0.1:8080',
    hostName: '',
    status: 'pass',
    summary: /configured/,
    detail: /on this host/,
  },
  { name: 'loopback, GitLab unknown', resolved: { url: 'http://[::1]:5052', source: 'flag' }, status: 'pass', summary: /configured/, detail: /GitLab's host is not known here/ },
];

describe('gateway-url', () => {
  it.each(cases)('$name → $status', async (c) => {
    resolution.current = c.resolved;
    resolution.hostName = c.hostName;
    const token = c.hostName !== undefined ? { gitlabToken: 'glpat-test' } : {};
    const outcome = await check.run(makeContext({ gitlabUrl: c.gitlabUrl, ...token }));
    expect(outcome.status).toBe(c.status);
    if (typeof c.summary === 'string') expect(outcome.summary).toBe(c.summary);
    else expect(outcome.summary).toMatch(c.summary);
    if (c.remediation) expect(outcome.remediation).toContain(c.remediation);
    if (c.detail) expect(outcome.details?.join('\n')).toMatch(c.detail);
    if (c.status !== 'pass') expect(outcome.remediation).toBeTruthy();
  });

  it('says where the URL came from', async () => {
    resolution.current = { url: 'http://aigw:5052', source: 'env' };
    expect((await check.run(makeContext())).details).toContain('Source: AI_GATEWAY_URL');
  });

  it('redacts credentials in the URL', async () => {
    resolution.current = { url: 'http://user:hunter2@aigw:5052', source: 'flag' };
    const outcome = await check.run(makeContext());
    expect(JSON.stringify(outcome)).not.toContain('hunter2');
  });
});

describe('isLoopbackHost', () => {
  it.each<[string, boolean]>([
    ['localhost', true],
    ['LOCALHOST.', true],
    ['aigw.localhost', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['0.0.0.0', true],
    ['[::1]', true],
    ['::', true],
    ['[::ffff:7f00:1]', true],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['localhost.example.com', false],
    ['[fe80::1]', false],
    ['aigw.example.com', false],
  ])('%s → %s', (host, expected) => expect(isLoopbackHost(host)).toBe(expected));
});
