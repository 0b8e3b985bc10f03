// Code completions as the gateway serves them: FastAPI-style body validation, a deterministic suggestion, and streaming.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendJson } from '../http.js';

/** One FastAPI/pydantic validation error. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
}

/** A validated completion request (the fields the reference uses). */
export interface CompletionRequest {
  fileName: string;
  contentAbove: string;
  contentBelow: string;
  stream: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a parsed body like the gateway's pydantic model; the issues come in FastAPI's 422 `detail` shape. */
export function validateCompletion(body: unknown): { ok: true; value: CompletionRequest } | { ok: false; detail: ValidationIssue[] } {
  if (body === undefined) {
    return { ok: false, detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {} }] };
  }
  if (!isObject(body)) {
    return {
      ok: false,
      detail: [
        { type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: body },
      ],
    };
  }
  const file = body['current_file'];
  if (file === undefined) return { ok: false, detail: [missing(['body', 'current_file'], body)] };
  if (!isObject(file)) {
    return {
      ok: false,
      detail: [
        {
          type: 'model_attributes_type',
          loc: ['body', 'current_file'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: file,
        },
      ],
    };
  }
  const detail: ValidationIssue[] = [];
  for (const field of ['file_name', 'content_above_cursor'] as const) {
    const loc = ['body', 'current_file', field];
    if (file[field] === undefined) detail.push(missing(loc, file));
    else if (typeof file[field] !== 'string') detail.push({ type: 'string_type', loc, msg: 'Input should be a valid string', input: file[field] });
  }
  const below = file['content_below_cursor'];
  if (below !== undefined && typeof below !== 'string') {
    detail.push({ type: 'string_type', loc: ['body', 'current_file', 'content_below_cursor'], msg: 'Input should be a valid string', input: below });
  }
  const stream = body['stream'];
  if (stream !== undefined && typeof stream !== 'boolean') {
    detail.push({ type: 'bool_parsing', loc: ['body', 'stream'], msg: 'Input should be a valid boolean, unable to interpret input', input: stream });
  }
  if (detail.length) return { ok: false, detail };
  return {
    ok: true,
    value: {
      fileName: file['file_name'] as string,
      contentAbove: file['content_above_cursor'] as string,
      contentBelow: (below as string | undefined) ?? '',
      stream: stream === true,
    },
  };
}

function missing(loc: string[], input: unknown): ValidationIssue {
  return { type: 'missing', loc, msg: 'Field required', input };
}

/** Languages by file extension, as the gateway names them in `model.lang`. */
const LANGUAGES: Record<string, string> = {
  rb: 'ruby',
  py: 'python',
  js: 'js',
  ts: 'ts',
  go: 'go',
  java: 'java',
  rs: 'rust',
  c: 'c',
  cpp: 'cpp',
  php: 'php',
  sh: 'shell',
};

/** Bodies completing a function opened on the last line, per language; other languages get a comment. */
const BODIES: Record<string, (name: string) => string> = {
  ruby: (name) => `\n  puts "${name}"\nend\n`,
  python: (name) => `():\n    print("${name}")\n`,
  js: (name) => `() {\n  console.log('${name}');\n}\n`,
  ts: (name) => `(): void {\n  console.log('${name}');\n}\n`,
  go: (name) => `() {\n\tfmt.Println("${name}")\n}\n`,
};

/** The language of a file name ('' when unknown). */
export function languageOf(fileName: string): string {
  const ext = fileName.includes('.') ? (fileName.split('.').pop() ?? '') : '';
  return LANGUAGES[ext.toLowerCase()] ?? '';
}

/** A deterministic suggestion: the same request always gets the same text, which follows the last line's intent. */
export function suggest(req: CompletionRequest): { lang: string; text: string } {
  const lang = languageOf(req.fileName);
  const lastLine = req.contentAbove.split('\n').pop() ?? '';
  const name = /(?:def|function|func|fn)\s+(\w+)\s*$/.exec(lastLine)?.[1];
  const body = BODIES[lang];
  const text = name && body ? body(name.replace(/_/g, ' ')) : `\n// completed by the duo-doctor reference AI gateway\n`;
  return { lang, text };
}

/** The model the reference reports in answers. */
const MODEL = { engine: 'duo-doctor-reference', name: 'reference-completion' } as const;

/** Answers a validated completion request: the real JSON shape, or a chunked text/event-stream when `stream` is set. */
export async function answerCompletion(
  req: IncomingMessage,
  res: ServerResponse,
  request: CompletionRequest,
  opts: { headers: Record<string, string>; streamChunks: number; streamIntervalMs: number },
): Promise<void> {
  const { lang, text } = suggest(request);
  if (!request.stream) {
    sendJson(
      res,
      200,
      {
        id: 'id',
        model: { ...MODEL, lang },
        experiments: [],
        object: 'text_completion',
        created: Math.floor(Date.now() / 1000),
        choices: [{ text, index: 0, finish_reason: 'length' }],
      },
      opts.headers,
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...opts.headers });
  res.flushHeaders();
  let gone = false;
  // The response's close, not the socket's: a kept-alive socket carries many requests, and a listener per request on it would pile up.
  res.once('close', () => (gone = true));
  for (const [i, chunk] of splitInto(text, opts.streamChunks).entries()) {
    if (i > 0) await sleep(opts.streamIntervalMs);
    if (gone) return;
    res.write(chunk);
  }
  res.end();
}

/** Splits text into `n` non-empty pieces (padding with spaces when the text is shorter than `n`). */
function splitInto(text: string, n: number): string[] {
  const padded = text.length >= n ? text : text.padEnd(n, ' ');
  const at = (i: number) => Math.floor((i * padded.length) / n);
  return Array.from({ length: n }, (_, i) => padded.slice(at(i), at(i + 1)));
}
