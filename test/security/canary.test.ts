// A canary token through every input path (flags, environment, config file, token file, URLs with and without a
// scheme, broken URLs, plugin output) × every format, table included: it never reaches stdout, stderr, a report file,
// a recording (--record) or a support bundle (--bundle).
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../src/reference/http.js';
import { REPORT_FORMATS } from '../../src/report/index.js';
import { createLimiter } from '../../src/runner/limit.js';
import { runCli } from '../helpers/cli.js';

/** Long enough that the table wraps it when it is not redacted before layout. */
const CANARY = 'glpat-CANARY0123456789abcdefXYZ';
const slots = createLimiter(3);

let dir: string;
let port: number;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duo-doctor-canary-'));
  port = await closedPort();
  await writeFile(file('token'), `${CANARY}\n`);
  await writeFile(file('config.yaml'), `gitlabUrl: https://oauth2:${CANARY}@127.0.0.1:${port}\ngitlabTokenFile: ${file('token')}\n`);
  // A plugin that puts the canary everywhere a check can: in a URL path (long: the table wraps it), in userinfo with
  // and without a scheme, as a bare word, in details, remediation and evidence.
  await writeFile(
    file('leaky-plugin.mjs'),
    `const T = ${JSON.stringify(CANARY)};
     export default { id: 'leaky', title: 'A plugin that quotes secrets', category: 'network', tags: ['ci'],
       explain: { checks: 'x', failsWhen: 'x', fix: 'x' },
       async run() { return { status: 'fail',
         summary: 'GET https://gitlab.example.com/api/v4/very/long/path/' + T + '/and/more failed',
         details: ['token ' + T, 'oauth2:' + T + '@gitlab.example.com', 'https://user:' + T + '@gitlab.example.com/x'],
         remediation: 'export GITLAB_TOKEN=' + T,
         evidence: { url: 'http://x:' + T + '@127.0.0.1/', nested: [{ t: T }] } }; } };`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = () => ['--tmp-dir', dir, '--hf-home', join(dir, 'hf'), '--timeout', '2000'];
const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...extra });

/** Each input path: how the canary gets in, and whether the run is a usage error (exit 2) or a run. */
const PATHS: [name: string, args: () => string[], environment: () => NodeJS.ProcessEnv, usage: boolean][] = [
  ['GITLAB_TOKEN', () => ['--gitlab-url', `http://127.0.0.1:${port}`], () => env({ GITLAB_TOKEN: CANARY }), false],
  ['--gitlab-token-file', () => ['--gitlab-url', `http://127.0.0.1:${port}`, '--gitlab-token-file', file('token')], () => env(), false],
  ['config file (token file and URL userinfo)', () => ['--config', file('config.yaml')], () => env(), false],
  [
    '--gitlab-url with userinfo',
    () => ['--gitlab-url', `https://oauth2:${CANARY}@127.0.0.1:${port}`],
    () => env({ GITLAB_TOKEN: 'glpat-other-token' }),
    false,
  ],
  ['--gateway-url with userinfo', () => ['--gateway-url', `http://u:${CANARY}@127.0.0.1:${port}`], () => env(), false],
  [
    'URL variables with userinfo',
    () => [],
    () =>
      env({
        DUO_DOCTOR_GITLAB_URL: `https://oauth2:${CANARY}@127.0.0.1:${port}`,
        AI_GATEWAY_URL: `http://u:${CANARY}@127.0.0.1:${port}`,
        AIGW_GITLAB_URL: `https://oauth2:${CANARY}@127.0.0.1:${port}`,
      }),
    false,
  ],
  ['plugin output', () => ['--plugin', file('leaky-plugin.mjs'), '--only', 'leaky'], () => env({ GITLAB_TOKEN: CANARY }), false],
  ['--gitlab-url without a scheme', () => ['--gitlab-url', `oauth2:${CANARY}@gitlab.example.com`], () => env(), true],
  ['--gateway-url without a scheme', () => ['--gateway-url', `oauth2:${CANARY}@aigw.example.com`], () => env(), true],
  ['a broken URL', () => ['--gitlab-url', `https://oauth2:${CANARY}@[not-an-ip`], () => env(), true],
  ['a URL with a credential and port 0', () => ['--gitlab-url', `https://oauth2:${CANARY}@gitlab.example.com:0`], () => env(), true],
  ['an unknown option carrying a URL', () => [`--gitlab-ur=https://oauth2:${CANARY}@gitlab.example.com`], () => env(), true],
  ['a token with a line break', () => ['--gitlab-url', `http://127.0.0.1:${port}`], () => env({ GITLAB_TOKEN: `${CANARY}\nsecond-line` }), true],
];

