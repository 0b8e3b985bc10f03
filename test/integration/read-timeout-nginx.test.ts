// The reference stack's proxy read timeout (src/reference/http1-front.ts, `readTimeoutMs`) against Debian's real nginx with
// proxy_read_timeout: the same silent upstream, the same verdict — 504 before the headers, the body cut mid-stream.
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttp1Front, type RunningFront } from '../../src/reference/http1-front.js';
import { startLoopback, type LoopbackServer } from '../helpers/loopback.js';
import { guideBlock80, startNginx, type RunningNginx } from '../helpers/nginx.js';

const READ_TIMEOUT_MS = 1000;
let upstream: LoopbackServer;
let nginx: RunningNginx;
let front: RunningFront;

beforeAll(async () => {
  // /headers-late: silent for 1.5 s before anything; /body-late: headers and a first chunk, then silent for 1.5 s.
  upstream = await startLoopback((req, res) => {
    req.resume();
    const late = sleep(1500);
    if (req.url === '/headers-late') return void late.then(() => res.writeHead(200).end('late'));
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('first');
    void late.then(() => res.end('rest'));
  });
  // The install guide's location (proxy_buffering off, HTTP/1.1), its read timeout shortened.
  const block = guideBlock80({ port: '{{PORT}}', upstream: upstream.url }).replace('proxy_read_timeout 300s;', 'proxy_read_timeout 1s;');
  expect(block).toContain('proxy_read_timeout 1s;');
  nginx = await startNginx({ serverBlocks: block });
  front = await startHttp1Front({ upstream: upstream.url, readTimeoutMs: READ_TIMEOUT_MS });
});
afterAll(async () => {
  await Promise.all([nginx?.stop(), front?.close()]);
  await upstream?.close();
});

/** What a client sees: the status, the body it read, and whether the body ended or was cut. */
async function seen(url: string): Promise<{ status: number; body: string; end: 'complete' | 'cut' }> {
  const res = await request(url);
  let body = '';
  try {
    for await (const chunk of res.body) body += String(chunk);
    return { status: res.statusCode, body, end: 'complete' };
  } catch {
    return { status: res.statusCode, body, end: 'cut' };
  }
}

describe('a proxy read timeout: the reference front as nginx', () => {
  it.each([
    ['/headers-late', { status: 504, end: 'complete' }],
    ['/body-late', { status: 200, end: 'cut', body: 'first' }],
  ])('%s', async (path, expected) => {
    const [real, reference] = await Promise.all([seen(`${nginx.url}${path}`), seen(`${front.url}${path}`)]);
    // nginx's 504 page is its own HTML; the front's is plain text: the body is compared only once the stream had begun.
    expect(real).toMatchObject(expected);
    expect(reference).toMatchObject(expected);
  });
});
