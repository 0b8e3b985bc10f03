// proxy-streaming's gather against a fake GitLab (direct-access tokens) and a loopback gateway that streams or buffers.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check from '../../checks/proxy-streaming.js';
import { ACCESS_TOKEN, ADMIN_TOKEN, DISABLED, ISSUED, startProxyFixture, type ProxyFixture } from '../helpers/proxy-fixtures.js';

describe('proxy-streaming run()', () => {
  let fx: ProxyFixture;
  let received: { headers: Record<string, unknown>; body: string } | undefined;
  let buffered = false;

  beforeAll(async () => {
    fx = await startProxyFixture((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        received = { headers: req.headers, body: Buffer.concat(parts).toString() };
        void (async () => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          const pieces = ['a', 'b', 'c', 'd', 'e'];
          for (const [i, piece] of pieces.entries()) {
            if (i > 0) await sleep(200);
            // The "buffering proxy" writes nothing until the end.
            if (!buffered) res.write(piece);
          }
          res.end(buffered ? pieces.join('') : undefined);
        })();
      });
    });
  });
  afterAll(() => fx.close());

  it("passes a stream that arrives chunk by chunk, sending the token and GitLab's headers but never printing the token", async () => {
    fx.directAccess(ISSUED);
    buffered = false;
    const out = await check.run(fx.context());
    expect(out.findings?.map((f) => f.id)).toEqual(['streams']);
    expect(received?.headers).toMatchObject({
      authorization: `Bearer ${ACCESS_TOKEN}`,
      'x-gitlab-realm': 'self-managed',
      'accept-encoding': expect.stringContaining('gzip'),
    });
    expect(JSON.parse(received?.body ?? '{}')).toMatchObject({ stream: true, current_file: { file_name: 'test.rb' } });
    expect(JSON.stringify(out)).not.toContain(ACCESS_TOKEN);
    expect(JSON.stringify(out)).not.toContain(ADMIN_TOKEN);
  });

  it('fails a stream held back to its end', async () => {
    buffered = true;
    const out = await check.run(fx.context());
    expect(out.findings?.map((f) => f.id)).toEqual(['buffered']);
  });

  it('skips naming the setting when direct connections are disabled', async () => {
    fx.directAccess(DISABLED);
    const out = await check.run(fx.context());
    expect(out.status).toBe('skip');
    expect(out.summary).toMatch(/direct connections are disabled.*disabled_direct_code_suggestions/);
  });

  it('skips without a GitLab token', async () => {
    const out = await check.run(fx.context({ gitlabToken: undefined }));
    expect(out).toMatchObject({ status: 'skip', summary: expect.stringMatching(/GITLAB_TOKEN/) });
  });
});
