// The headers the reference GitLab sends its AI gateway with a completion, as Gitlab::AiGateway.headers builds them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingHttpHeaders } from 'node:http';
import { DEFAULT_GITLAB_VERSION } from '../../src/reference/gitlab/config.js';
import { startGitLab, type RunningGitLab } from '../../src/reference/gitlab/server.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';

let gitlab: RunningGitLab;
let gateway: LoopbackServer;
let seen: IncomingHttpHeaders | undefined;
beforeAll(async () => {
  gateway = await startLoopback((req, res) => {
    seen = req.headers;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices":[{"text":"x"}]}');
  });
  gitlab = await startGitLab({ log: () => {} });
  gitlab.setAiGatewayUrl(gateway.url);
});
afterAll(() => Promise.all([gitlab.close(), gateway.close()]));

describe('reference GitLab → gateway headers', () => {
  it('sends the authentication type, the token, the request id and send time, and the Cloud Connector headers', async () => {
    const res = await fetch(`${gitlab.url}/api/v4/code_suggestions/completions`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': gitlab.adminToken, 'content-type': 'application/json' },
      body: JSON.stringify({ current_file: { file_name: 'a.rb', content_above_cursor: 'def a' } }),
    });
    expect(res.status).toBe(200);
    expect(seen).toMatchObject({
      'x-gitlab-authentication-type': 'oidc',
      authorization: expect.stringMatching(/^Bearer ey/),
      'content-type': 'application/json',
      'x-request-id': expect.any(String),
      'x-gitlab-rails-send-start': expect.stringMatching(/^\d+(\.\d+)?$/),
      'x-gitlab-instance-id': gitlab.instanceId,
      'x-gitlab-realm': 'self-managed',
      'x-gitlab-deployment-type': 'self-managed',
      'x-gitlab-version': DEFAULT_GITLAB_VERSION.replace(/-.*$/, ''),
      'x-gitlab-feature-enablement-type': 'duo_enterprise',
      'x-gitlab-enabled-instance-verbose-ai-logs': 'false',
      'x-gitlab-is-team-member': 'false',
    });
    // GitLab sends no unit-primitive header with code completions (only some other clients do).
    expect(seen?.['x-gitlab-unit-primitive']).toBeUndefined();
  });
});
