// Secret handling on its own, whatever a check happens to print: every token of a multi-target run, repeated, inside
// URLs, and across line breaks, is gone from every report format — redacted before layout, so no reporter's wrapping
// can show a piece of one.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { redactRun } from '../../src/cli/commands/check.js';
import { secretsOf } from '../../src/cli/secrets.js';
import { loadSettings } from '../../src/config/load.js';
import { defaultSettings } from '../../src/config/settings.js';
import { REPORT_FORMATS, renderReport } from '../../src/report/index.js';
import { multiTargetRun } from './sample.js';

const PROD_TOKEN = 'glpat-Pr0dTokenAAAAbbbbCCCC';
const STAGING_TOKEN = 'glpat-St4gingTokenDDDDeeeeFF';
const PROXY_PASSWORD = 'pr0xy-P4ssw0rd-1234';
const URL_PASSWORD = 'gitlab-url-s3cret-5678';
const SECRETS = [PROD_TOKEN, STAGING_TOKEN, PROXY_PASSWORD, URL_PASSWORD];

const settings = defaultSettings({
  installations: [
    {
      name: 'prod',
      settings: defaultSettings({ gitlabToken: PROD_TOKEN, env: { HTTPS_PROXY: `http://user:${PROXY_PASSWORD}@proxy.example.com:3128` } }),
    },
    {
      name: 'staging',
      settings: defaultSettings({ gitlabToken: STAGING_TOKEN, gitlabUrl: `https://root:${URL_PASSWORD}@gitlab.staging.example.com` }),
    },
  ],
});

/** A run whose every kind of string carries the secrets: repeated, in URLs, split by line breaks, long enough to wrap. */
function leakyRun() {
  const run = multiTargetRun();
  run.results = run.results.map((r) => {
    const token = r.target === 'staging' ? STAGING_TOKEN : PROD_TOKEN;
    return {
      ...r,
      summary: `${r.summary} — sent ${token}, then ${token} again, via https://user:${PROXY_PASSWORD}@proxy.example.com`,
      details: [
        ...(r.details ?? []),
        `Authorization: Bearer ${token}\n${token}\nend`,
        `${'x'.repeat(70)} ${token} ${'y'.repeat(70)}`,
        // Split across lines by whoever produced the text (a wrapped echo, a folded header), once bare and once indented.
        `echo: ${token.slice(0, 9)}\n${token.slice(9)}; folded: ${token.slice(0, 15)}\r\n\t${token.slice(15)}`,
      ],
      remediation: `Rotate ${token}; the clone URL https://root:${URL_PASSWORD}@gitlab.example.com/g/p.git leaks ${URL_PASSWORD} too.`,
      evidence: { ...(r.evidence ?? {}), header: `PRIVATE-TOKEN: ${token}`, list: [token, { nested: token }] },
    };
  });
  return run;
}

/** Every 8-character piece of each secret: a reporter that wrapped a secret across lines would show one. */
const pieces = SECRETS.flatMap((s) => Array.from({ length: s.length - 7 }, (_, i) => s.slice(i, i + 8)));

describe('secretsOf a multi-target run', () => {
  it("holds every installation's token and every password inside their URLs, once each", () => {
    const secrets = secretsOf(settings);
    for (const s of SECRETS) expect(secrets).toContain(s);
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('holds nothing when the run has no secrets', () => {
    expect(secretsOf(defaultSettings({}))).toEqual([]);
  });
});

describe.each(REPORT_FORMATS)('the %s report of a redacted run', (format) => {
  it('shows no secret and no piece of one, in any result of any target', async () => {
    const text = await renderReport(format, redactRun(leakyRun(), settings), { color: false });
    for (const piece of pieces) expect(text, `piece ${piece}`).not.toContain(piece);
  });

  // Prometheus exports numbers and labels only: no summary, so no marker.
  it.skipIf(format === 'prometheus')('shows the redaction marker where the secrets were', async () => {
    const text = await renderReport(format, redactRun(leakyRun(), settings), { color: false });
    expect(text).toMatch(/REDACTED/);
  });
});

describe('every per-target token of a multi-target config, loaded as the CLI loads it', () => {
  const FILE_TOKEN = 'glpat-F1leTokenGGGGhhhhII';
  const ENV_TOKEN = 'glpat-EnvT0kenJJJJkkkkLL';
  const DEFAULT_TOKEN = 'glpat-Def4ultTokenMMMMnnnn';
  const TARGET_URL_PASSWORD = 'eu-url-s3cret-9012';
  const ALL = [FILE_TOKEN, ENV_TOKEN, DEFAULT_TOKEN, TARGET_URL_PASSWORD];

  /** Three targets, each with its token from elsewhere: a token file (with its trailing newline), a named variable, GITLAB_TOKEN. */
  async function loaded() {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'duo-doctor-secrets-'));
    try {
      await writeFile(path.join(dir, 'token'), `${FILE_TOKEN}\n`);
      await writeFile(
        path.join(dir, 'targets.yaml'),
        [
          'targets:',
          '  - name: file',
          `    gitlabTokenFile: ${path.join(dir, 'token')}`,
          '  - name: env',
          '    tokenEnv: GITLAB_TOKEN_ENV',
          '  - name: eu',
          `    gitlabUrl: https://root:${TARGET_URL_PASSWORD}@gitlab.eu.example.com`,
          '',
        ].join('\n'),
      );
      return await loadSettings({ config: path.join(dir, 'targets.yaml') }, { GITLAB_TOKEN: DEFAULT_TOKEN, GITLAB_TOKEN_ENV: ENV_TOKEN });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it("holds each target's token and URL password", async () => {
    const secrets = secretsOf(await loaded());
    for (const s of ALL) expect(secrets).toContain(s);
  });

  it.each(REPORT_FORMATS)('leaves none of them, nor a piece of one, in the %s report', async (format) => {
    const settings = await loaded();
    const run = multiTargetRun();
    const names = ['file', 'env', 'eu'];
    run.results = run.results.map((r, i) => ({
      ...r,
      target: names[i % names.length]!,
      summary: `${r.summary} (${ALL.join(', ')}, ${ALL[i % ALL.length]!.slice(0, 12)}\n${ALL[i % ALL.length]!.slice(12)})`,
      evidence: { ...(r.evidence ?? {}), tokens: ALL },
    }));
    const text = await renderReport(format, redactRun(run, settings), { color: false });
    for (const s of ALL) for (let i = 0; i + 8 <= s.length; i++) expect(text, `piece of ${s}`).not.toContain(s.slice(i, i + 8));
  });
});
