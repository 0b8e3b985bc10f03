// An HTTP/1.1-only reverse proxy, the load balancer of two field failures: in front of GitLab it drops the WebSocket
// Upgrade/Connection headers of /api/v4/ai/duo_workflows/ws (gitlab-org/gitlab#604755), and in front of the Duo Workflow
// Service it cannot carry gRPC, which needs HTTP/2 end to end (it answers the HTTP/2 preface with 400, as any HTTP/1.1 server does).
// In front of the gateway, with a read timeout, it is nginx giving up on a silent upstream (proxy_read_timeout).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { TlsOptions } from './http.js';

/** Hop-by-hop headers (RFC 9110 section 7.6.1) a proxy does not forward — Upgrade among them, unless configured to. */
const HOP_BY_HOP = new Set(['connection', 'upgrade', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'http2-settings']);

/** A running front. */
export interface RunningFront {
  url: string;
  /** `127.0.0.1:port`, for a setting that takes host:port. */
  address: string;
  close(): Promise<void>;
}

function forwardedHeaders(req: IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

/**
 * Starts the front on a free 127.0.0.1 port, forwarding to `upstream` (http or https, trusting `ca`). Serves https with `tls`,
 * offering only http/1.1. With `readTimeoutMs`, an upstream silent that long between two reads is given up on as nginx's
 * proxy_read_timeout does (ngx_http_upstream.c): 504 before the response headers, else the connection closed mid-body.
 */
export async function startHttp1Front(opts: { upstream: string; ca?: string; tls?: TlsOptions; readTimeoutMs?: number }): Promise<RunningFront> {
  const upstream = new URL(opts.upstream);
  const client = upstream.protocol === 'https:' ? https : http;
  const forward = (req: IncomingMessage, reply: (res: IncomingMessage) => void, fail: (timedOut: boolean) => void): void => {
    let timedOut = false;
    const out = client.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: forwardedHeaders(req),
        agent: false,
        ...(opts.ca ? { ca: opts.ca } : {}),
      },
      reply,
    );
    out.on('error', () => fail(timedOut));
    if (opts.readTimeoutMs !== undefined)
      out.setTimeout(opts.readTimeoutMs, () => {
        timedOut = true;
        out.destroy();
      });
    req.pipe(out);
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void =>
    forward(
      req,
      (up) => {
        const headers = Object.fromEntries(Object.entries(up.headers).filter(([k]) => !HOP_BY_HOP.has(k)));
        res.writeHead(up.statusCode ?? 502, headers as http.OutgoingHttpHeaders);
        up.pipe(res);
        // Cut mid-body (the read timeout), the client's connection ends without the body's end, as nginx's does.
        up.once('error', () => res.destroy());
      },
      (timedOut) => {
        res.writeHead(timedOut ? 504 : 502, { 'content-type': 'text/plain' });
        res.end(timedOut ? 'Gateway Time-out\n' : 'Bad Gateway\n');
      },
    );
  const server = opts.tls
    ? https.createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem, ALPNProtocols: ['http/1.1'] }, handler)
    : http.createServer(handler);
  // An upgrade arrives here as any request would; it goes on without Upgrade/Connection, and the answer comes back as a plain response.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    forward(
      req,
      (up) => {
        const lines = [`HTTP/1.1 ${up.statusCode ?? 502} ${up.statusMessage ?? ''}`];
        for (const [k, v] of Object.entries(up.headers))
          if (!HOP_BY_HOP.has(k) && v !== undefined) lines.push(`${k}: ${Array.isArray(v) ? v.join(', ') : v}`);
        lines.push('connection: close');
        socket.write(`${lines.join('\r\n')}\r\n\r\n`);
        up.pipe(socket);
      },
      () => socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'),
    );
  });
  const sockets = new Set<Socket>();
  server.on(opts.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
