// Phase-timed reachability of a host: DNS, TCP, TLS handshake, and whether a proxy in the way changes the answer.
import { lookup } from 'node:dns/promises';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect } from 'node:tls';
import type { CheckContext } from '../check.js';
import { redactUrl } from '../redact.js';
import { httpRequest, kindOfCode, type HttpExchange } from './http.js';
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

/** How a reachability probe ended. `proxy` = a proxy in the way fails or answers for the host. */
export type ReachVerdict = 'ok' | 'invalid-url' | 'dns' | 'refused' | 'timeout' | 'unreachable' | 'reset' | 'tls' | 'proxy';

/** What one HTTP exchange said, reduced for comparison and reports (no body, no secrets). */
export interface ExchangeSummary {
  ok: boolean;
  ms: number;
  status?: number;
  server?: string;
  /** The headers that name a proxy (`via`, `x-squid-error`, `proxy-agent`), as received. */
  proxyHeaders?: Record<string, string>;
  failure?: string;
}

/** Everything the probe learned about one host:port. */
export interface ReachFacts {
  /** The URL probed, credentials redacted. */
  url: string;
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
  verdict: ReachVerdict;
  /** One line saying what the verdict means for this host. */
  message: string;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };
const PROXY_HEADER_NAMES = ['via', 'x-squid-error', 'proxy-agent', 'x-bluecoat-via', 'x-zscaler-via'];
const PROXY_SERVER = /squid|privoxy|tinyproxy|zscaler|bluecoat|proxysg|mcafee|skyhigh|forcepoint|websense|fortigate|netskope|polipo|ccproxy|apache traffic server/i;

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

/** Waits for `socket` to emit `event`, failing on error, on `timeoutMs`, or on `signal`; the socket is destroyed on failure. */
function settle(socket: Socket, event: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolvePromise, reject) => {
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
  });
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
      await settle(socket, 'connect', remaining, signal);
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
    await settle(secure, 'secureConnect', timeoutMs, signal);
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
  if (!exchange.ok) return { ok: false, ms: exchange.elapsedMs, failure: exchange.failure.message };
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

/** Whether an answer carries a proxy's signature (a Via header, a proxy product in Server). */
function signedByProxy(s: ExchangeSummary): boolean {
  return Boolean(s.proxyHeaders) || PROXY_SERVER.test(s.server ?? '');
}

/**
 * Judges the proxied exchange against the direct one. Interference when: the proxy refuses or fails (tunnel refused,
 * proxy down, 407); the proxy's answer differs in status from the host's own; or the host is not reachable directly
 * and the proxy answers with a 5xx carrying its own signature (its error page, not the host's). Undefined = no interference.
 */
export function judgeProxy(proxied: HttpExchange, direct: HttpExchange, proxy: string): string | undefined {
  const via = summarise(proxied);
  if (!proxied.ok) {
    if (proxied.failure.kind === 'proxy') return proxied.failure.message;
    if (direct.ok) return `through proxy ${proxy}: ${proxied.failure.message}; directly the host answers HTTP ${direct.response.status}`;
    return undefined;
  }
  const status = proxied.response.status;
  const signature = [via.server ? `Server: ${via.server}` : '', ...Object.entries(via.proxyHeaders ?? {}).map(([k, v]) => `${k}: ${v}`)]
    .filter(Boolean)
    .join(', ');
  const signed = signature ? ` (${signature})` : '';
  if (status === 407) return `proxy ${proxy} demands authentication (HTTP 407 Proxy Authentication Required)${signed}`;
  if (direct.ok && direct.response.status !== status) {
    return `through proxy ${proxy} the answer is HTTP ${status}${signed}, but the host itself answers HTTP ${direct.response.status}`;
  }
  if (!direct.ok && status >= 500 && signedByProxy(via)) {
    return `proxy ${proxy} answered with its own error page: HTTP ${status}${signed}`;
  }
  return undefined;
}

/** The verdict for a failed direct phase. */
function phaseVerdict(code: string | undefined, tls: boolean): ReachVerdict {
  if (tls) return code === 'ETIMEDOUT' ? 'timeout' : 'tls';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return 'unreachable';
  const kind = code ? kindOfCode(code) : undefined;
  return kind === 'refused' || kind === 'timeout' || kind === 'reset' ? kind : 'unreachable';
}

/** One line for a verdict reached on the direct path. */
function directMessage(f: Omit<ReachFacts, 'verdict' | 'message'>, verdict: ReachVerdict): string {
  const where = `${f.host}:${f.port}`;
  switch (verdict) {
    case 'dns':
      return `${f.host} does not resolve (${f.dns.code ?? 'DNS failure'})`;
    case 'refused':
      return `${where} refused the connection: nothing listens on that port (${f.tcp?.address ?? f.host})`;
    case 'timeout':
      return f.tls && !f.tls.ok
        ? `${where} accepted TCP but the TLS handshake got no answer in time`
        : `${where} did not answer the TCP connect in time: a firewall dropping packets, or a wrong host/port`;
    case 'unreachable':
      return `${where} is unreachable (${f.tcp?.code ?? 'no route'})`;
    case 'reset':
      return `${where} reset the connection`;
    case 'tls':
      return `${where} reachable over TCP, but the TLS handshake failed (${f.tls?.code ?? 'unknown'})`;
    default:
      return f.secure ? `${where} reachable; TLS handshake succeeded` : `${where} reachable over TCP`;
  }
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
  const facts = { url: redactUrl(url.href), host, port, secure, dns, proxy, ...(tcp ? { tcp } : {}), ...(tls ? { tls } : {}) };

  let verdict: ReachVerdict = 'ok';
  if (!dns.ok) verdict = 'dns';
  else if (tcp && !tcp.ok) verdict = phaseVerdict(tcp.code, false);
  else if (tls && !tls.ok) verdict = phaseVerdict(tls.code, true);

  if (!exchanges || !proxy.proxy) return { ...facts, verdict, message: directMessage(facts, verdict) };

  const [proxied, direct] = await exchanges;
  const proxyLabel = redactUrl(new URL(proxy.proxy).origin);
  const withExchanges = { ...facts, viaProxy: summarise(proxied), direct: summarise(direct) };
  const interference = judgeProxy(proxied, direct, proxyLabel);
  if (interference) return { ...withExchanges, verdict: 'proxy', message: interference };
  if (proxied.ok) {
    const note = verdict === 'ok' ? '' : ` (directly: ${directMessage(facts, verdict)})`;
    return { ...withExchanges, verdict: 'ok', message: `${host}:${port} reachable through proxy ${proxyLabel} (HTTP ${proxied.response.status})${note}` };
  }
  return { ...withExchanges, verdict, message: `${directMessage(facts, verdict)}; through proxy ${proxyLabel}: ${proxied.failure.message}` };
}

/**
 * Probes `url`'s host once per run (memo key `reach:<host>:<port>`): DNS (all addresses), TCP to each address in turn,
 * the TLS handshake for https (trusting clientTrust's CAs), and — when HTTP(S)_PROXY applies under Settings.env — a GET
 * through the proxy compared with a direct one. Never throws; an unparsable URL gives verdict `invalid-url`.
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
      host: '',
      port: 0,
      secure: false,
      dns: { ok: false, ms: 0, addresses: [] },
      proxy,
      verdict: 'invalid-url',
      message: `not an http(s) URL: ${redactUrl(url)}`,
    });
  }
  const port = Number(parsed.port) || DEFAULT_PORTS[parsed.protocol] || 0;
  return ctx.memo(`reach:${parsed.hostname}:${port}`, () => probe(ctx, parsed));
}
