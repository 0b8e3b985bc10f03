// gitlab-tls without a TLS endpoint to judge (in-process; the served chains are in gitlab-tls.integration.test.ts).
import { describe, expect, it } from 'vitest';
import check from '../../checks/gitlab-tls.js';
import { makeContext } from '../helpers/context.js';

describe('gitlab-tls', () => {
  it('skips a plain http GitLab', async () => {
    const outcome = await check.run(makeContext({ gitlabUrl: 'http://gitlab.test' }));
    expect(outcome).toMatchObject({
      status: 'skip',
      summary: 'GitLab is served over plain http (http://gitlab.test): no certificate to judge',
      findings: [{ id: 'plainHttp', status: 'skip' }],
    });
  });
});
