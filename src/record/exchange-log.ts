// The run's log of HTTP exchanges, for `--record`: probes note each exchange here; nothing is kept unless a recorder is active.
// AsyncLocalStorage scopes the log to one run without threading it through every probe (two runs in one process stay apart).
import { AsyncLocalStorage } from 'node:async_hooks';

/** One HTTP exchange as a probe saw it: the request as sent, the response as read (or why there was none). */
export interface ObservedExchange {
  /** Epoch milliseconds when the request started. */
  startedAt: number;
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response?: { status: number; headers: Record<string, string>; body: string };
  failure?: { kind: string; code?: string; message: string };
  /** Milliseconds from start to the end of the body (or to the failure). */
  timeMs: number;
  /** Which probe made it: a whole read, a paced stream, a request written byte for byte (the security probes), or a WebSocket upgrade. */
  via: 'http' | 'stream' | 'raw' | 'websocket';
}

const active = new AsyncLocalStorage<ObservedExchange[]>();

/** Runs `fn` with exchange logging on; every exchange a probe makes inside it lands in `log`. */
export function withExchangeLog<T>(log: ObservedExchange[], fn: () => Promise<T>): Promise<T> {
  return active.run(log, fn);
}

/** Notes an exchange when a log is active (a no-op otherwise, so probes call it unconditionally). */
export function noteExchange(exchange: ObservedExchange): void {
  active.getStore()?.push(exchange);
}

/** What a probe knows of an exchange it made: the request, then a response or why there was none. */
export interface ProbeExchange {
  request: { method?: string; url: string; headers?: Record<string, string>; body?: string };
  outcome:
    | { ok: true; status: number; headers: Record<string, string>; body: string; timeMs: number }
    | { ok: false; failure: ObservedExchange['failure'] & object; timeMs: number };
}

/** Notes a probe's exchange in the shape the log keeps (one place, whichever probe made it). */
export function noteProbeExchange(via: ObservedExchange['via'], startedAt: number, e: ProbeExchange): void {
  const { method = 'GET', url, headers = {}, body } = e.request;
  noteExchange({
    startedAt,
    via,
    request: { method, url, headers, ...(body === undefined ? {} : { body }) },
    ...(e.outcome.ok
      ? { response: { status: e.outcome.status, headers: e.outcome.headers, body: e.outcome.body }, timeMs: e.outcome.timeMs }
      : { failure: e.outcome.failure, timeMs: e.outcome.timeMs }),
  });
}

/**
 * Runs a probe's attempt, once more when it failed on a kept-alive connection the server had closed (`stale`), and
 * notes the final exchange: what the http and stream probes share.
 */
export async function attemptAndNote<R>(
  via: ObservedExchange['via'],
  request: ProbeExchange['request'],
  attempt: () => Promise<{ result: R; stale: boolean }>,
  outcomeOf: (result: R) => ProbeExchange['outcome'],
): Promise<R> {
  const startedAt = Date.now();
  const first = await attempt();
  const result = first.stale ? (await attempt()).result : first.result;
  noteProbeExchange(via, startedAt, { request, outcome: outcomeOf(result) });
  return result;
}
