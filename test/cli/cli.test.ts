// The CLI contract end to end: exit codes, stdout discipline, list/explain, --version, plugins, report files.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const local = ['--only', 'runtime', '--tmp-dir', os.tmpdir(), '--hf-home', os.tmpdir()];

describe('duo-doctor CLI', () => {
  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('check --format json writes only JSON to stdout and nothing to stderr off a TTY', async () => {
    const r = await runCli(['check', ...local, '--format', 'json']);
    expect(r.stderr).toBe('');
    const run = JSON.parse(r.stdout);
    expect(run).toMatchObject({ schemaVersion: 1, tool: { name: 'duo-doctor' } });
    expect(Object.keys(run)).toEqual(['schemaVersion', 'tool', 'startedAt', 'durationMs', 'targets', 'summary', 'results']);
    expect(r.code).toBe(run.summary.fail + run.summary.error > 0 ? 1 : 0);
  });

  it.each([
    [['check', '--gitlab-url', 'notaurl'], /^duo-doctor: --gitlab-url notaurl: not a URL/],
    [['check', '--no-such-flag'], /unknown option '--no-such-flag'/],
    [['check', '--gitlab-token', 'glpat-abc'], /never taken as a flag value/],
    [['check', '--only', 'no-such-check'], /--only no-such-check: no check has that id, tag or category/],
    [['check', '--format', 'yaml'], /--format yaml/],
    [['check', '--config', '/nonexistent.yaml'], /no such file/],
    [['explain', 'no-such-check'], /no such check/],
    [['bogus-command'], /unknown command 'bogus-command'/],
  ])('%j exits 2 with one line on stderr, no stack trace', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('never echoes a token given as a flag', async () => {
    const r = await runCli(['check', '--gitlab-token', 'glpat-do-not-print']);
    expect(r.stderr + r.stdout).not.toContain('glpat-do-not-print');
  });

  it('--strict turns warnings into exit 1', async () => {
    const plugin = path.join(dir, 'warn-plugin.mjs');
    await writeFile(
      plugin,
      `export default { id: 'always-warns', title: 'A plugin check that warns', category: 'runtime', tags: ['ci'],
        explain: { checks: 'x', failsWhen: 'x', fix: 'x' }, async run() { return { status: 'warn', summary: 'careful' }; } };`,
    );
    const plain = await runCli(['check', '--plugin', plugin, '--only', 'always-warns', '--format', 'json']);
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout).results[0]).toMatchObject({ id: 'always-warns', status: 'warn', summary: 'careful' });
    expect((await runCli(['check', '--plugin', plugin, '--only', 'always-warns', '--strict'])).code).toBe(1);
    const list = await runCli(['list', '--plugin', plugin]);
    expect(list.stdout).toMatch(/^always-warns\s+runtime/m);
  });

  it('rejects a plugin that is not a check, naming the file', async () => {
    const plugin = path.join(dir, 'bad-plugin.mjs');
    await writeFile(plugin, `export default { id: 'Bad Id' };`);
    const r = await runCli(['check', '--plugin', plugin]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--plugin ${plugin}: has a check without a valid id`);
  });

  it('writes several formats in one run with --output and --report', async () => {
    const junit = path.join(dir, 'out.xml');
    const json = path.join(dir, 'out.json');
    const md = path.join(dir, 'out.md');
    const r = await runCli(['check', ...local, '--format', 'json', '--output', json, '--report', `junit=${junit}`, '--report', `markdown=${md}`]);
    expect(r.stdout).toBe('');
    expect(JSON.parse(await readFile(json, 'utf8')).schemaVersion).toBe(1);
    expect(await readFile(junit, 'utf8')).toMatch(/^<\?xml[^>]*\?>\s*<testsuites/);
    expect(await readFile(md, 'utf8')).toMatch(/\| Check \|/);
  });

  it('list --format json lists every check with id, category, title and tags', async () => {
    const r = await runCli(['list', '--format', 'json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ id: string; category: string; title: string; tags: string[] }>;
    expect(rows.map((x) => x.id)).toContain('tmp-writable');
    for (const row of rows) expect(Object.keys(row)).toEqual(expect.arrayContaining(['id', 'category', 'title', 'tags']));
  });

  it('explain prints what a check does, when it fails and the fix', async () => {
    const r = await runCli(['explain', 'tmp-writable']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tmp-writable — /);
    expect(r.stdout).toMatch(/What it checks:[\s\S]*When it fails:[\s\S]*How to fix it:[\s\S]*emptyDir/);
  });
});
