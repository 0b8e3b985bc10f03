// gateway-env: a table over the pure judge (finding ids at each edge), and gather through the runtime host.
import { describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/gateway-env.js';
import { makeContext } from '../helpers/context.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';

const GITLAB = 'https://gitlab.example.com';
const good = { AIGW_GITLAB_URL: GITLAB, AIGW_GITLAB_API_URL: `${GITLAB}/api/v4/` };

/** Facts as gather builds them from an environment. */
function facts(values: Facts['values'], over: Partial<Facts> = {}): Facts {
  return { where: 'this host', remote: false, present: Object.keys(values).sort(), values, signingKeySet: true, expectedGitlabUrl: GITLAB, ...over };
}
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

describe('gateway-env judge', () => {
  it.each([
    ['consistent', good, {}, ['consistent']],
    ['trailing slash on the instance URL', { ...good, AIGW_GITLAB_URL: `${GITLAB}/` }, {}, ['consistent']],
    ['AIGW_GITLAB_URL unset: gitlab.com', { AIGW_GITLAB_API_URL: `${GITLAB}/api/v4/` }, {}, ['gitlabUrlUnset']],
    [
      'another GitLab',
      { AIGW_GITLAB_URL: 'https://old.example.com', AIGW_GITLAB_API_URL: 'https://old.example.com/api/v4/' },
      {},
      ['gitlabUrlOtherInstance'],
    ],
    ['not a URL', { ...good, AIGW_GITLAB_URL: 'gitlab.example.com' }, {}, ['gitlabUrlNotHttp']],
    [
      'loopback inside a container',
      { AIGW_GITLAB_URL: 'http://localhost', AIGW_GITLAB_API_URL: 'http://localhost/api/v4/' },
      { remote: true, expectedGitlabUrl: 'http://localhost' },
      ['gitlabUrlLoopback'],
    ],
    [
      'loopback on this host',
      { AIGW_GITLAB_URL: 'http://localhost', AIGW_GITLAB_API_URL: 'http://localhost/api/v4/' },
      { expectedGitlabUrl: 'http://localhost' },
      ['consistent'],
    ],
    ['API URL without trailing slash', { ...good, AIGW_GITLAB_API_URL: `${GITLAB}/api/v4` }, {}, ['apiUrlNoSlash']],
    ['API URL of another host', { ...good, AIGW_GITLAB_API_URL: 'https://other.example.com/api/v4/' }, {}, ['apiUrlMismatch']],
    ['API URL missing', { AIGW_GITLAB_URL: GITLAB }, {}, ['apiUrlUnset']],
    ['custom models off', { ...good, AIGW_CUSTOM_MODELS__ENABLED: 'off' }, {}, ['customModelsOff']],
    ['custom models on (pydantic "1")', { ...good, AIGW_CUSTOM_MODELS__ENABLED: '1' }, {}, ['consistent']],
    ['no signing key', good, { signingKeySet: false }, ['signingKeyUnset']],
  ] as const)('%s → %j', (_name, values, over, expected) => {
    expect(ids(facts(values, over))).toEqual(expected);
  });

  const SWITCH = [
    ['AIGW_AUTH__BYPASS_EXTERNAL', 'bypassExternal'],
    ['AIGW_AUTH__BYPASS_EXTERNAL_WITH_HEADER', 'bypassExternalWithHeader'],
    ['AIGW_AUTH__BYPASS_JWT_SIGNATURE', 'bypassJwtSignature'],
  ] as const;
  describe.each(SWITCH)('%s', (name, id) => {
    it.each(['true', 'TRUE', '1', 'yes', 'Y', 'on', 't'])('%j is on: a security failure', (value) => {
      expect(ids(facts({ ...good, [name]: value }))).toEqual([id]);
    });
    it.each(['false', '0', 'no', 'N', 'OFF', 'f'])('%j is off', (value) => {
      expect(ids(facts({ ...good, [name]: value }))).toEqual(['consistent']);
    });
    it.each(['', ' true', 'enabled', '2'])('%j is not a boolean: the gateway does not start', (value) => {
      expect(ids(facts({ ...good, [name]: value }))).toEqual(['notABoolean']);
    });
  });

  it('reports every finding, not just the first', () => {
    expect(
      ids(facts({ AIGW_GITLAB_URL: GITLAB, AIGW_GITLAB_API_URL: GITLAB, AIGW_AUTH__BYPASS_EXTERNAL: '1', AIGW_AUTH__BYPASS_JWT_SIGNATURE: 'on' })),
    ).toEqual(['apiUrlNoSlash', 'bypassExternal', 'bypassJwtSignature']);
  });

  it('skips an environment with no AIGW_* variable', () => {
    expect(judge({ where: 'this host', remote: false, present: [], values: {}, signingKeySet: false })).toMatchObject({
      findings: [{ id: 'notGatewayEnv' }],
    });
  });
});

describe('gateway-env gather and run', () => {
  it('reads the switches case-insensitively, as pydantic-settings does, and renders the failure with its fix', async () => {
    const outcome = await check.run(
      makeContext({ gitlabUrl: GITLAB, env: { ...good, AIGW_SELF_SIGNED_JWT__SIGNING_KEY: 'pem', aigw_auth__bypass_external_with_header: 'True' } }),
    );
    expect(outcome.status).toBe('fail');
    expect(outcome.findings?.map((f) => f.id)).toEqual(['bypassExternalWithHeader']);
    expect(outcome.remediation).toMatch(/Remove AIGW_AUTH__BYPASS_EXTERNAL_WITH_HEADER/);
  });

  it('never echoes other AIGW_* values, which may hold provider keys or the signing key', async () => {
    const outcome = await check.run(
      makeContext({ env: { ...good, AIGW_ANTHROPIC__API_KEY: 'sk-secret-value', AIGW_SELF_SIGNED_JWT__SIGNING_KEY: 'private-pem' } }),
    );
    const facts = await check.gather(makeContext({ env: { ...good, AIGW_SELF_SIGNED_JWT__SIGNING_KEY: 'private-pem' } }));
    expect(JSON.stringify(outcome)).not.toMatch(/sk-secret-value|private-pem/);
    expect(JSON.stringify(facts)).not.toContain('private-pem');
  });
});

describe('gateway-env renderings (every message, pinned in __renderings__/gateway-env.txt)', () => {
  const cases: RenderCase<Facts>[] = [
    { name: 'no AIGW_* variable', facts: { where: 'docker exec gw', remote: true, present: [], values: {}, signingKeySet: false } },
    { name: 'consistent, checked against --gitlab-url', facts: facts(good) },
    {
      name: 'consistent, no --gitlab-url, trailing slashes',
      facts: facts({ AIGW_GITLAB_URL: `${GITLAB}/`, AIGW_GITLAB_API_URL: `${GITLAB}/api/v4/` }, { expectedGitlabUrl: undefined }),
    },
    {
      name: 'consistent under a path',
      facts: facts(
        { AIGW_GITLAB_URL: `${GITLAB}/gitlab//`, AIGW_GITLAB_API_URL: `${GITLAB}/gitlab/api/v4/` },
        { expectedGitlabUrl: `${GITLAB}/gitlab` },
      ),
    },
    { name: 'both URLs unset, no signing key', facts: facts({}, { present: ['AIGW_LOGGING__LEVEL'], signingKeySet: false }) },
    { name: 'GitLab URL not http', facts: facts({ AIGW_GITLAB_URL: 'gitlab.example.com', AIGW_GITLAB_API_URL: `${GITLAB}/api/v4/` }) },
    {
      name: 'GitLab URL ftp',
      facts: facts({ AIGW_GITLAB_URL: 'ftp://gitlab.example.com', AIGW_GITLAB_API_URL: 'ftp://gitlab.example.com/api/v4/' }),
    },
    {
      name: 'another GitLab',
      facts: facts(
        { AIGW_GITLAB_URL: 'https://other.example.com', AIGW_GITLAB_API_URL: 'https://other.example.com/api/v4/' },
        { expectedGitlabUrl: `${GITLAB}/` },
      ),
    },
    {
      name: 'loopback inside the container',
      facts: facts(
        { AIGW_GITLAB_URL: 'http://localhost:8080', AIGW_GITLAB_API_URL: 'http://localhost:8080/api/v4/' },
        { remote: true, expectedGitlabUrl: undefined },
      ),
    },
    {
      name: 'loopback on the host itself',
      facts: facts(
        { AIGW_GITLAB_URL: 'http://localhost:8080', AIGW_GITLAB_API_URL: 'http://localhost:8080/api/v4/' },
        { expectedGitlabUrl: undefined },
      ),
    },
    { name: 'API URL not http, GitLab URL unset', facts: facts({ AIGW_GITLAB_API_URL: 'gitlab.example.com/api/v4/' }) },
    { name: 'API URL not http, GitLab URL set', facts: facts({ AIGW_GITLAB_URL: GITLAB, AIGW_GITLAB_API_URL: 'ws://gitlab.example.com/api/v4/' }) },
    { name: 'API URL without the trailing slash', facts: facts({ AIGW_GITLAB_URL: GITLAB, AIGW_GITLAB_API_URL: `${GITLAB}/api/v4` }) },
    { name: 'API URL without the slash, GitLab URL unset', facts: facts({ AIGW_GITLAB_API_URL: `${GITLAB}/api/v4` }) },
    { name: 'API URL of another host', facts: facts({ AIGW_GITLAB_URL: GITLAB, AIGW_GITLAB_API_URL: 'https://api.example.com/api/v4/' }) },
    {
      name: 'every switch on, custom models off, a switch not a boolean',
      facts: facts({
        ...good,
        AIGW_AUTH__BYPASS_EXTERNAL: 'true',
        AIGW_AUTH__BYPASS_EXTERNAL_WITH_HEADER: 'on',
        AIGW_AUTH__BYPASS_JWT_SIGNATURE: 'Yes',
        AIGW_CUSTOM_MODELS__ENABLED: 'false',
      }),
    },
    {
      name: 'a switch with a space, custom models not a boolean',
      facts: facts({ ...good, AIGW_AUTH__BYPASS_EXTERNAL: ' true', AIGW_CUSTOM_MODELS__ENABLED: 'enabled' }),
    },
    {
      name: 'switches off, custom models on',
      facts: facts({ ...good, AIGW_AUTH__BYPASS_EXTERNAL: 'false', AIGW_AUTH__BYPASS_JWT_SIGNATURE: '0', AIGW_CUSTOM_MODELS__ENABLED: 'true' }),
    },
    {
      name: 'a variable set without a value read',
      facts: facts(good, { present: ['AIGW_GITLAB_API_URL', 'AIGW_GITLAB_URL', 'AIGW_SELF_SIGNED_JWT__SIGNING_KEY'] }),
    },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});
