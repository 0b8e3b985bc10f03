// One keep-alive connection pool per run: probes of the same run share undici dispatchers keyed by trust list, proxy and
// connect timeout (each dispatcher pools connections per origin), so a run makes one TLS handshake per origin and
// connection instead of one per exchange. AsyncLocalStorage scopes the pool to the run, so probes need no new parameter.
// The installations of a multi-target run share their run's pool (fifty installations behind one gateway reach it over
// the same connections: a connection carries no token, and the key holds everything that decides how it is made);
// serve's successive runs never share a connection, so each run sees the servers as they are now.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Dispatcher } from 'undici';
import type { OnStage, Stage } from './http.js';

/** Told by a dispatcher's connector when a new connection to `origin` ("https://host:port") reaches `stage`. */
export type ConnectionWatch = (origin: string, stage: Stage) => void;

/** A pooled dispatcher lent to one request; `release` once the request is over. */
export interface Lease {
  dispatcher: Dispatcher;
  release(): void;
  /** Whether the request went out on a connection opened before it (no new connection to its origin was heard of). */
  reused(): boolean;
}

interface Entry {
  dispatcher: Dispatcher;
  /** Requests of this dispatcher still waiting for a connection, by origin: told each stage a new connection reaches. */
  waiting: Map<string, Set<OnStage>>;
}

/** The origin key of a URL as undici's connector sees it (protocol and host with port, IPv6 in brackets). */
export function originKey(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/**
 * Wraps `dispatcher` so `onStage` hears when the request gets its connection: undici starts a request (onRequestStart)
 * only on a connected socket, after TCP and TLS (and, through a proxy, its tunnel) — a reused socket at once.
 */
export function watchRequestStart(dispatcher: Dispatcher, onStage: OnStage | undefined): Dispatcher {
  if (!onStage) return dispatcher;
  return dispatcher.compose((dispatch) => (opts, handler) => {
    const watched = new Proxy(handler, {
      get(target, name) {
        const value: unknown = Reflect.get(target, name);
        if (name === 'onRequestStart') {
          return (...args: unknown[]) => {
            onStage('waiting for the response headers');
            return (value as ((...a: unknown[]) => unknown) | undefined)?.apply(target, args);
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    return dispatch(opts, watched);
  });
}

/** The dispatchers of one run, and whether it is over: shared by the views of one multi-target run. */
interface Shared {
  entries: Map<string, Entry>;
  closed: boolean;
}

/** The dispatchers of one run. */
export class ConnectionPool {
  readonly #shared: Shared;

  /** `connectTimeoutMs`: how long a new connection may take (the run's --timeout; each request's own timer is the tighter bound). */
  constructor(
    readonly connectTimeoutMs: number,
    shared: Shared = { entries: new Map(), closed: false },
  ) {
    this.#shared = shared;
  }

  /** The same connections for an installation whose --timeout may differ: a dispatcher of another connect timeout is another entry. */
  withConnectTimeout(connectTimeoutMs: number): ConnectionPool {
    return new ConnectionPool(connectTimeoutMs, this.#shared);
  }

  /**
   * The pooled dispatcher for `key` (made by `create` on first use, given a watch that reports its new connections and the connect timeout),
   * watched for `url`'s request; undefined once the pool is closed (a straggler of an abandoned check then owns its own).
   */
  lease(
    key: string,
    url: URL,
    create: (watch: ConnectionWatch, connectTimeoutMs: number) => Dispatcher,
    onStage: OnStage | undefined,
  ): Lease | undefined {
    if (this.#shared.closed) return undefined;
    const entries = this.#shared.entries;
    key = `${this.connectTimeoutMs} ${key}`;
    let entry = entries.get(key);
    if (!entry) {
      const waiting = new Map<string, Set<OnStage>>();
      const watch: ConnectionWatch = (origin, stage) => {
        for (const listener of waiting.get(origin) ?? []) listener(stage);
      };
      entry = { dispatcher: create(watch, this.connectTimeoutMs), waiting };
      entries.set(key, entry);
    }
    if (!onStage) return { dispatcher: entry.dispatcher, release: () => undefined, reused: () => false };
    const origin = originKey(url);
    const listeners = entry.waiting.get(origin) ?? new Set<OnStage>();
    entry.waiting.set(origin, listeners);
    // Until its connection is up, a request hears about the connection being opened to its origin; then it stops listening.
    let heardConnect = false;
    const started: OnStage = (stage) => {
      if (stage === 'waiting for the response headers') listeners.delete(connecting);
      onStage(stage);
    };
    const connecting: OnStage = (stage) => {
      heardConnect = true;
      started(stage);
    };
    listeners.add(connecting);
    return {
      dispatcher: watchRequestStart(entry.dispatcher, started),
      release: () => {
        listeners.delete(connecting);
        if (listeners.size === 0) entry.waiting.delete(origin);
      },
      reused: () => !heardConnect,
    };
  }

  /** How many dispatchers the run made (one per trust list, proxy and connect timeout). */
  get size(): number {
    return this.#shared.entries.size;
  }

  /** Ends every connection of the run at once (its results are in; an abandoned check's exchange fails, unread). */
  async close(): Promise<void> {
    this.#shared.closed = true;
    const dispatchers = [...this.#shared.entries.values()].map((e) => e.dispatcher);
    this.#shared.entries.clear();
    await Promise.all(dispatchers.map((d) => d.destroy().catch(() => undefined)));
  }
}

const current = new AsyncLocalStorage<ConnectionPool>();

/** The pool of the run this code runs in, if any (outside a run every exchange owns its connection). */
export function currentPool(): ConnectionPool | undefined {
  return current.getStore();
}

/**
 * Runs `fn` with a pool of its own, closed when `fn` settles: no socket of the run outlives it. Inside another such
 * call (an installation of a multi-target run) `fn` joins the enclosing pool, which its owner closes.
 */
export async function withConnectionPool<T>(connectTimeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const enclosing = current.getStore();
  if (enclosing) return current.run(enclosing.withConnectTimeout(connectTimeoutMs), fn);
  const pool = new ConnectionPool(connectTimeoutMs);
  try {
    return await current.run(pool, fn);
  } finally {
    await pool.close();
  }
}
