// curl against `duo-doctor gateway` (a separate process, configured by AIGW_* like the real one) reproduces each
// documented 401 message, and accepts a token minted by the reference GitLab with GitLab's headers.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitLab, type RunningGitLab } from '../../src/reference/gitlab/server.js';
import { gatewayKeyEnv } from '../../src/reference/stack.js';
import { BIN } from '../helpers/cli.js';
import { freePort } from '../helpers/loopback.js';

let gitlab: RunningGitLab;
let gateway: ChildProcess;
let gatewayUrl: string;
let minted: { token: string; headers: Record<string, string> };

function curl(args: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '-o', '-', '-w', '\n%{http_code}', ...args], (error, stdout) => {
      if (error) return reject(error);
      const at = stdout.lastIndexOf('\n');
      resolve({ body: stdout.slice(0, at), status: Number(stdout.slice(at + 1)) });
    });
  });
}

beforeAll(async () => {
  const port = await freePort();
  gatewayUrl = `http://127.0.0.1:${port}`;
  gitlab = await startGitLab({ aiGatewayUrl: gatewayUrl, log: () => undefined });
  gateway = spawn(process.execPath, [BIN, 'gateway', '--port', String(port)], {
    env: { PATH: process.env.PATH, AIGW_GITLAB_URL: gitlab.url, AIGW_GITLAB_API_URL: `${gitlab.url}/api/v4/`, ...gatewayKeyEnv() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    gateway.stdout!.on('data', (d: Buffer) => /listening on/.test(d.toString()) && resolve());
    gateway.once('exit', (code) => reject(new Error(`duo-doctor gateway exited ${code}`)));
  });
  const direct = await curl(['-X', 'POST', '-H', `PRIVATE-TOKEN: ${gitlab.adminToken}`, `${gitlab.url}/api/v4/code_suggestions/direct_access`]);
  expect(direct.status).toBe(201);
  minted = JSON.parse(direct.body) as typeof minted;
});

afterAll(async () => {
  if (gateway && gateway.exitCode === null) {
    const exited = new Promise((resolve) => gateway.once('exit', resolve));
    gateway.kill('SIGTERM');
    await exited;
  }
  await gitlab?.close();
});

const completion = [
  '-X',
  'POST',
  '-H',
  'content-type: application/json',
  '--data',
  '{"current_file":{"file_name":"test.rb","content_above_cursor":"def hello_world","content_below_cursor":""}}',
];
// GitLab's direct_access answer carries its headers; the IDE adds the authentication type (as src/probes/direct-access.ts does).
const IDE = ['-H', 'X-Gitlab-Authentication-Type: oidc'];
const gitlabHeaders = () => [...Object.entries(minted.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), ...IDE];
const without = (name: string) => [
  ...Object.entries(minted.headers)
    .filter(([k]) => k.toLowerCase() !== name.toLowerCase())
    .flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
  ...IDE,
];

describe('duo-doctor gateway, by curl', () => {
  it.each([
    ['no Authorization header', () => [], 'No authorization header presented'],
    ['a Basic scheme', () => ['-H', 'Authorization: Basic dXNlcjpwYXNz'], 'Invalid authorization header'],
    [
      'no X-Gitlab-Authentication-Type: oidc',
      () => ['-H', `Authorization: Bearer ${minted.token}`],
      'Invalid authentication token type - only OIDC is supported',
    ],
    [
      'a token GitLab did not sign',
      () => ['-H', 'Authorization: Bearer not.a.token', '-H', 'X-Gitlab-Authentication-Type: oidc'],
      'Forbidden by auth provider',
    ],
    [
      'the wrong realm',
      () => [...without('X-Gitlab-Realm'), '-H', 'X-Gitlab-Realm: saas', '-H', `Authorization: Bearer ${minted.token}`],
      "Header mismatch 'X-Gitlab-Realm'",
    ],
    [
      'another instance id',
      () => [
        ...without('X-Gitlab-Instance-Id'),
        '-H',
        'X-Gitlab-Instance-Id: 00000000-0000-0000-0000-000000000000',
        '-H',
        `Authorization: Bearer ${minted.token}`,
      ],
      "Header mismatch 'X-Gitlab-Instance-Id'",
    ],
  ])('%s → 401 with the real message', async (_name, headers, message) => {
    const res = await curl([...completion, ...headers(), `${gatewayUrl}/v2/code/completions`]);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toEqual({ error: message });
  });

  it('accepts the token GitLab minted, with GitLab headers, and answers a completion', async () => {
    const res = await curl([...completion, ...gitlabHeaders(), '-H', `Authorization: Bearer ${minted.token}`, `${gatewayUrl}/v2/code/completions`]);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ object: 'text_completion', choices: [expect.objectContaining({ text: expect.any(String) })] });
  });

  it('answers /monitoring/healthz without auth, and GET / as the install guide says', async () => {
    expect(await curl([`${gatewayUrl}/monitoring/healthz`])).toMatchObject({ status: 200 });
    expect(await curl([`${gatewayUrl}/`])).toEqual({ status: 401, body: '{"error":"No authorization header presented"}' });
  });
});
