// proxy-timeouts with --deep: a streamed completion held open against a loopback gateway that keeps it open or cuts it.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/proxy-timeouts.js';
import { ACCESS_TOKEN, startProxyFixture, type ProxyFixture } from '../helpers/proxy-fixtures.js';

describe('proxy-timeouts --deep', () => {
  let fx: ProxyFixture;
  let mode: 'cut' | 'open' = 'open';

  beforeAll(async () => {
    fx = await startProxyFixture((req, res) => {
      if (req.url === '/monitoring/healthz') {
        res.writeHead(200, { server: 'nginx/1.22.1', 'content-type': 'application/json' });
        return res.end('{"status":"ok"}');
      }
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('first');
        if (mode === 'cut') void sleep(300).then(() => res.socket?.destroy());
      });
    });
  });
  afterAll(() => fx.close());

  it('with --deep passes a stream that stays open for the hold', async () => {
    mode = 'open';
    const out = await check.run(fx.context({ deep: true, deepSeconds: 1 }));
    expect(out).toMatchObject({ findings: [{ id: 'heldOpen' }], evidence: { end: 'held' } });
    expect(JSON.stringify(out)).not.toContain(ACCESS_TOKEN);
  });

  it('with --deep fails a stream cut before the hold', async () => {
    mode = 'cut';
    const out = await check.run(fx.context({ deep: true, deepSeconds: 2 }));
    expect(out.findings?.map((f) => f.id)).toEqual(['streamCut']);
    expect(out.remediation).toMatch(/proxy_read_timeout 300s;/);
  });
});
