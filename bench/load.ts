// Load on the reference gateway against a bare node:http server answering the same bytes (and against the gateway
// without auth), all driven by wrk (Debian's) in a process of its own: requests/s and p99 of POST /v2/code/completions.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { httpRequest, type HttpResponse } from '../src/probes/http.js';
import { startGateway } from '../src/reference/gateway/server.js';
import type { TlsOptions } from '../src/reference/http.js';
import type { Stack } from '../src/reference/scenarios.js';

/** The completion every request asks for (what system-exchange sends). */
const BODY = JSON.stringify({
  current_file: { file_name: 'test.rb', content_above_cursor: 'def hello_world', content_below_cursor: '' },
  stream: false,
});
const COMPLETIONS = '/v2/code/completions';

/** What a client sends the gateway: GitLab's direct-access tokens (rotated) and its identifying headers. */
export interface LoadRequest {
  tokens: string[];
  headers: Record<string, string>;
}

/** One load run's figures. */
export interface LoadRun {
  requestsPerSecond: number;
  p99Ms: number;
  requests: number;
  /** Non-2xx answers plus socket errors: a run with any is not a valid measurement. */
  errors: number;
}

/** The response to replay: the gateway's answer to BODY, byte for byte. */
interface Recorded {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One request that must be answered with `status`. */
async function expect(status: number, req: Parameters<typeof httpRequest>[0]): Promise<HttpResponse> {
  const exchange = await httpRequest(req);
  if (!exchange.ok) throw new Error(`bench: ${req.url}: ${exchange.failure.message}`);
  if (exchange.response.status !== status) throw new Error(`bench: ${req.url} answered ${exchange.response.status}: ${exchange.response.body.slice(0, 200)}`);
  return exchange.response;
}

/** Asks the reference GitLab for `count` direct-access tokens, as an IDE would. */
export async function directAccess(stack: Stack, count: number): Promise<LoadRequest> {
  const ca = await stackCa(stack);
  const tokens: string[] = [];
  let headers: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const res = await expect(201, { url: `${stack.gitlabUrl}/api/v4/code_suggestions/direct_access`, method: 'POST', headers: { 'PRIVATE-TOKEN': stack.adminToken }, ca });
    const json = JSON.parse(res.body) as { token: string; headers: Record<string, string> };
    tokens.push(json.token);
    headers = json.headers;
  }
  return { tokens, headers };
}

/** The stack's CA, for its https servers. */
async function stackCa(stack: Stack): Promise<string[] | undefined> {
  return stack.caFile ? [await readFile(stack.caFile, 'utf8')] : undefined;
}

/** The gateway's answer to BODY, to replay. */
async function record(stack: Stack, load: LoadRequest): Promise<Recorded> {
  const res = await expect(200, {
    url: `${stack.gatewayUrl}${COMPLETIONS}`,
    method: 'POST',
    headers: { ...load.headers, authorization: `Bearer ${load.tokens[0]}`, 'content-type': 'application/json' },
    body: BODY,
    ca: await stackCa(stack),
  });
  // node:http writes these itself.
  const headers = Object.fromEntries(Object.entries(res.headers).filter(([name]) => !['connection', 'keep-alive', 'date', 'transfer-encoding'].includes(name)));
  return { status: res.status, headers, body: Buffer.from(res.body, 'utf8') };
}

/** A listening loopback server. */
export interface Server {
  url: string;
  close(): Promise<void>;
}

/** A certificate for another loopback https server, when the stack's gateway speaks https (so the comparison does too). */
async function loopbackTls(stack: Stack): Promise<TlsOptions | undefined> {
  if (!stack.gatewayUrl.startsWith('https:')) return undefined;
  const { buildChain } = await import('../src/pki/generate.js');
  const chain = buildChain({ host: '127.0.0.1' });
  return { certPem: chain.chainPem, keyPem: chain.leaf.keyPem };
}

/** A bare node:http(s) server that reads the request and answers the recorded bytes: the cost of HTTP alone in Node. */
export async function startBareServer(stack: Stack, load: LoadRequest): Promise<Server> {
  const reply = await record(stack, load);
  const tls = await loopbackTls(stack);
  const handler: http.RequestListener = (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body);
    });
  };
  const server = tls ? https.createServer({ cert: tls.certPem, key: tls.keyPem }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A second reference gateway like the stack's but with AIGW_AUTH__BYPASS_EXTERNAL=true: what the gateway costs without JWTs. */
export async function startUnauthenticatedGateway(stack: Stack): Promise<Server> {
  const tls = await loopbackTls(stack);
  return startGateway({ env: { ...stack.settingsOverrides.env, AIGW_AUTH__BYPASS_EXTERNAL: 'true' }, ...(tls ? { tls } : {}), log: () => undefined });
}

const lua = (s: string) => JSON.stringify(s); // a JSON string literal is a valid Lua string literal for these values

/** wrk's script: POST BODY with the headers, a token per request in turn, and the figures on one line at the end. */
function wrkScript(load: LoadRequest): string {
  const headers = Object.entries({ ...load.headers, 'Content-Type': 'application/json' })
    .map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`)
    .join('\n');
  return `wrk.method = "POST"
wrk.body = ${lua(BODY)}
${headers}
local tokens = { ${load.tokens.map(lua).join(', ')} }
local i = 0
request = function()
  i = i + 1
  wrk.headers["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1]
  return wrk.format()
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d\\n", summary.requests, summary.duration, latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
`;
}

/** Whether wrk is installed. */
export function hasWrk(): Promise<boolean> {
  return new Promise((resolve) => execFile('wrk', ['--version'], (err) => resolve(!err || (err as { code?: unknown }).code !== 'ENOENT')));
}

/** Drives the load generator; `run(url)` runs wrk once against a server. */
export async function withWrk<T>(load: LoadRequest, opts: { connections: number; seconds: number }, use: (run: (url: string) => Promise<LoadRun>) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'duo-doctor-bench-'));
  const script = path.join(dir, 'completions.lua');
  // Holds test tokens from the reference GitLab: private to this run, removed after it.
  await writeFile(script, wrkScript(load), { mode: 0o600 });
  const run = (url: string) =>
    new Promise<LoadRun>((resolve, reject) => {
      // One wrk thread: on a 2-core machine the other core is the server's.
      const args = ['-t1', `-c${opts.connections}`, `-d${opts.seconds}s`, '--timeout', '10s', '-s', script, `${url}${COMPLETIONS}`];
      execFile('wrk', args, (err, stdout, stderr) => {
        const line = /^BENCH (\d+) (\d+) (\d+) (\d+)$/m.exec(stdout);
        if (err || !line) return reject(new Error(`bench: wrk failed: ${(err?.message ?? '') + stderr}`.trim()));
        const [requests, durationUs, p99Us, errors] = line.slice(1).map(Number) as [number, number, number, number];
        resolve({ requests, requestsPerSecond: requests / (durationUs / 1e6), p99Ms: p99Us / 1000, errors });
      });
    });
  try {
    return await use(run);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
