// A real nginx (Debian's) in front of the reference gateway with the install guide's default.conf, adapted to loopback and then broken
// one line at a time: proxy-streaming and proxy-timeouts must each pass as written and fail on their line.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import gatewayHealth from '../../checks/gateway-health.js';
import gatewayReachable from '../../checks/gateway-reachable.js';
import gatewayUrl from '../../checks/gateway-url.js';
import gitlabReachable from '../../checks/gitlab-reachable.js';
import proxyStreaming from '../../checks/proxy-streaming.js';
import proxyTimeouts from '../../checks/proxy-timeouts.js';
import { defaultSettings, type Settings } from '../../src/config/settings.js';
import type { Status } from '../../src/model.js';
import { buildChain } from '../../src/pki/generate.js';
import { startGateway, type RunningGateway } from '../../src/reference/gateway/server.js';
import { findScenario, startStack, type Stack } from '../../src/reference/scenarios.js';
import { runChecks } from '../../src/runner/run.js';
import { guideBlock443, guideBlock80, startNginx, type RunningNginx } from '../helpers/nginx.js';

// gitlab-reachable first: the streamed completion carries the admin token only to a GitLab whose API answered.
const CHECKS = [gitlabReachable, gatewayUrl, gatewayReachable, gatewayHealth, proxyStreaming, proxyTimeouts];

/** An edit of one block's text. */
type Edit = (block: string) => string;
const drop =
  (...lines: string[]): Edit =>
  (block) =>
    lines.reduce((b, line) => {
      expect(b).toContain(line);
      return b.replace(`        ${line}\n`, '').replace(`    ${line}\n`, '');
    }, block);
const add =
  (...lines: string[]): Edit =>
  (block) =>
    block.replace('location / {\n', `location / {\n${lines.map((l) => `        ${l}\n`).join('')}`);
const replace =
  (from: string, to: string): Edit =>
  (block) => {
    expect(block).toContain(from);
    return block.replace(from, to);
  };

/** proxy_buffering back on (nginx's default), with an HTTP/1.1 upstream. */
const HTTP11_BUFFERED: Edit = (b) => add('proxy_http_version 1.1;')(drop('proxy_buffering off;')(b));

interface Case {
  name: string;
  /** Which block duo-doctor is pointed at. */
  target: 'http' | 'https';
  edit?: Edit;
  /** The slowly streaming gateway (3 chunks 3 s apart) and --deep --deep-seconds 5. */
  deep?: boolean;
  expected: Partial<Record<'proxy-streaming' | 'proxy-timeouts', Status>>;
  /** What a failing check's summary/remediation must say. */
  says?: { summary?: RegExp; remediation?: RegExp };
}

