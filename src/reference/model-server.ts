// A tiny OpenAI-compatible model endpoint, so the reference GitLab's self-hosted model has something real to answer.
import { listen, pathOf, sendJson } from './http.js';

/** A running model endpoint serving one model. */
export interface RunningModelServer {
  url: string;
  model: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /v1/models` (what GitLab's setup verification calls) and `POST /v1/completions` with a fixed answer.
 * With `apiKey`, both require `Authorization: Bearer <apiKey>` (401 otherwise, as vLLM does).
 */
export async function startModelServer(opts: { model?: string; apiKey?: string; host?: string } = {}): Promise<RunningModelServer> {
  const model = opts.model ?? 'codestral-22b';
  const running = await listen({
    ...(opts.host ? { host: opts.host } : {}),
    handler: (req, res) => {
      if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
        return sendJson(res, 401, { error: 'Unauthorized' });
      }
      const path = pathOf(req.url);
      if (req.method === 'GET' && path === '/v1/models') {
        return sendJson(res, 200, { object: 'list', data: [{ id: model, object: 'model', created: 0, owned_by: 'duo-doctor' }] });
      }
      if (req.method === 'POST' && path === '/v1/completions') {
        return sendJson(res, 200, {
          id: 'cmpl-reference',
          object: 'text_completion',
          created: Math.floor(Date.now() / 1000),
          model,
          choices: [{ text: '\n  puts "hello world"\nend\n', index: 0, finish_reason: 'stop' }],
        });
      }
      sendJson(res, 404, { detail: 'Not Found' });
    },
  });
  return { url: running.url, model, close: running.close };
}
