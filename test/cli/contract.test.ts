// The CLI's contract for issue 15: no green run that checked nothing, every option validated the same way from every
// source, bounded durations, --strict/--quiet/--deadline shown in every report, outputs to stdout, early failures.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../src/reference/http.js';
import { Ajv } from 'ajv';
import { BIN, ROOT, runCli } from '../helpers/cli.js';

/** The CLI's JSON is valid against the published schema. */
const validate = new Ajv({ strict: true }).compile(JSON.parse(readFileSync(path.join(ROOT, 'schema/result.schema.json'), 'utf8')) as object);
function expectValidResult(json: string): void {
  validate(JSON.parse(json));
  expect(validate.errors ?? []).toEqual([]);
}

let dir: string;
let port: number;
const file = (name: string) => path.join(dir, name);
const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...extra });
/** A plugin check with a fixed verdict (or one that never finishes). */
const plugin = (id: string, body: string) =>
  `export default { id: '${id}', title: 'plugin ${id}', category: 'network', tags: ['ci'], explain: { checks: 'x', failsWhen: 'x', fix: 'x' }, async run(ctx) { ${body} } };`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-contract-'));
  port = await closedPort();
  await writeFile(file('warns.mjs'), plugin('always-warns', "return { status: 'warn', summary: 'careful', remediation: 'be careful' };"));
  await writeFile(file('passes.mjs'), plugin('always-passes', "return { status: 'pass', summary: 'fine' };"));
  await writeFile(file('hangs.mjs'), plugin('hangs', 'await new Promise((r) => setTimeout(r, 600000));'));
  await writeFile(
    file('marker.mjs'),
    plugin(
      'marker',
      `(await import('node:fs')).writeFileSync(${JSON.stringify(path.join(os.tmpdir(), 'duo-doctor-contract-marker'))}, 'ran'); return { status: 'pass', summary: 'ran' };`,
    ),
  );
  await writeFile(file('never-loads.mjs'), 'await new Promise(() => {});\nexport default {};\n');
  await writeFile(
    file('targets.yaml'),
    [
      'targets:',
      '  - name: prod',
      `    gitlabUrl: http://127.0.0.1:${port}`,
      '  - name: eu',
      `    gitlabUrl: http://127.0.0.1:${port}`,
      '    tokenEnv: GITLAB_TOKEN_EU',
    ].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('usage errors: exit 2, one line, before anything runs', () => {
  it.each([
    [['check', '--gitlab-url', ''], /--gitlab-url is empty/],
    [['check', '--gateway-url', ''], /--gateway-url is empty/],
    [['check', '--exec', ''], /--exec is empty/],
    [['check', '--only', ''], /--only "": an empty item/],
    [['check', '--timeout', ''], /--timeout is empty/],
    [['check', '--config', ''], /--config is empty/],
    [['check', '--target-version', '18.x'], /--target-version 18\.x: expected a version/],
    [['check', '--timeout', '1000h'], /--timeout 1000h: at most 2147483647 ms/],
    [['serve', '--interval', '1000h'], /--interval 1000h: at most 2147483647 ms/],
    [['check', '--deadline', '30d'], /--deadline 30d: expected a duration/],
    [['check', '--gitlab-url', 'https://gitlab.example.com:0'], /port 0/],
    [['check', '--gateway-url', 'http://aigw.example.com:0'], /port 0/],
    [['check', '--gateway-url', 'ftp://aigw.example.com'], /--gateway-url ftp:\/\/aigw\.example\.com: must be an http:\/\/ or https:\/\/ URL/],
    [['check', '--gitlab-url', 'ftp://gitlab.example.com'], /--gitlab-url ftp:\/\/gitlab\.example\.com: must be an http:\/\/ or https:\/\/ URL/],
    [['check', '--expiry-warn-days', '-1'], /--expiry-warn-days -1/],
    [['check', '--only', 'gatway-auth'], /--only gatway-auth: .*did you mean 'gateway-auth'/],
    [['check', '--skip', 'tlss'], /--skip tlss: .*did you mean 'tls'/],
    [['explain', 'gatway-auth'], /no such check \(did you mean 'gateway-auth'\?\)/],
    [
      ['check', '--report', 'junit=/nonexistent-dir/duo.xml'],
      /cannot write the junit report to \/nonexistent-dir\/duo\.xml: its directory does not exist/,
    ],
    [['check', '--format', 'json', '--report', 'tap=-'], /two outputs write to stdout/],
    [['demo', '--gitlab-url', 'https://gitlab.example.com'], /unknown option '--gitlab-url'/],
    [['demo', '--list-scenarios', '--format', 'yaml'], /--format yaml: expected one of text, json/],
  ])('%j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('finds an unwritable --report path before the run, not after it', async () => {
    const marker = path.join(os.tmpdir(), 'duo-doctor-contract-marker');
    await rm(marker, { force: true });
    const ran = await runCli(['check', '--plugin', file('marker.mjs'), '--only', 'marker']);
    expect(ran.code).toBe(0);
    expect(existsSync(marker)).toBe(true);
    await rm(marker, { force: true });
    const r = await runCli(['check', '--plugin', file('marker.mjs'), '--only', 'marker', '--report', 'json=/nonexistent-dir/r.json']);
    expect(r.code).toBe(2);
    expect(existsSync(marker)).toBe(false);
  });

  it('a plugin that never finishes loading: one line naming it, exit 2, in bounded time', async () => {
    const t0 = Date.now();
    const r = await runCli(['check', '--plugin', file('never-loads.mjs'), '--timeout', '500']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^duo-doctor: --plugin ${file('never-loads.mjs').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: could not load it: it did not finish loading within 500 ms`,
      ),
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe('accepted values', () => {
  it('--expiry-warn-days 0 is accepted (warn only when expired)', async () => {
    const r = await runCli(['check', '--plugin', file('passes.mjs'), '--only', 'always-passes', '--expiry-warn-days', '0']);
    expect(r.code).toBe(0);
  });

  it('--gitlab-url ending in /api/v4 is used without it, with a note on stderr', async () => {
    const r = await runCli([
      'check',
      '--gitlab-url',
      `http://127.0.0.1:${port}/api/v4`,
      '--only',
      'always-passes',
      '--plugin',
      file('passes.mjs'),
      '--format',
      'json',
    ]);
    expect(r.stderr).toMatch(/^duo-doctor: note: --gitlab-url ends in \/api\/v4: using http:\/\/127\.0\.0\.1:\d+ /);
    expect(JSON.parse(r.stdout).targets.gitlab).toBe(`http://127.0.0.1:${port}`);
  });

  it.each([
    ['--output -', ['--format', 'json', '--output', '-']],
    ['--report json=-', ['--format', 'tap', '--output', 'out.tap', '--report', 'json=-']],
  ])('%s writes to stdout, never to a file named -', async (_name, args) => {
    const r = await runCli(['check', '--plugin', file('passes.mjs'), '--only', 'always-passes', ...args], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).schemaVersion).toBe(1);
    expect(existsSync(file('-'))).toBe(false);
  });

  it('reads the token from a pipe (--gitlab-token-file /dev/stdin)', async () => {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [
          BIN,
          'check',
          '--gitlab-url',
          `http://127.0.0.1:${port}`,
          '--gitlab-token-file',
          '/dev/stdin',
          '--only',
          'gitlab-reachable',
          '--format',
          'json',
        ],
        { env: env() },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
      child.stdin!.end('glpat-from-a-pipe\n');
    });
    expect(r.stderr).toBe('');
    const run = JSON.parse(r.stdout) as { results: { id: string; status: string }[]; missingInputs?: unknown };
    // The token was read: gitlab-reachable ran (and failed against a closed port) instead of skipping for want of a token.
    expect(run.results.find((x) => x.id === 'gitlab-reachable')?.status).toBe('fail');
    expect(run.missingInputs).toBeUndefined();
  });
});

