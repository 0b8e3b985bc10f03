// One connection of the socket probes (raw-http, websocket, tls-scan): TCP, or TLS with SNI and one secure context per
// trust list; a timer cut to the check's budget; the caller's signal; and one settlement, which closes the socket.
import net from 'node:net';
import tls from 'node:tls';
import { secureContextFor } from './secure-context.js';
import { budget } from './stage-board.js';

/** Where an http(s) URL connects: its host (an IPv6 address without brackets), its port, whether TLS. */
export function endpointOf(url: URL): { host: string; port: number; https: boolean } {
  const https = url.protocol === 'https:';
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || (https ? 443 : 80), https };
}

/** A connection to make. */
export interface Dial {
  host: string;
  port: number;
  /**
   * TLS, with these options (SNI is the host unless it is an IP); `ca` becomes its trust list's one secure context
   * (passed as `ca`, Node would parse every root again for each connection). Absent: plain TCP.
   */
  tls?: Omit<tls.ConnectionOptions, 'ca' | 'host' | 'port'> & { ca?: readonly string[] };
  /** The probe's own timeout; the timer is cut to what is left of the running check's budget. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Settles the dial with `result`: the first call wins; the timer and the signal are let go and the socket destroyed. */
export type Finish<T> = (result: T) => void;

/** What a probe does at each turn of its connection; each ends the dial by calling `finish` (or leaves it to a later turn). */
export interface DialHandlers<T> {
  /** The connection is up: TCP connected, or TLS past its handshake. */
  connected(socket: net.Socket, finish: Finish<T>): void;
  /** Listens for what comes next (data, end, close), as soon as the socket exists. */
  listen?(socket: net.Socket, finish: Finish<T>): void;
  /** An error of the socket, or of `tls.connect` itself (a client-side refusal: this OpenSSL will not offer what was asked). */
  error(error: NodeJS.ErrnoException, finish: Finish<T>): void;
  /** The timer ran out; `timeoutMs` is the budget to name (the probe's own, or the check's whole budget when smaller). */
  timeout(finish: Finish<T>, timeoutMs: number): void;
  /** The caller's signal aborted (needed only with a signal). */
  aborted?(finish: Finish<T>): void;
}

/** Connects as `d` says and runs `on` until one of its handlers finishes; never rejects (every failure is the probe's result). */
export function dial<T>(d: Dial, on: DialHandlers<T>): Promise<T> {
  return new Promise((resolve) => {
    let socket: net.Socket | undefined;
    let settled = false;
    const finish: Finish<T> = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      d.signal?.removeEventListener('abort', onAbort);
      socket?.destroy();
      resolve(result);
    };
    const onAbort = () => on.aborted?.(finish);
    const { waitMs, timeoutMs } = budget(d.timeoutMs);
    const timer = setTimeout(() => on.timeout(finish, timeoutMs), waitMs);
    if (d.signal?.aborted) return onAbort();
    d.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (d.tls) {
        const { ca, ...options } = d.tls;
        socket = tls.connect({
          host: d.host,
          port: d.port,
          ...(net.isIP(d.host) ? {} : { servername: d.host }),
          ...(ca ? { secureContext: secureContextFor(ca) } : {}),
          ...options,
        });
      } else socket = net.connect({ host: d.host, port: d.port });
    } catch (error) {
      return on.error(error as NodeJS.ErrnoException, finish);
    }
    const connected = socket;
    // Kept after finishing too: a late error on a destroyed socket must not become an uncaught exception.
    connected.on('error', (error) => on.error(error, finish));
    connected.once(d.tls ? 'secureConnect' : 'connect', () => on.connected(connected, finish));
    on.listen?.(connected, finish);
  });
}