const CASES: Case[] = [
  { name: "the guide's 443 block as written", target: 'https', expected: { 'proxy-streaming': 'pass', 'proxy-timeouts': 'pass' } },
  { name: "the guide's port-80 block as written", target: 'http', expected: { 'proxy-streaming': 'pass' } },
  {
    name: 'the port-80 block without proxy_buffering off (HTTP/1.0 upstream)',
    target: 'http',
    edit: drop('proxy_buffering off;'),
    expected: { 'proxy-streaming': 'fail' },
    says: { summary: /^responses are buffered by something in front of the gateway \(nginx/, remediation: /proxy_buffering off;/ },
  },
  {
    // Measured: behind `listen ... ssl` nginx gathers small writes into its 16k ssl_buffer_size unless proxy_buffering off flushes each read.
    name: 'the 443 block without proxy_buffering off (TLS: buffered even with HTTP/1.1)',
    target: 'https',
    edit: drop('proxy_buffering off;'),
    expected: { 'proxy-streaming': 'fail' },
    says: { summary: /^responses are buffered/, remediation: /proxy_buffering off;/ },
  },
  {
    name: 'the port-80 block with proxy_http_version 1.1, without proxy_buffering off (still streams)',
    target: 'http',
    edit: HTTP11_BUFFERED,
    expected: { 'proxy-streaming': 'pass' },
  },
  {
    name: 'the same with gzip on for text/event-stream',
    target: 'http',
    edit: (b) => add('gzip on;', 'gzip_types text/event-stream;')(HTTP11_BUFFERED(b)),
    expected: { 'proxy-streaming': 'fail' },
    says: { summary: /^responses are buffered/, remediation: /gzip off;/ },
  },
  {
    name: 'gzip on for text/event-stream with proxy_buffering off (nginx flushes each chunk)',
    target: 'https',
    edit: add('gzip on;', 'gzip_types text/event-stream;'),
    expected: { 'proxy-streaming': 'pass' },
  },
  { name: 'the 443 block as written, --deep --deep-seconds 5', target: 'https', deep: true, expected: { 'proxy-timeouts': 'pass' } },
  {
    name: 'the 443 block with proxy_read_timeout 2s, --deep --deep-seconds 5',
    target: 'https',
    deep: true,
    edit: replace('proxy_read_timeout 300s;', 'proxy_read_timeout 2s;'),
    expected: { 'proxy-timeouts': 'fail' },
    says: { summary: /cut \(nginx\/1\.22\.1\) after [23]\.\d s/, remediation: /proxy_read_timeout 300s;/ },
  },
];

let stack: Stack;
let slowGateway: RunningGateway;
const chain = buildChain({ host: '127.0.0.1' });
const running: RunningNginx[] = [];

beforeAll(async () => {
  const healthy = findScenario('healthy');
  if (!healthy) throw new Error('no healthy scenario');
  stack = await startStack(healthy);
  // A generation that thinks between chunks: 3 s of silence, longer than a 2 s read timeout.
  slowGateway = await startGateway({ env: stack.settingsOverrides.env, streamChunks: 3, streamIntervalMs: 3000, log: () => undefined });
});
afterAll(async () => {
  await Promise.all(running.map((n) => n.stop()));
  await slowGateway?.close();
  await stack?.close();
});

describe('the proxy checks against a real nginx in front of the reference gateway', () => {
  it.each(CASES)('$name', async ({ target, edit, deep, expected, says }) => {
    const upstream = deep ? slowGateway.url : stack.gatewayUrl;
    // The guide's two blocks: port 80 on {{PORT}}, 443 on {{PORT2}} with a generated certificate.
    const block80 = guideBlock80({ port: '{{PORT}}', upstream });
    const block443 = guideBlock443({ port: '{{PORT2}}', upstream, certificate: '{{DIR}}/server.crt', key: '{{DIR}}/server.key' });
    const http = target === 'http' && edit ? edit(block80) : block80;
    const https = target === 'https' && edit ? edit(block443) : block443;
    const nginx = await startNginx({
      serverBlocks: `${http}\n${https}`,
      files: { 'server.crt': chain.chainPem, 'server.key': chain.leaf.keyPem },
    });
    running.push(nginx);
    const caFile = path.join(nginx.dir, 'ca.pem');
    // Trust both the nginx front's CA and the stack's own (GitLab serves https with a private CA).
    await writeFile(caFile, chain.root.certPem + (stack.caFile ? await readFile(stack.caFile, 'utf8') : ''));
    const url = target === 'http' ? nginx.url : `https://127.0.0.1:${nginx.ports.PORT2}`;
    const settings: Settings = defaultSettings({
      ...stack.settingsOverrides,
      gatewayUrl: url,
      gatewayUrlSource: 'flag',
      caFile,
      ...(deep ? { deep: true, deepSeconds: 5, only: ['proxy-timeouts'] } : {}),
    });

    const run = await runChecks(CHECKS, settings);
    const byId = new Map(run.results.map((r) => [r.id, r]));
    const context = `${JSON.stringify(run.results, null, 1)}\n${await nginx.errorLog()}`;
    expect(byId.get('gateway-health')?.status, context).toBe('pass');
    for (const [id, status] of Object.entries(expected)) {
      const result = byId.get(id);
      expect(result?.status, context).toBe(status);
      if (status === 'fail' && says) {
        if (says.summary) expect(result?.summary).toMatch(says.summary);
        if (says.remediation) expect(result?.remediation).toMatch(says.remediation);
      }
    }
    // The direct-access token and the admin token stay out of every result.
    expect(JSON.stringify(run)).not.toContain(stack.adminToken);
    expect(JSON.stringify(run)).not.toMatch(/Bearer /);
  });
});
