// gateway-tls without a TLS front to judge: plain http, or no gateway URL (in-process; the TLS cases are in gateway-tls.integration.test.ts).
import { describe, expect, it } from 'vitest';
import check from '../../checks/gateway-tls.js';
import { makeContext } from '../helpers/context.js';

describe('gateway-tls', () => {
  it('skips a plain http gateway', async () => {
    const outcome = await check.run(makeContext({ gatewayUrl: 'http://aigw.test:5052', gatewayUrlSource: 'flag' }));
    expect(outcome).toMatchObject({
      status: 'skip',
      summary: 'The AI gateway is served over plain http (http://aigw.test:5052): no certificate to judge',
    });
  });

  it('skips when no gateway URL can be resolved', async () => {
    const outcome = await check.run(makeContext({}));
    expect(outcome.status).toBe('skip');
    expect(outcome.summary).toMatch(/no --gateway-url/);
  });
});