describe('a run that checked nothing is not a pass', () => {
  it('no GitLab URL, no token, no gateway: exit 1, and every report names the missing inputs', async () => {
    const r = await runCli([
      'check',
      '--only',
      'ci',
      '--skip',
      'runtime',
      '--format',
      'json',
      '--report',
      `text=${file('missing.txt')}`,
      '--report',
      `tap=${file('missing.tap')}`,
    ]);
    expect(r.code).toBe(1);
    expectValidResult(r.stdout);
    const run = JSON.parse(r.stdout) as { summary: { fail: number; error: number }; missingInputs: { input: string; reason: string }[] };
    expect(run.summary.fail + run.summary.error).toBe(0);
    expect(run.missingInputs.map((m) => m.input).sort()).toEqual(['gateway', 'gitlab', 'token']);
    expect(await readFile(file('missing.txt'), 'utf8')).toMatch(/^NOT CHECKED: \d+ checks skipped: no GitLab token given \(GITLAB_TOKEN is unset/m);
    expect(await readFile(file('missing.tap'), 'utf8')).toMatch(/^# NOT CHECKED: \d+ checks skipped: no GitLab URL given/m);
  });

  it('deselecting the checks that need the inputs is a pass', async () => {
    const r = await runCli(['check', '--plugin', file('passes.mjs'), '--only', 'always-passes']);
    expect(r.code).toBe(0);
  });

  it('several targets: a target whose tokenEnv is unset is named, by the variable it asked for', async () => {
    const r = await runCli(['check', '--config', file('targets.yaml'), '--only', 'license', '--format', 'json', '--timeout', '2000'], {
      env: env({ GITLAB_TOKEN: 'glpat-prod-token' }),
    });
    expect(r.code).toBe(1);
    expectValidResult(r.stdout);
    const run = JSON.parse(r.stdout) as {
      missingInputs: { input: string; reason: string; target: string }[];
      results: { id: string; target: string; status: string; summary: string }[];
    };
    expect(run.missingInputs).toEqual([
      expect.objectContaining({ input: 'token', target: 'eu', reason: expect.stringContaining('GITLAB_TOKEN_EU') }),
    ]);
    const eu = run.results.find((x) => x.target === 'eu' && x.id === 'license')!;
    expect(eu.summary).toContain('GITLAB_TOKEN_EU');
    expect(eu.summary).not.toMatch(/\bGITLAB_TOKEN\b(?!_EU)/);
  });
});

describe('--strict, --quiet and --deadline in every report', () => {
  it('--strict: the summary line, JUnit and TAP show the warnings that failed the run', async () => {
    const r = await runCli([
      'check',
      '--plugin',
      file('warns.mjs'),
      '--only',
      'always-warns',
      '--strict',
      '--report',
      `junit=${file('strict.xml')}`,
      '--report',
      `tap=${file('strict.tap')}`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/1 warning \(failing the run: --strict\)/);
    const junit = await readFile(file('strict.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites [^>]*failures="1"/);
    expect(junit).toMatch(/<failure message="careful" type="warn">/);
    expect(await readFile(file('strict.tap'), 'utf8')).toMatch(/^not ok 1 - always-warns: careful$/m);
  });

  it('--quiet: only what is not a pass, then the summary', async () => {
    const r = await runCli([
      'check',
      '--plugin',
      file('warns.mjs'),
      '--plugin',
      file('passes.mjs'),
      '--only',
      'always-warns,always-passes',
      '--quiet',
    ]);
    expect(r.stdout).toContain('(always-warns)');
    expect(r.stdout).not.toContain('(always-passes)');
    expect(r.stdout).toMatch(/1 passed, 1 warning, 0 failed, 0 skipped, 0 errors/);
  });

  it('--deadline: checks still running become error naming the check and its time, and every report is written', async () => {
    const t0 = Date.now();
    const r = await runCli([
      'check',
      '--plugin',
      file('hangs.mjs'),
      '--plugin',
      file('passes.mjs'),
      '--only',
      'hangs,always-passes',
      '--timeout',
      '60s',
      '--deadline',
      '1s',
      '--format',
      'json',
      '--report',
      `junit=${file('deadline.xml')}`,
    ]);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.code).toBe(1);
    expectValidResult(r.stdout);
    const run = JSON.parse(r.stdout) as { aborted: string; results: { id: string; status: string; summary: string }[] };
    expect(run.aborted).toMatch(/deadline/);
    const hung = run.results.find((x) => x.id === 'hangs')!;
    expect(hung.status).toBe('error');
    expect(hung.summary).toMatch(/the run's deadline \(--deadline 1 s\) passed while hangs was running \(after \d+ ms\)/);
    expect(run.results.find((x) => x.id === 'always-passes')!.status).toBe('pass');
    expect(await readFile(file('deadline.xml'), 'utf8')).toMatch(/<error message="the run&apos;s deadline/);
  });
});

describe('commands', () => {
  it('list | head -1: no EPIPE stack trace', async () => {
    const r = await new Promise<{ stderr: string }>((resolve) => {
      execFile('sh', ['-c', `"${process.execPath}" "${BIN}" list --plugin "${file('passes.mjs')}" | head -1`], { env: env() }, (_e, _o, stderr) =>
        resolve({ stderr }),
      );
    });
    expect(r.stderr).toBe('');
  });

  it('a reader that closes the pipe before the first write (head -1 exiting early): exit 0, nothing on stderr', async () => {
    // `list` fits in the pipe's buffer, so `| head -1` alone rarely closes early: close the read end before the CLI writes at all.
    const child = spawn(process.execPath, [BIN, 'list', '--plugin', file('passes.mjs')], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('demo --help lists only the flags demo accepts', async () => {
    const r = await runCli(['demo', '--help']);
    expect(r.stdout).toContain('--scenario');
    expect(r.stdout).toContain('--format');
    for (const flag of ['--gitlab-url', '--gateway-url', '--gitlab-token-file', '--ca-file', '--exec']) expect(r.stdout).not.toContain(flag);
  });

  it('demo --list-scenarios --format json', async () => {
    const r = await runCli(['demo', '--list-scenarios', '--format', 'json']);
    const rows = JSON.parse(r.stdout) as { name: string; description: string }[];
    expect(rows.map((x) => x.name)).toContain('healthy');
  });

  it('explain --plugin explains a plugin check', async () => {
    const r = await runCli(['explain', 'always-warns', '--plugin', file('warns.mjs')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^always-warns — plugin always-warns/);
  });

  it('gateway --help lists the AIGW_* variables it reads; without AIGW_GITLAB_URL it says so on start', async () => {
    const help = await runCli(['gateway', '--help']);
    for (const v of ['AIGW_GITLAB_URL', 'AIGW_AUTH__BYPASS_EXTERNAL', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE']) expect(help.stdout).toContain(v);
    const child = spawn(process.execPath, [BIN, 'gateway', '--port', '0'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(stderr).toMatch(/AIGW_GITLAB_URL is not set/);
  });
});

describe('serve', () => {
  it('binds 127.0.0.1 by default, and SIGTERM aborts the run in flight and exits promptly', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--plugin', file('hangs.mjs'), '--only', 'hangs', '--timeout', '10m'], {
      env: env(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stderr.on('data', () => stderr.includes('listening on') && resolve()));
    expect(stderr).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(code).toBe(0);
  });

  it('writes --report files after each run', async () => {
    const out = file('serve.json');
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--plugin', file('passes.mjs'), '--only', 'always-passes', '--report', `json=${out}`],
      { env: env(), stdio: 'ignore' },
    );
    try {
      const deadline = Date.now() + 15_000;
      while (!existsSync(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(JSON.parse(await readFile(out, 'utf8')).results[0].id).toBe('always-passes');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});

describe('demo', () => {
  it('Ctrl-C removes its temporary directories', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-demo-int-'));
    try {
      const child = spawn(process.execPath, [BIN, 'demo', '--plugin', file('hangs.mjs'), '--timeout', '10m'], {
        env: env({ TMPDIR: tmp }),
        stdio: 'ignore',
      });
      const deadline = Date.now() + 30_000;
      while (!(await readdir(tmp)).some((n) => n.startsWith('duo-doctor-stack-')) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect((await readdir(tmp)).some((n) => n.startsWith('duo-doctor-stack-'))).toBe(true);
      await new Promise((r) => setTimeout(r, 1000));
      child.kill('SIGINT');
      const code = await new Promise((resolve) => child.once('exit', resolve));
      expect(code).toBe(130);
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
