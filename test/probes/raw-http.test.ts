// The exact-bytes HTTP probe: what it writes, how it reads answers (chunked or not), and failures as data.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseResponse, rawRequest, requestBytes } from '../../src/probes/raw-http.js';
import { closedPort } from '../../src/reference/http.js';

describe('raw-http', () => {
  it('writes the headers verbatim and in order, a Host no HTTP library would send included', () => {
    const bytes = requestBytes({
      url: 'http://127.0.0.1:1/v2/code/completions?x=1',
      method: 'GET',
      headers: [
        ['host', 'x/monitoring/healthz?'],
        ['accept', '*/*'],
      ],
      timeoutMs: 1,
    });
    expect(bytes).toBe('GET /v2/code/completions?x=1 HTTP/1.1\r\nhost: x/monitoring/healthz?\r\naccept: */*\r\nconnection: close\r\n\r\n');
  });

  it.each([
    ['content-length body', 'HTTP/1.1 401 Unauthorized\r\ncontent-length: 9\r\nx-a: 1\r\nx-a: 2\r\n\r\n{"a":"b"}', 401, '{"a":"b"}', '1, 2'],
    ['chunked body', 'HTTP/1.1 400 Bad Request\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n', 400, 'abcde', undefined],
    ['HTTP/1.0, empty body', 'HTTP/1.0 200 OK\r\n\r\n', 200, '', undefined],
  ])('parses a %s', (_name, raw, status, body, xa) => {
    const answer = parseResponse(Buffer.from(raw, 'latin1'));
    expect(answer).toMatchObject({ ok: true, status, body });
    expect(answer?.headers['x-a']).toBe(xa);
  });

  it.each([
    ['no blank line', 'HTTP/1.1 200 OK\r\n'],
    ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['HTTP/2 preface', 'HTTP/2 200\r\n\r\n'],
  ])('rejects %s', (_name, raw) => {
    expect(parseResponse(Buffer.from(raw))).toBeUndefined();
  });

  it('reports a closed port as not connected, and a silent server as connected', async () => {
    const refused = await rawRequest({ url: `http://127.0.0.1:${await closedPort()}/`, method: 'GET', headers: [], timeoutMs: 2000 });
    expect(refused).toMatchObject({ ok: false, connected: false });
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const silent = await rawRequest({
        url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`,
        method: 'GET',
        headers: [],
        timeoutMs: 2000,
      });
      expect(silent).toEqual({ ok: false, connected: true, failure: 'connection closed without an answer' });
    } finally {
      server.close();
    }
  });
});
