// The TLS handshake probe: one handshake per host:port per run, returning the chain exactly as the server sent it.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, createSecureContext, type DetailedPeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import type { CheckContext } from '../check.js';
import { describeCertificate, type CertFacts } from '../pki/certificate.js';
import { formatEndpoint } from '../net/endpoint.js';

/** Where to handshake. `servername` (SNI) defaults to `host` unless it is an IP literal. */
export interface TlsTarget {
  host: string;
  port: number;
  servername?: string;
}

/** Why no handshake completed. */
export interface TlsFailure {
  kind: 'dns' | 'refused' | 'unreachable' | 'timeout' | 'reset' | 'not-tls' | 'tls' | 'other';
  code?: string;
  message: string;
}

/** What one handshake established. */
export interface TlsFacts {
  host: string;
  port: number;
  ok: boolean;
  failure?: TlsFailure;
  protocol?: string;
  cipher?: string;
  /** Leaf first, then its issuers as the server sent them (Node reorders them by issuer and drops unrelated ones). */
  chain: CertFacts[];
  handshakeMs: number;
}

/** Handshakes with `target` once per run (memo key `tls:<host>:<port>`); every check asking for it shares the result. */
export function tlsChain(ctx: CheckContext, target: TlsTarget): Promise<TlsFacts> {
  return ctx.memo(`tls:${target.host}:${target.port}`, () => handshake(target, Math.max(500, Math.floor(ctx.settings.timeoutMs * 0.8))));
}

/** The certificates of a peer chain, leaf first, stopping at a self-issued one or a repeat. */
function walkChain(peer: DetailedPeerCertificate): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  for (let c: DetailedPeerCertificate | undefined = peer; c?.raw && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    out.push(new X509Certificate(c.raw));
    if (c.issuerCertificate === c) break;
  }
  return out;
}

const FAILURE_BY_CODE: Record<string, TlsFailure['kind']> = {
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  ECONNREFUSED: 'refused',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ETIMEDOUT: 'timeout',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
};

/** Classifies a socket error; OpenSSL's "wrong version number" and friends mean the port does not speak TLS. */
export function classifyTlsError(error: NodeJS.ErrnoException, endpoint: string): TlsFailure {
  const code = error.code ?? 'UNKNOWN';
  if (/wrong version number|packet length too long|http request|unknown protocol/i.test(error.message)) {
    return { kind: 'not-tls', code, message: `${endpoint} answers, but not with TLS (plain http on this port?)` };
  }
  const kind = FAILURE_BY_CODE[code] ?? (code.startsWith('ERR_SSL') || /ssl|tls|alert/i.test(error.message) ? 'tls' : 'other');
  const messages: Record<TlsFailure['kind'], string> = {
    dns: `cannot resolve the host of ${endpoint} (${code})`,
    refused: `${endpoint} refused the connection (nothing listens there)`,
    unreachable: `${endpoint} is unreachable (${code})`,
    timeout: `${endpoint} did not complete a TLS handshake in time`,
    reset: `${endpoint} closed the connection during the TLS handshake (${code})`,
    'not-tls': '',
    tls: `the TLS handshake with ${endpoint} failed: ${error.message}`,
    other: `connecting to ${endpoint} failed: ${error.message}`,
  };
  return { kind, code, message: messages[kind] };
}

/** The empty trust store, built once: `ca: []` on each connect built an OpenSSL context per handshake, left to the GC. */
let emptyTrust: SecureContext | undefined;

/**
 * One TLS handshake. The trust store is deliberately empty (`ca: []`) and verification off, so the chain Node reports
 * is only what the server sent — with a store, Node appends issuers from it — and trust is judged afterwards.
 */
export function handshake(target: TlsTarget, timeoutMs: number): Promise<TlsFacts> {
  const { host, port } = target;
  const endpoint = formatEndpoint(target);
  const servername = target.servername ?? (isIP(host) ? undefined : host);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolvePromise) => {
    let socket: TLSSocket | undefined;
    let done = false;
    const finish = (facts: Omit<TlsFacts, 'host' | 'port' | 'handshakeMs'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket?.destroy();
      resolvePromise({ host, port, ...facts, handshakeMs: elapsed() });
    };
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          failure: { kind: 'timeout', message: `${endpoint} did not complete a TLS handshake within ${timeoutMs} ms` },
          chain: [],
        }),
      timeoutMs,
    );
    try {
      socket = connect({
        host,
        port,
        ...(servername ? { servername } : {}),
        rejectUnauthorized: false,
        secureContext: (emptyTrust ??= createSecureContext({ ca: [] })),
      });
    } catch (error) {
      finish({ ok: false, failure: classifyTlsError(error as NodeJS.ErrnoException, endpoint), chain: [] });
      return;
    }
    socket.once('secureConnect', () => {
      const s = socket as TLSSocket;
      try {
        const chain = walkChain(s.getPeerCertificate(true)).map(describeCertificate);
        const cipher = s.getCipher()?.name;
        finish({ ok: true, protocol: s.getProtocol() ?? undefined, ...(cipher ? { cipher } : {}), chain });
      } catch (error) {
        finish({
          ok: false,
          failure: { kind: 'other', message: `${endpoint} sent a certificate that cannot be read: ${(error as Error).message}` },
          chain: [],
        });
      }
    });
    // Kept after finishing too: a late error on a destroyed socket must not become an uncaught exception.
    socket.on('error', (error) => finish({ ok: false, failure: classifyTlsError(error, endpoint), chain: [] }));
  });
}
