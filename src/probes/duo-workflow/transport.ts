// Below gRPC: whether the service's host:port takes a TCP connection, what a TLS handshake there gives (trust, ALPN), and
// whether the port answers the HTTP/2 connection preface — so a failed call can be named by the layer that failed.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { secureContextFor } from '../secure-context.js';

/** host and port of a `host:port` address (IPv6 in brackets). */
export interface Endpoint {
  host: string;
  port: number;
}

/** A TCP connect: how long it took, or the error code. */
export type TcpFacts = { ok: true; ms: number } | { ok: false; ms: number; code: string; message: string };

/** A verified TLS handshake as GitLab's gRPC client makes one (offering h2). */
export type TlsFacts =
  | { ok: true; ms: number; alpn: string | null; subject?: string; issuer?: string }
  /**
   * `plaintextPeer`: the answer was not TLS at all (OpenSSL's WRONG_VERSION_NUMBER and kin); `untrusted`: the peer speaks TLS
   * but its certificate did not verify (the code says why).
   */
  | { ok: false; ms: number; code?: string; message: string; plaintextPeer: boolean; untrusted: boolean };

/** What the port answered to the cleartext HTTP/2 preface. */
export type PrefaceAnswer =
  /** A SETTINGS frame: it speaks HTTP/2. */
  | { kind: 'http2' }
  /** An HTTP/1.x status line: an HTTP/1.1-only server or proxy. */
  | { kind: 'http1'; statusLine: string }
  /** A TLS alert record: the port expects TLS. */
  | { kind: 'tls' }
  | { kind: 'closed' }
  | { kind: 'other'; firstBytes: string }
  | { kind: 'error'; code: string; message: string };

/** Splits `host:port` ([v6]:port too); undefined when it is not that form. */
export function parseAddress(address: string): Endpoint | undefined {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(address) ?? /^([^:/\s[\]]+):(\d{1,5})$/.exec(address);
  const port = Number(m?.[2]);
  if (!m?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: m[1], port };
}

/** OpenSSL's ways of saying "the peer did not answer with TLS". */
const NOT_TLS = /WRONG_VERSION_NUMBER|wrong version number|packet length too long|unknown protocol|record layer failure|http request/i;

const elapsed = (started: number): number => Math.round(performance.now() - started);

function errorFacts(err: unknown): { code: string; message: string } {
  const code = (err as { code?: unknown })?.code;
  return { code: typeof code === 'string' ? code : 'ERROR', message: err instanceof Error ? err.message : String(err) };
}

/** Opens and closes one TCP connection. Never throws. */
export function tcpConnect(at: Endpoint, timeoutMs: number): Promise<TcpFacts> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: at.host, port: at.port });
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error(`no connection within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true, ms: elapsed(started) });
    });
    socket.once('error', (err) => resolve({ ok: false, ms: elapsed(started), ...errorFacts(err) }));
  });
}

/** Node's codes for a certificate that did not verify (the handshake itself worked). */
const UNTRUSTED = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|ALTNAME/;

/** One TLS handshake offering ALPN h2, verified against `ca` (undefined: Node's roots); closed without sending data. Never throws. */
export function tlsHandshake(at: Endpoint, ca: readonly string[] | undefined, timeoutMs: number): Promise<TlsFacts> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: at.host,
      port: at.port,
      ...(net.isIP(at.host) ? {} : { servername: at.host }),
      ALPNProtocols: ['h2'],
      ...(ca ? { secureContext: secureContextFor(ca) } : {}),
    });
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error(`no TLS handshake within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const name = (dn: Record<string, unknown> | undefined) => (typeof dn?.CN === 'string' ? dn.CN : undefined);
      const subject = name(cert?.subject as unknown as Record<string, unknown>);
      const issuer = name(cert?.issuer as unknown as Record<string, unknown>);
      resolve({
        ok: true,
        ms: elapsed(started),
        alpn: socket.alpnProtocol || null,
        ...(subject ? { subject } : {}),
        ...(issuer ? { issuer } : {}),
      });
      socket.destroy();
    });
    socket.once('error', (err) => {
      const { code, message } = errorFacts(err);
      resolve({
        ok: false,
        ms: elapsed(started),
        code,
        message,
        plaintextPeer: NOT_TLS.test(`${code} ${message}`),
        untrusted: UNTRUSTED.test(code) && !code.startsWith('ERR_SSL_'),
      });
    });
  });
}

/** The client connection preface of HTTP/2 (RFC 9113 section 3.4) followed by an empty SETTINGS frame. */
const PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/** Reads the first bytes of an answer as one of the kinds. */
export function classifyPrefaceAnswer(bytes: Buffer): PrefaceAnswer {
  if (bytes.length === 0) return { kind: 'closed' };
  // A frame header: 24-bit length, type 0x4 (SETTINGS), stream 0.
  if (bytes.length >= 9 && bytes[3] === 0x04 && bytes.readUInt32BE(5) === 0) return { kind: 'http2' };
  const text = bytes.toString('latin1');
  if (/^HTTP\/1\.[01] \d{3}/.test(text)) return { kind: 'http1', statusLine: text.split('\r\n')[0] ?? '' };
  if (bytes[0] === 0x15 && bytes[1] === 0x03) return { kind: 'tls' };
  return { kind: 'other', firstBytes: bytes.subarray(0, 16).toString('hex') };
}

/** Sends the cleartext HTTP/2 preface and classifies what comes back first. Never throws. */
export function http2Preface(at: Endpoint, timeoutMs: number): Promise<PrefaceAnswer> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (answer: PrefaceAnswer): void => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(answer);
    };
    const socket = net.connect({ host: at.host, port: at.port }, () => socket.write(PREFACE));
    socket.setTimeout(timeoutMs, () =>
      finish(received.length ? classifyPrefaceAnswer(received) : { kind: 'error', code: 'ETIMEDOUT', message: `no answer within ${timeoutMs} ms` }),
    );
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // An HTTP/1 status line ends with CRLF; anything else is judged on its first 9 bytes.
      if (received.length >= 9 && (received.indexOf('\r\n') >= 0 || !received.toString('latin1').startsWith('HTTP/')))
        finish(classifyPrefaceAnswer(received));
    });
    socket.once('end', () => finish(classifyPrefaceAnswer(received)));
    socket.once('error', (err) => finish(received.length ? classifyPrefaceAnswer(received) : { kind: 'error', ...errorFacts(err) }));
  });
}
