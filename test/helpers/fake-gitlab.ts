// A scripted GitLab on loopback for probe and check tests: answers recorded bodies per route and records every request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLoopback, type LoopbackServer } from './loopback.js';

/** One canned answer. A non-string body is sent as JSON. */
export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A route's answer: fixed, or computed from the request (GraphQL routes look at the query). */
export type Route = Answer | ((request: RecordedRequest) => Answer);

/** A request as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The GraphQL query, for POST /api/graphql. */
  query?: string;
}

export interface FakeGitLab extends LoopbackServer {
  requests: RecordedRequest[];
  /** Replaces the routes (keys `METHOD /path`). */
  routes: Record<string, Route>;
}

/** A GraphQL envelope with `data`. */
export const gqlData = (data: unknown): Answer => ({ body: { data } });

/** A GraphQL envelope with errors, as graphql-ruby writes them. */
export const gqlErrors = (...messages: string[]): Answer => ({
  body: { errors: messages.map((message) => ({ message, locations: [{ line: 1, column: 3 }] })) },
});

/** graphql-ruby's error for a field this GitLab version does not have. */
export const missingField = (field: string, type: string): Answer => gqlErrors(`Field '${field}' doesn't exist on type '${type}'`);

function send(res: ServerResponse, answer: Answer): void {
  const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  const type = typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  res.writeHead(answer.status ?? 200, { 'content-type': type, ...answer.headers });
  res.end(text);
}

/**
 * Starts a fake GitLab answering `routes` (e.g. `{'GET /api/v4/metadata': {body: METADATA}}`); `POST /api/graphql`
 * may be a function of the request. Unknown routes answer 404 `{"message":"404 Not Found"}` as Grape does.
 */
export async function startFakeGitLab(routes: Record<string, Route>): Promise<FakeGitLab> {
  const requests: RecordedRequest[] = [];
  // The handler reads the routes through this holder, so a test can swap them between cases.
  const state = { routes };
  const server = await startLoopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      let query: string | undefined;
      if (path.endsWith('/api/graphql')) {
        try {
          query = (JSON.parse(body) as { query?: string }).query;
        } catch {
          query = undefined;
        }
      }
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body, query };
      requests.push(recorded);
      const route = state.routes[`${recorded.method} ${path}`];
      const answer = typeof route === 'function' ? route(recorded) : (route ?? { status: 404, body: { message: '404 Not Found' } });
      send(res, answer);
    });
  });
  const fake = Object.assign(server, { requests }) as FakeGitLab;
  Object.defineProperty(fake, 'routes', { get: () => state.routes, set: (r: Record<string, Route>) => (state.routes = r) });
  return fake;
}
