// The token and the JWTs GitLab issues never appear in anything duo-doctor writes: every scenario, every format, stdout, stderr, files.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTarget } from '../../bench/target.js';
import { SCENARIOS, startStack, type Stack } from '../../src/reference/scenarios.js';
import { REPORT_FORMATS, type ReportFormat } from '../../src/report/index.js';
import { createLimiter } from '../../src/runner/limit.js';
import { runCli } from '../helpers/cli.js';
import { scenarioLacks } from '../helpers/scenario-needs.js';
import { rakeWording } from '../../src/judge/rake.js';

/** A recognisable administrator token: the reference GitLab accepts it, so every check that uses it runs. */
const TOKEN = 'glpat-DUODOCTORSECRET-7f3a9c1e5b';
/** Any JWT (header.payload of base64url JSON), such as the tokens GitLab issues for the gateway. */
const JWT = /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}/;
/** The rake task's DIAGNOSTIC SUMMARY keys: its newest variant's steps (the others are subsets). */
const RAKE_KEYS: readonly string[] = rakeWording('transport').steps.map((step) => step.key);
/** PEM key material of any kind. */
const KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Three stacks and CLI runs at a time: enough to be quick, few enough for a loaded 2-core machine. */
const slots = createLimiter(3);

/** The CLI arguments and environment that point `duo-doctor check` at a stack, as a user would type them (--deep, --exec too). */
function invocation(stack: Stack): { args: string[]; env: NodeJS.ProcessEnv } {
  const target = cliTarget(stack);
  return { args: ['check', ...target.args], env: { PATH: process.env.PATH, HOME: process.env.HOME, ...target.env } };
}

/** The JSON block under the text report's DIAGNOSTIC SUMMARY heading. */
function diagnosticSummary(text: string): unknown {
  const at = text.indexOf('DIAGNOSTIC SUMMARY');
  expect(at).toBeGreaterThan(0);
  // The JSON ends where the rake task's closing NOTE begins.
  const json = text.slice(text.indexOf('\n', at) + 1);
  return JSON.parse(json.slice(0, json.indexOf('\n\nNOTE: ')));
}

describe('no secret in any output', () => {
  it.concurrent.each(SCENARIOS.map((s, i) => [s.name, REPORT_FORMATS[i % REPORT_FORMATS.length] as ReportFormat, s] as const))(
    '%s (stdout as %s is rotated; every other format to a --report file)',
    async (_name, format, scenario) =>
      slots.run(async () => {
        // A stand-in this machine cannot run (named in the run's summary) would fail runtime-host, not leak.
        if (scenarioLacks(scenario)) return;
        const stack = await startStack(scenario, { adminToken: TOKEN });
        const dir = await mkdtemp(join(tmpdir(), 'duo-doctor-secrets-'));
        try {
          const { args, env } = invocation(stack);
          const files = REPORT_FORMATS.filter((f) => f !== format).map((f) => [f, join(dir, `report.${f}`)] as const);
          const r = await runCli([...args, '--format', format, ...files.flatMap(([f, file]) => ['--report', `${f}=${file}`])], { env });

          expect(r.code).toBe(scenario.expectedFailures.length ? 1 : 0);
          expect(r.stderr).toBe('');
          const outputs: [string, string][] = [
            [`stdout (${format})`, r.stdout],
            ...(await Promise.all(files.map(async ([f, file]) => [f, await readFile(file, 'utf8')] as [string, string]))),
          ];
          for (const [where, text] of outputs) {
            expect(text.length, where).toBeGreaterThan(0);
            expect(text.includes(TOKEN), `${where} holds the token`).toBe(false);
            // Not even caught by the last-line redaction: no check put the token in a message at all.
            expect(text.includes('[REDACTED]'), `${where} needed the token redacted`).toBe(false);
            expect(text.match(JWT)?.[0], `${where} holds a JWT`).toBeUndefined();
            expect(text.match(KEY)?.[0], `${where} holds key material`).toBeUndefined();
          }

          // The part GitLab's own docs ask to paste into a support ticket: results only, no secret.
          const text = outputs.find(([where]) => where.includes('text'))?.[1] as string;
          const summary = diagnosticSummary(text) as { tool: unknown; targets: Record<string, string>; results: Record<string, unknown>[] };
          // The rake task's keys first (GitLab's version decides which), then duo-doctor's own.
          expect(Object.keys(summary).slice(-4)).toEqual(['tool', 'targets', 'summary', 'results']);
          expect(
            Object.keys(summary)
              .slice(0, -4)
              .filter((k) => !RAKE_KEYS.includes(k)),
          ).toEqual([]);
          for (const result of summary.results) expect(Object.keys(result).sort()).toEqual(['id', 'status', 'summary']);
          for (const url of Object.values(summary.targets)) expect(new URL(url).username).toBe('');
        } finally {
          await stack.close();
          await rm(dir, { recursive: true, force: true });
        }
      }),
    180_000,
  );
});
