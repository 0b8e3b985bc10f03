// Phase-timed reachability of a host: DNS, TCP, TLS handshake, and — through a proxy — the answer both ways, as facts.
// Judging them (which verdict, what it means) is gateway-reachable's.
import { enterStage } from './stage-board.js';
import { lookup } from 'node:dns/promises';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect } from 'node:tls';
import type { CheckContext } from '../check.js';
import { redactUrl } from '../redact.js';
import { httpRequest, type FailureKind, type HttpExchange } from './http.js';
import { proxyFor, type ProxyDecision } from './proxy-env.js';
import { secureContextFor } from './secure-context.js';
import { clientTrust } from './trust.js';

/** One timed phase: whether it worked, how long it took, and the error code and message when it did not. */
export interface Phase {
  ok: boolean;
  ms: number;
  code?: string;
  message?: string;
}

/** What one HTTP exchange said, reduced for comparison and reports (no body, no secrets). */
export interface ExchangeSummary {
  ok: boolean;
  ms: number;
  status?: number;
  server?: string;
  /** The headers that name a proxy (`via`, `x-squid-error`, `proxy-agent`), as received. */
  proxyHeaders?: Record<string, string>;
  /** Why the exchange failed: its kind and message. */
  failureKind?: FailureKind;
  failure?: string;
}

/** Everything the probe learned about one host:port. */
export interface ReachFacts {
  /** The URL probed, credentials redacted. */
  url: string;
  /** Not an http(s) URL: nothing was probed. */
  invalidUrl?: true;
  /** The budget of each phase (the user's --timeout). */
  timeoutMs: number;
  host: string;
  port: number;
  secure: boolean;
  dns: Phase & { addresses: string[] };
  /** Absent when DNS failed. */
  tcp?: Phase & { address?: string };
  /** https only; absent when TCP failed. */
  tls?: Phase & { protocol?: string };
  /** The proxy that applies to the URL under Settings.env (and the NO_PROXY entry that bypasses it). */
  proxy: ProxyDecision;
  /** When a proxy applies: GET of the URL through it, and directly, to compare. */
  viaProxy?: ExchangeSummary;
  direct?: ExchangeSummary;
  /** The proxy's origin, credentials redacted, when one applies. */
  proxyLabel?: string;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };
const PROXY_HEADER_NAMES = ['via', 'x-squid-error', 'proxy-agent', 'x-bluecoat-via', 'x-zscaler-via'];

const since = (start: number) => Math.round(performance.now() - start);

