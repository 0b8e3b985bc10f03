// A reference OpenAI-compatible model server that answers as vLLM's (`vllm serve`) does: its routes, its error bodies and
// statuses, and the options that change them. Sources (vllm-project/vllm): vllm/entrypoints/openai/api_server.py (routes,
// --api-key middleware), serving_chat.py @003fe5932 (tool choice, chat template errors), serving_engine.py (`_check_model`,
// `create_error_response`, `_validate_input`), protocol.py (ErrorResponse, ModelCard). Rows in FIDELITY.md.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, pathOf, readBody, sendJson } from './http.js';

/** How the server is started: the `vllm serve` flags that change its answers. */
export interface ModelServerOptions {
  /** --served-model-name (the id /v1/models lists and requests must name). */
  servedModelName?: string;
  /** --max-model-len (default 131072, the 128k window of the Codestral family's budget). */
  maxModelLen?: number;
  /** Whether the tokenizer has a chat template or --chat-template gives one (false: every chat request fails). */
  chatTemplate?: boolean;
  /** --enable-auto-tool-choice with a --tool-call-parser (default on; false: tool_choice "auto" answers 400). */
  autoToolChoice?: boolean;
  /** --api-key: every /v1 route wants `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  host?: string;
}

/** A running model server. */
export interface RunningModelServer {
  /** Its root URL (no path). */
  url: string;
  /** The endpoint GitLab must be given for it: `<url>/v1`, as GitLab's docs require. */
  endpoint: string;
  model: string;
  maxModelLen: number;
  close(): Promise<void>;
}

/** vLLM's ErrorResponse (protocol.py): `{ error: { message, type, param, code } }`. */
function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { error: { message, type, param: null, code: status } });
}

/** The reference's stand-in for the tokenizer: about four characters per token (NOT vLLM's tokenizers; enough to cross max_model_len). */
const tokensOf = (text: string) => Math.ceil(text.length / 4);

type ChatRequest = { model?: unknown; messages?: unknown; max_tokens?: unknown; tools?: unknown; tool_choice?: unknown };

/** The prompt's text: every message's string content. */
function promptText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  return messages.map((m: { content?: unknown }) => (typeof m?.content === 'string' ? m.content : '')).join('\n');
}

export async function startModelServer(opts: ModelServerOptions = {}): Promise<RunningModelServer> {
  const model = opts.servedModelName ?? 'codestral-22b';
  const maxModelLen = opts.maxModelLen ?? 131_072;
  const created = Math.floor(Date.now() / 1000);

  /** serving_engine.py `_check_model`: 404 NotFoundError for a model the server does not serve. */
  const unknownModel = (res: ServerResponse, name: unknown) =>
    typeof name === 'string' && name === model
      ? false
      : (sendError(res, 404, 'NotFoundError', `The model \`${String(name)}\` does not exist.`), true);

  /** serving_engine.py `_validate_input`: the prompt plus max_tokens must fit max_model_len (400 BadRequestError). */
  const overLength = (res: ServerResponse, prompt: string, maxTokens: unknown): boolean => {
    const input = tokensOf(prompt);
    const wanted = typeof maxTokens === 'number' ? maxTokens : 16;
    if (input >= maxModelLen) {
      sendError(
        res,
        400,
        'BadRequestError',
        `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${input} input tokens. Please reduce the length of the input messages.`,
      );
      return true;
    }
    if (input + wanted > maxModelLen) {
      sendError(
        res,
        400,
        'BadRequestError',
        `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${input + wanted} tokens (${input} in the messages, ${wanted} in the completion). Please reduce the length of the messages or completion.`,
      );
      return true;
    }
    return false;
  };

  const chat = (res: ServerResponse, body: ChatRequest) => {
    if (unknownModel(res, body.model)) return;
    // serving_chat.py: "auto" needs --enable-auto-tool-choice and --tool-call-parser, checked before the template is applied.
    if (body.tool_choice === 'auto' && opts.autoToolChoice === false) {
      return sendError(res, 400, 'BadRequestError', '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set');
    }
    if (opts.chatTemplate === false) {
      // The ValueError vLLM's chat_utils raises without a template, as create_error_response(f"{e} {e.__cause__}") words it.
      return sendError(
        res,
        400,
        'BadRequestError',
        'As of transformers v4.44, default chat template is no longer allowed, so you must provide a chat template if the tokenizer does not define one. None',
      );
    }
    if (overLength(res, promptText(body.messages), body.max_tokens)) return;
    sendJson(res, 200, {
      id: 'chatcmpl-reference',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello', tool_calls: [] }, finish_reason: 'length' }],
      usage: { prompt_tokens: tokensOf(promptText(body.messages)), completion_tokens: 1, total_tokens: tokensOf(promptText(body.messages)) + 1 },
    });
  };

  const completion = (res: ServerResponse, body: { model?: unknown; prompt?: unknown; max_tokens?: unknown }) => {
    if (unknownModel(res, body.model)) return;
    if (overLength(res, typeof body.prompt === 'string' ? body.prompt : '', body.max_tokens)) return;
    sendJson(res, 200, {
      id: 'cmpl-reference',
      object: 'text_completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ text: '\n  puts "hello world"\nend\n', index: 0, finish_reason: 'stop' }],
    });
  };

  const json = async (req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | undefined> => {
    try {
      const parsed: unknown = JSON.parse(await readBody(req));
      if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
    } catch {
      // falls through to the 400 below
    }
    sendError(res, 400, 'BadRequestError', 'The request body is not a JSON object');
    return undefined;
  };

  const running = await listen({
    ...(opts.host ? { host: opts.host } : {}),
    handler: async (req, res) => {
      const path = pathOf(req.url);
      // api_server.py's --api-key middleware guards the /v1 routes only; its 401 body is {"error": "Unauthorized"}.
      if (opts.apiKey && path.startsWith('/v1') && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
        return sendJson(res, 401, { error: 'Unauthorized' });
      }
      if (req.method === 'GET' && path === '/health') return void res.writeHead(200).end();
      if (req.method === 'GET' && path === '/v1/models') {
        return sendJson(res, 200, {
          object: 'list',
          data: [
            {
              id: model,
              object: 'model',
              created,
              owned_by: 'vllm',
              root: `mistralai/${model}`,
              parent: null,
              max_model_len: maxModelLen,
              permission: [],
            },
          ],
        });
      }
      if (req.method === 'POST' && path === '/v1/chat/completions') {
        const body = await json(req, res);
        return body && chat(res, body);
      }
      if (req.method === 'POST' && path === '/v1/completions') {
        const body = await json(req, res);
        return body && completion(res, body);
      }
      // FastAPI's answer to a route it does not have.
      sendJson(res, 404, { detail: 'Not Found' });
    },
  });
  return { url: running.url, endpoint: `${running.url}/v1`, model, maxModelLen, close: running.close };
}
