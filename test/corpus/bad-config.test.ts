// Bad configuration through the built CLI: every case exits 2 with one line naming the problem; URL credentials never printed.
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_FORMATS } from '../../src/report/index.js';
import { canDropPrivileges, runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/loopback.js';
import { STACK_TRACE } from './harness.js';

let dir: string;
const at = (name: string) => join(dir, name);

/** Files the cases name, written before they run (FIFOs and devices included). */
const FILES: Record<string, string | Buffer | 'dir' | 'fifo'> = {
  'good.yaml': 'only: [ca-bundle]\n',
  'typo.yaml': 'gitlabUlr: https://gitlab.example.com\n',
  'nested-typo.yaml': 'targets:\n  - name: prod\n    gitlabUrll: https://gitlab.example.com\n',
  'wrong-type.yaml': 'timeout: fast\n',
  'list.yaml': '- gitlabUrl: https://gitlab.example.com\n',
  'broken.yaml': 'only: [ca-bundle\n',
  'trailing-comma.json': '{"timeout": 5000,}',
  'billion-laughs.yaml': [
    'a: &a [x, x, x, x, x, x, x, x, x]',
    ...'bcdefg'.split('').map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`),
  ].join('\n'),
  'duplicate-targets.yaml': 'targets:\n  - name: prod\n  - name: prod\n',
  'targets.yaml': 'targets:\n  - name: prod\n    gitlabUrl: https://gitlab.example.com\n',
  'binary.yaml': Buffer.from([0x00, 0xff, 0x10, 0x80, 0x1b, 0x00]),
  'empty-token': '\n',
  'config-dir': 'dir',
  'token-dir': 'dir',
  'config-fifo': 'fifo',
  'token-fifo': 'fifo',
  'out-dir': 'dir',
};

/** One bad invocation and the line it must print (after `duo-doctor: `). */
const CASES: [string, string[], RegExp][] = [
  ['--config names a directory', ['--config', '@config-dir'], /--config \S+config-dir: is a directory$/],
  ['--config names a missing file', ['--config', '@missing.yaml'], /--config \S+missing\.yaml: no such file$/],
  ['--config names a FIFO (no hang)', ['--config', '@config-fifo'], /--config \S+config-fifo: is a named pipe \(FIFO\), not a file$/],
  ['--config names /dev/zero (no endless read)', ['--config', '/dev/zero'], /--config \/dev\/zero: is larger than 1048576 bytes$/],
  ['--config with an unknown key', ['--config', '@typo.yaml'], /unknown key 'gitlabUlr' \(did you mean 'gitlabUrl'\?\)$/],
  [
    '--config with an unknown key in a target',
    ['--config', '@nested-typo.yaml'],
    /targets\[0\]: unknown key 'gitlabUrll' \(did you mean 'gitlabUrl'\?\)$/,
  ],
  ['--config with a value of the wrong type', ['--config', '@wrong-type.yaml'], /'timeout' must be a number$/],
  ['--config that is a list', ['--config', '@list.yaml'], /expected a mapping of settings at the top level$/],
  ['--config that is not YAML', ['--config', '@broken.yaml'], /--config \S+broken\.yaml: not valid YAML: /],
  ['--config that is not JSON', ['--config', '@trailing-comma.json'], /--config \S+trailing-comma\.json: not valid JSON: /],
  [
    '--config with a billion-laughs alias bomb',
    ['--config', '@billion-laughs.yaml'],
    /not valid YAML: Excessive alias count indicates a resource exhaustion attack$/,
  ],
  ['--config of binary bytes', ['--config', '@binary.yaml'], /--config \S+binary\.yaml: (not valid YAML|expected a mapping)/],
  ['--config naming one target twice', ['--config', '@duplicate-targets.yaml'], /the name 'prod' is used twice$/],
  [
    'targets in --config and --gitlab-url together',
    ['--config', '@targets.yaml', '--gitlab-url', 'https://gitlab.example.com'],
    /--gitlab-url conflicts with 'targets' in the config file: set it per target$/,
  ],
  ['--gitlab-token-file names a directory', ['--gitlab-token-file', '@token-dir'], /--gitlab-token-file \S+token-dir: is a directory$/],
  ['--gitlab-token-file names an empty file', ['--gitlab-token-file', '@empty-token'], /--gitlab-token-file \S+empty-token: the file is empty$/],
  [
    '--gitlab-token-file names a FIFO nobody writes to (bounded wait)',
    ['--gitlab-token-file', '@token-fifo'],
    /--gitlab-token-file \S+token-fifo: nothing written to the pipe within 10 s$/,
  ],
  ['--gitlab-token-file names /dev/zero', ['--gitlab-token-file', '/dev/zero'], /--gitlab-token-file \/dev\/zero: is larger than 65536 bytes$/],
  ['the token as a flag value', ['--gitlab-token', 'glpat-FLAGVALUE'], /never taken as a flag value/],
  ['--only and --skip naming the same check', ['--only', 'ca-bundle', '--skip', 'ca-bundle'], /--only and --skip both name ca-bundle$/],
  [
    '--gateway-version and --gateway-image-tag disagreeing',
    ['--gateway-version', '18.6.0', '--gateway-image-tag', 'self-hosted-v18.5.0-ee'],
    /--gateway-version and --gateway-image-tag disagree/,
  ],
  ['--output and --report naming one file', ['--output', '@same.txt', '--report', 'json=@same.txt'], /same\.txt is named by two outputs/],
  ['--timeout 0', ['--timeout', '0'], /--timeout 0: at least 1 ms$/],
  ['--concurrency that is not a number', ['--concurrency', 'many'], /--concurrency many: expected a whole number of at least 1$/],
  ['--report without a file', ['--report', 'junit'], /--report junit: expected FORMAT=FILE/],
  ['--output into a directory', ['--only', 'ca-bundle', '--output', '@out-dir'], /cannot write the text report to \S+out-dir: it is a directory$/],
  ['--output to a full device', ['--only', 'ca-bundle', '--output', '/dev/full'], /cannot write text report to \/dev\/full: ENOSPC$/],
  ['--plugin that does not exist', ['--plugin', '@missing-plugin.js'], /--plugin \S+missing-plugin\.js: could not load it/],
  [
    'an unparseable --gitlab-url with credentials',
    ['--gitlab-url', 'https://admin:pw-SECRETVALUE-42@[::1'],
    /--gitlab-url https:\/\/REDACTED@\[::1: not a URL/,
  ],
  [
    'a non-http --gitlab-url with credentials',
    ['--gitlab-url', 'ftp://admin:pw-SECRETVALUE-42@gitlab.example.com/'],
    /--gitlab-url ftp:\/\/REDACTED@gitlab\.example\.com\/: must be an http:\/\/ or https:\/\/ URL$/,
  ],
  [
    'an unparseable --gateway-url with a secret query',
    ['--gateway-url', 'http://[aigw?private_token=pw-SECRETVALUE-42'],
    /--gateway-url http:\/\/\[aigw\?private_token=REDACTED: not a URL/,
  ],
];

/** `@name` (alone, or after `FORMAT=`) stands for a file in the case directory. */
const expand = (args: readonly string[]) =>
  args.map((a) => a.replace(/^(\w+=)?@([\w.-]+)$/, (_, prefix: string | undefined, name: string) => `${prefix ?? ''}${at(name)}`));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'duo-doctor-bad-config-'));
  for (const [name, content] of Object.entries(FILES)) {
    if (content === 'dir') await mkdir(at(name));
    else if (content === 'fifo') execFileSync('mkfifo', [at(name)]);
    else await writeFile(at(name), content);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bad configuration through the CLI', () => {
  it('reads a good YAML config file (the baseline the bad ones differ from)', async () => {
    const r = await runCli(['check', '--config', at('good.yaml'), '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).results.map((x: { id: string }) => x.id)).toEqual(['ca-bundle']);
  });

  it.each(CASES)('%s: exit 2, one line', async (_name, args, says) => {
    const started = Date.now();
    const r = await runCli(['check', ...expand(args)]);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^duo-doctor: /);
    expect(lines[0]).toMatch(says);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stderr).not.toContain('SECRETVALUE');
    expect(r.stderr).not.toContain('glpat-FLAGVALUE');
  });

  it.skipIf(!canDropPrivileges())('an unreadable --config (mode 000, as an unprivileged user): exit 2, permission denied', async () => {
    const base = await mkdtemp(join(tmpdir(), 'duo-doctor-config-eacces-'));
    try {
      await chmod(base, 0o755);
      const file = join(base, 'duo.yaml');
      await writeFile(file, 'only: [ca-bundle]\n');
      await chmod(file, 0o000);
      const r = await runCli(['check', '--config', file], { wrapper: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'] });
      expect(r).toMatchObject({ code: 2, stdout: '' });
      expect(r.stderr).toBe(`duo-doctor: --config ${file}: permission denied\n`);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});

describe('URL credentials are redacted in every output format', () => {
  const PASSWORD = 'pw-SECRETVALUE-42';
  let closed: number;
  beforeAll(async () => {
    closed = await freePort();
  });

  // One run writes every format (a --report file each, one of them on stdout too): the renderers share no state between formats.
  it('in stdout and in a --report file of every format, from one run', async () => {
    const reports = REPORT_FORMATS.map((f) => ['--report', `${f}=${at(`creds.${f}`)}`]);
    const r = await runCli(
      [
        'check',
        '--gitlab-url',
        `https://admin:${PASSWORD}@127.0.0.1:${closed}`,
        '--gateway-url',
        `http://aigw:${PASSWORD}@127.0.0.1:${closed}/?private_token=${PASSWORD}`,
        '--format',
        'table',
        '--timeout',
        '3000',
        ...reports.flat(),
      ],
      { env: { PATH: process.env.PATH, GITLAB_TOKEN: 'glpat-CREDSRUN0123456789', AIGW_GITLAB_URL: `https://gw:${PASSWORD}@127.0.0.1:${closed}/` } },
    );
    expect(r.code).toBe(1);
    const files = await Promise.all(reports.map(([, spec]) => readFile((spec as string).split('=')[1] as string, 'utf8')));
    for (const text of [r.stdout, r.stderr, ...files]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('glpat-CREDSRUN0123456789');
      expect(text).not.toMatch(STACK_TRACE);
    }
    expect([r.stdout, ...files].join('\n')).toContain('REDACTED');
  });
});
