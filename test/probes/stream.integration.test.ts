// streamRequest against loopback servers that stream, cut, stall, compress and refuse (stream.test.ts: what needs no server).
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamRequest } from '../../src/probes/stream.js';
import { freePort, startLoopback, type LoopbackServer } from '../helpers/loopback.js';

let server: LoopbackServer;
const seen: { method?: string; body?: string; auth?: string } = {};

beforeAll(async () => {
  server = await startLoopback((req, res) => {
    const path = req.url ?? '/';
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (path === '/gzip') {
          res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
          return res.end(gzipSync('hello compressed'));
        }
        Object.assign(seen, { method: req.method, body: Buffer.concat(chunks).toString(), auth: req.headers.authorization });
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        if (path === '/stream') {
          for (const piece of ['one ', 'two ', 'three']) {
            res.write(piece);
            await sleep(250);
          }
          return res.end();
        }
        res.write('first');
        if (path === '/cut') {
          await sleep(100);
          return res.socket?.destroy();
        }
        // '/open': stays open until the client goes.
      })();
    });
  });
});
afterAll(() => server.close());

describe('streamRequest', () => {
  it('records each chunk as it arrives, spread over time, and sends method, body and headers', async () => {
    const ex = await streamRequest({ url: `${server.url}/stream`, method: 'POST', body: '{"stream":true}', headers: { authorization: 'Bearer x' } });
    expect(ex.ok).toBe(true);
    if (!ex.ok) return;
    const r = ex.response;
    expect(r).toMatchObject({ status: 200, end: 'complete', bytes: 13, text: 'one two three' });
    expect(r.chunks).toHaveLength(3);
    // Chunks written 250 ms apart arrive well apart (generous bound for a loaded machine).
    expect((r.chunks[2]?.atMs ?? 0) - (r.chunks[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(300);
    expect(r.headersAtMs).toBeLessThanOrEqual(r.chunks[0]?.atMs ?? 0);
    expect(seen).toEqual({ method: 'POST', body: '{"stream":true}', auth: 'Bearer x' });
  });

  it('measures how long the reader could not run before each read (a blocked or CPU-starved process)', async () => {
    const pending = streamRequest({ url: `${server.url}/stream` });
    // Block this process (the reader, here the server too) for 400 ms while the stream is being read.
    await sleep(100);
    const until = performance.now() + 400;
    while (performance.now() < until);
    const ex = await pending;
    expect(ex.ok).toBe(true);
    if (!ex.ok) return;
    const blind = ex.response.chunks.map((c) => c.blindMs);
    expect(blind.every((ms) => typeof ms === 'number')).toBe(true);
    expect(Math.max(...(blind as number[]))).toBeGreaterThanOrEqual(400);
  });

  it('reports a stream the server cuts as cut, with the reason', async () => {
    const ex = await streamRequest({ url: `${server.url}/cut` });
    expect(ex.ok && ex.response.end).toBe('cut');
    if (ex.ok) {
      expect(ex.response.chunks).toHaveLength(1);
      expect(ex.response.cut?.kind).toBe('reset');
    }
  });

  it('stops reading a stream still open after holdMs and calls it held', async () => {
    const ex = await streamRequest({ url: `${server.url}/open`, holdMs: 400, timeoutMs: 5000 });
    expect(ex.ok && ex.response.end).toBe('held');
    if (ex.ok) expect(ex.response.endedAtMs).toBeGreaterThanOrEqual(390);
  });

  it('calls a silence longer than timeoutMs a cut (timeout)', async () => {
    const ex = await streamRequest({ url: `${server.url}/open`, timeoutMs: 300 });
    expect(ex.ok && ex.response.end).toBe('cut');
    if (ex.ok) expect(ex.response.cut?.kind).toBe('timeout');
  });

  it('decodes a compressed body for its text while timing the wire bytes', async () => {
    const ex = await streamRequest({ url: `${server.url}/gzip` });
    expect(ex.ok && ex.response.text).toBe('hello compressed');
    if (ex.ok) expect(ex.response.headers['content-encoding']).toBe('gzip');
  });

  it('returns a refused connection as a failure, not a throw', async () => {
    const ex = await streamRequest({ url: `http://127.0.0.1:${await freePort()}/` });
    expect(ex).toMatchObject({ ok: false, failure: { kind: 'refused' } });
  });
});