/** Resolves `host` (every address, as the OS resolver orders them), within `timeoutMs`. */
async function resolve(host: string, timeoutMs: number): Promise<Phase & { addresses: string[] }> {
  const start = performance.now();
  if (isIP(host)) return { ok: true, ms: 0, addresses: [host] };
  let timer: NodeJS.Timeout | undefined;
  try {
    const found = await Promise.race([
      lookup(host, { all: true }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('lookup timed out'), { code: 'ETIMEOUT' })), timeoutMs);
      }),
    ]);
    return { ok: true, ms: since(start), addresses: found.map((a) => a.address) };
  } catch (err) {
    const code = (err as { code?: string }).code;
    return { ok: false, ms: since(start), addresses: [], code, message: `DNS lookup of ${host} failed (${code ?? 'unknown error'})` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits for `socket` to emit `event`, failing on error, on `timeoutMs`, or on `signal`; the socket is destroyed on failure.
 * `stage` is what the run's stage board says meanwhile (read if the check is abandoned).
 */
function settle(socket: Socket, event: string, timeoutMs: number, signal: AbortSignal, stage: string): Promise<void> {
  const leaveStage = enterStage(() => stage);
  return new Promise<void>((resolvePromise, reject) => {
    const fail = (err: Error) => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onAbort = () => fail(Object.assign(new Error('cancelled'), { code: 'ABORT_ERR' }));
    const timer = setTimeout(() => fail(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), timeoutMs);
    const done = () => {
      cleanup();
      resolvePromise();
    };
    const cleanup = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.off(event, done);
      socket.off('error', fail);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once(event, done);
    socket.once('error', fail);
  }).finally(leaveStage);
}

/** Connects to each address in turn (a "localhost" may resolve to ::1 first while the server listens on 127.0.0.1) within one budget. */
async function connectTcp(
  addresses: string[],
  port: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ phase: Phase & { address?: string }; socket?: Socket }> {
  const deadline = performance.now() + timeoutMs;
  let first: Phase & { address?: string } = { ok: false, ms: 0, message: 'no address to connect to' };
  for (const [i, address] of addresses.entries()) {
    const remaining = Math.max(1, Math.round(deadline - performance.now()));
    const start = performance.now();
    const socket = netConnect({ host: address, port });
    try {
      await settle(socket, 'connect', remaining, signal, `connecting (TCP) to ${address}:${port}`);
      return { phase: { ok: true, ms: since(start), address }, socket };
    } catch (err) {
      const code = (err as { code?: string }).code;
      const failed = { ok: false, ms: since(start), address, code, message: `TCP connect to ${address}:${port} failed (${code ?? 'unknown error'})` };
      if (i === 0) first = failed;
      if (code === 'ETIMEDOUT' || code === 'ABORT_ERR' || performance.now() >= deadline) break;
    }
  }
  return { phase: first };
}

/** Completes a TLS handshake over `socket` with the CAs this tool trusts; says only whether it worked and the error code. */
async function handshake(socket: Socket, host: string, ca: readonly string[], timeoutMs: number, signal: AbortSignal) {
  const start = performance.now();
  // `host` is what the certificate is checked against (with only a socket, Node would check "localhost"); SNI is for names only.
  const secure = tlsConnect({
    socket,
    host,
    servername: isIP(host) ? undefined : host,
    ...(ca.length ? { secureContext: secureContextFor(ca) } : {}),
    rejectUnauthorized: true,
  });
  try {
    await settle(secure, 'secureConnect', timeoutMs, signal, `in the TLS handshake with ${host}`);
    const protocol = secure.getProtocol() ?? undefined;
    secure.destroy();
    return { ok: true, ms: since(start), ...(protocol ? { protocol } : {}) };
  } catch (err) {
    const code = (err as { code?: string }).code;
    const plainHttp = code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_HTTP_REQUEST';
    const detail = plainHttp ? 'the port answers, but not with TLS (plain http on an https URL?)' : (err as Error).message;
    return { ok: false, ms: since(start), code, message: `TLS handshake with ${host} failed: ${detail}${code ? ` (${code})` : ''}` };
  } finally {
    socket.destroy();
  }
}

/** An exchange reduced to what the comparison and the report need. */
function summarise(exchange: HttpExchange): ExchangeSummary {
  if (!exchange.ok) return { ok: false, ms: exchange.elapsedMs, failureKind: exchange.failure.kind, failure: exchange.failure.message };
  const { status, headers, elapsedMs } = exchange.response;
  const proxyHeaders = Object.fromEntries(PROXY_HEADER_NAMES.filter((n) => headers[n]).map((n) => [n, headers[n]!]));
  return {
    ok: true,
    ms: elapsedMs,
    status,
    ...(headers.server ? { server: headers.server } : {}),
    ...(Object.keys(proxyHeaders).length ? { proxyHeaders } : {}),
  };
}

async function probe(ctx: CheckContext, url: URL): Promise<ReachFacts> {
  const timeoutMs = ctx.settings.timeoutMs;
  const secure = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
  const proxy = proxyFor(url, ctx.settings.env);
  const ca = (await clientTrust(ctx)).ca;

  // Through a proxy, compare the proxy's answer with the host's own (both GETs run while the phases are timed).
  const exchanges = proxy.proxy
    ? Promise.all([
        httpRequest({ url: url.href, ca, timeoutMs, maxBytes: 64 * 1024, signal: ctx.signal, proxyEnv: ctx.settings.env }),
        httpRequest({ url: url.href, ca, timeoutMs, maxBytes: 64 * 1024, signal: ctx.signal }),
      ])
    : undefined;

  const dns = await resolve(host, timeoutMs);
  let tcp: ReachFacts['tcp'];
  let tls: ReachFacts['tls'];
  if (dns.ok) {
    const connected = await connectTcp(dns.addresses, port, timeoutMs, ctx.signal);
    tcp = connected.phase;
    if (connected.socket && secure) tls = await handshake(connected.socket, host, ca, timeoutMs, ctx.signal);
    else connected.socket?.destroy();
  }
  const facts: ReachFacts = { url: redactUrl(url.href), host, port, secure, timeoutMs, dns, proxy, ...(tcp ? { tcp } : {}), ...(tls ? { tls } : {}) };
  if (!exchanges || !proxy.proxy) return facts;
  const [proxied, direct] = await exchanges;
  return { ...facts, viaProxy: summarise(proxied), direct: summarise(direct), proxyLabel: redactUrl(new URL(proxy.proxy).origin) };
}

/**
 * Probes `url`'s host once per run (memo key `reach:<host>:<port>`): DNS (all addresses), TCP to each address in turn,
 * the TLS handshake for https (trusting clientTrust's CAs), and — when HTTP(S)_PROXY applies under Settings.env — a GET
 * through the proxy and a direct one, both kept. Never throws; an unparsable URL gives `invalidUrl`.
 */
export function reach(ctx: CheckContext, url: string): Promise<ReachFacts> {
  let parsed: URL;
  try {
    parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    const proxy = proxyFor('', ctx.settings.env);
    return Promise.resolve({
      url: redactUrl(url),
      invalidUrl: true,
      timeoutMs: ctx.settings.timeoutMs,
      host: '',
      port: 0,
      secure: false,
      dns: { ok: false, ms: 0, addresses: [] },
      proxy,
    });
  }
  const port = Number(parsed.port) || DEFAULT_PORTS[parsed.protocol] || 0;
  return ctx.memo(`reach:${parsed.hostname}:${port}`, () => probe(ctx, parsed));
}
