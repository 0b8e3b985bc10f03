// The parts of undici the probes use, loaded on the first request. Not undici's index: it loads fetch, WebSocket,
// EventSource and cookies too, and its cookies module reads `globalThis.Headers`, which makes Node compile its own
// bundled copy of undici — 71 ms and 63 MB of RSS to import the index against 33 ms and 54 MB for these parts
// (`node --liftoff-only`, this machine), paid by every run that makes a request.
import type { default as Undici, Dispatcher } from 'undici';
import type { Readable } from 'node:stream';

/** What a request gives: undici's ResponseData, with the body as the stream it is. */
export interface UndiciResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable & { dump(): Promise<void> };
}

/** The options of a request through `dispatcher` (undici's request() options, as the probes pass them). */
export type UndiciRequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & {
  method: Dispatcher.HttpMethod;
  dispatcher: Dispatcher;
};

export interface UndiciParts {
  Agent: typeof Undici.Agent;
  ProxyAgent: typeof Undici.ProxyAgent;
  buildConnector: typeof Undici.buildConnector;
  /** undici's request(): `dispatcher` sends `method` to `url` (the index's request() builds the same origin and path). */
  request(url: URL, options: UndiciRequestOptions): Promise<UndiciResponse>;
}

type ApiRequest = (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<UndiciResponse>;

let parts: Promise<UndiciParts> | undefined;

/** undici's parts, loaded once: commands that make no request (`--version`, `list`, `explain`) never parse them. */
export function loadUndici(): Promise<UndiciParts> {
  // CommonJS modules: module.exports is the default export, in Node and in the bundle.
  parts ??= Promise.all([
    import('undici/lib/dispatcher/agent.js'),
    import('undici/lib/dispatcher/proxy-agent.js'),
    import('undici/lib/core/connect.js'),
    import('undici/lib/dispatcher/dispatcher.js'),
    import('undici/lib/api/index.js'),
  ]).then(([agent, proxyAgent, connect, dispatcher, api]) => {
    // As undici's index does: every dispatcher gets request(), connect() and kin (ProxyAgent tunnels with connect()).
    const methods = api.default as Record<string, unknown> & { request: ApiRequest };
    Object.assign((dispatcher.default as { prototype: object }).prototype, methods);
    const send = methods.request;
    return {
      Agent: agent.default as typeof Undici.Agent,
      ProxyAgent: proxyAgent.default as typeof Undici.ProxyAgent,
      buildConnector: connect.default as typeof Undici.buildConnector,
      request: (url, { dispatcher, ...options }) =>
        send.call(dispatcher, { ...options, origin: url.origin, path: url.search ? `${url.pathname}${url.search}` : url.pathname }),
    };
  });
  return parts;
}
