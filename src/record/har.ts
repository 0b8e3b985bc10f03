// HAR 1.2 (the format browsers' developer tools and HAR viewers open) from the exchanges a run made, secrets removed.
// http://www.softwareishard.com/blog/har-12-spec/ — a failed exchange has status 0 and `_error`, as Chromium writes it.
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { ObservedExchange } from './exchange-log.js';
import { scrubBody, scrubHeaders, scrubUrl } from './scrub.js';

interface HarHeader {
  name: string;
  value: string;
}

function headerList(headers: Record<string, string>): HarHeader[] {
  return Object.entries(headers).map(([name, value]) => ({ name, value }));
}

function queryString(url: string): HarHeader[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

function entryOf(e: ObservedExchange, secrets: readonly string[]) {
  const url = scrubUrl(e.request.url, secrets);
  const requestBody = e.request.body === undefined ? undefined : scrubBody(e.request.body, secrets);
  const response = e.response;
  const responseBody = response ? scrubBody(response.body, secrets) : '';
  const mimeType = response?.headers['content-type'] ?? 'x-unknown';
  return {
    startedDateTime: new Date(e.startedAt).toISOString(),
    time: e.timeMs,
    request: {
      method: e.request.method,
      url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headerList(scrubHeaders(e.request.headers, secrets)),
      queryString: queryString(url),
      ...(requestBody === undefined
        ? {}
        : { postData: { mimeType: e.request.headers['content-type'] ?? 'application/octet-stream', text: requestBody } }),
      headersSize: -1,
      bodySize: requestBody === undefined ? 0 : Buffer.byteLength(requestBody),
    },
    response: {
      status: response?.status ?? 0,
      statusText: '',
      httpVersion: response ? 'HTTP/1.1' : '',
      cookies: [],
      headers: headerList(scrubHeaders(response?.headers ?? {}, secrets)),
      content: { size: Buffer.byteLength(responseBody), mimeType, text: responseBody },
      redirectURL: response?.headers.location ? scrubUrl(response.headers.location, secrets) : '',
      headersSize: -1,
      bodySize: response ? Buffer.byteLength(responseBody) : -1,
      ...(e.failure ? { _error: e.failure.message, _failureKind: e.failure.kind, ...(e.failure.code ? { _failureCode: e.failure.code } : {}) } : {}),
    },
    cache: {},
    // Probes time the whole exchange; HAR's phases that were not measured are -1 (send and receive must be numbers).
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: e.timeMs, receive: 0 },
    _via: e.via,
  };
}

/** The HAR document for `exchanges`, in the order they started. */
export function toHar(exchanges: readonly ObservedExchange[], secrets: readonly string[]) {
  const sorted = [...exchanges].sort((a, b) => a.startedAt - b.startedAt);
  return {
    log: {
      version: '1.2',
      creator: { name: TOOL_NAME, version: TOOL_VERSION },
      pages: [],
      entries: sorted.map((e) => entryOf(e, secrets)),
    },
  };
}