/** Every file of a recording directory and of a support bundle (unpacked with the real tar), with its text. */
async function recordedFiles(recordDir: string, bundle: string): Promise<[string, string][]> {
  const unpacked = `${bundle}.d`;
  await mkdir(unpacked, { recursive: true });
  execFileSync('tar', ['-xzf', bundle, '-C', unpacked]);
  const files = [
    ...(await readdir(recordDir, { recursive: true })).map((f) => join(recordDir, f)),
    ...(await readdir(unpacked, { recursive: true })).map((f) => join(unpacked, f)),
  ];
  const texts = await Promise.all(files.map(async (f) => ((await stat(f)).isFile() ? ([[f, await readFile(f, 'utf8')]] as [string, string][]) : [])));
  expect(texts.flat().map(([f]) => f.slice(f.lastIndexOf('/') + 1))).toEqual(
    expect.arrayContaining(['recording.json', 'exchanges.har', 'README.txt', 'report.txt', 'report.json']),
  );
  return texts.flat();
}

describe('the canary token never appears in any output', () => {
  it.concurrent.each(PATHS.map((p, i) => [...p, REPORT_FORMATS[i % REPORT_FORMATS.length]!] as const))(
    '%s (stdout as %5$s, every other format to a --report file)',
    async (name, args, environment, usage, stdoutFormat) =>
      slots.run(async () => {
        const slug = name.replace(/\W+/g, '-');
        const reports = REPORT_FORMATS.filter((f) => f !== stdoutFormat).map((f) => [f, file(`${slug}.${f}`)] as const);
        const recording = [file(`${slug}.rec`), file(`${slug}.tar.gz`)] as const;
        const r = await runCli(
          [
            'check',
            ...base(),
            ...args(),
            '--format',
            stdoutFormat,
            ...reports.flatMap(([f, out]) => ['--report', `${f}=${out}`]),
            '--record',
            recording[0],
            '--bundle',
            recording[1],
          ],
          { env: environment() },
        );
        const outputs: [string, string][] = [
          ['stdout', r.stdout],
          ['stderr', r.stderr],
          ...(usage ? [] : await Promise.all(reports.map(async ([f, out]) => [f, await readFile(out, 'utf8')] as [string, string]))),
          ...(usage ? [] : await recordedFiles(...recording)),
        ];
        for (const [where, text] of outputs) expect(text.includes(CANARY), `${name}: ${where} holds the canary:\n${text}`).toBe(false);
        if (usage) {
          expect(r.code).toBe(2);
          expect(r.stderr.trim().split('\n')).toHaveLength(1);
        } else {
          expect(r.code).toBe(1);
          for (const [where, text] of outputs.slice(2)) expect(text.length, where).toBeGreaterThan(0);
        }
      }),
    120_000,
  );

  it('names the source of a token no header can carry, never the token', async () => {
    const r = await runCli(['check', '--gitlab-url', `http://127.0.0.1:${port}`], { env: env({ GITLAB_TOKEN: `${CANARY}\nx` }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the GitLab token from GITLAB_TOKEN holds a line break/);
    await writeFile(file('two-line-token'), `${CANARY}\nsecond\n`);
    const f = await runCli(['check', '--gitlab-url', `http://127.0.0.1:${port}`, '--gitlab-token-file', file('two-line-token')]);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain(`--gitlab-token-file ${file('two-line-token')}`);
    expect(f.stderr).not.toContain(CANARY);
  });
});
