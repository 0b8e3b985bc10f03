// examples/kubernetes/prometheus-rules.yaml, judged by Prometheus itself (Debian's promtool): the rules load, each
// alert fires on the series of its unit tests (prometheus-rules.promtest.yaml) and not before its `for:`, and — against
// a real `duo-doctor serve` in front of reference installations — the rules read metrics and labels serve really
// exposes, and raise exactly the alerts each installation deserves.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { findScenario, startStack, type Stack } from '../../src/reference/scenarios.js';
import { BIN, ROOT } from '../helpers/cli.js';
import { freePort } from '../helpers/loopback.js';

const RULES = path.join(ROOT, 'examples/kubernetes/prometheus-rules.yaml');
const UNIT_TESTS = path.join(ROOT, 'test/examples/prometheus-rules.promtest.yaml');
/** When the scraped state is evaluated: past every rule's `for:` (the longest is 1h), the state held constant until then. */
const EVAL_SECONDS = 2 * 3600;
const DAY = 86_400;

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Alert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}
type Families = ReturnType<typeof parsePrometheusTextFormat>;

const rules = (parse(readFileSync(RULES, 'utf8')) as { spec: { groups: { name: string; rules: Rule[] }[] } }).spec.groups;
const alerts = rules.flatMap((g) => g.rules);

let dir: string;

/** promtool with its exit code and output. */
function promtool(args: readonly string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('promtool', args, { cwd: dir }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') throw new Error(`promtool could not run (${error.message}): apt-get install prometheus`);
      resolve({ code: error ? (error.code as number) : 0, out: stdout + stderr });
    });
  });
}

/** `{{ $labels.x }}` in an annotation, filled in as Prometheus does for one alert. */
function expand(template: string, labels: Record<string, string>): string {
  return template.replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_m, name: string) => labels[name] ?? '');
}

/** The alert Prometheus raises for `rule` on a series with `labels`. */
function expected(rule: Rule, labels: Record<string, string>): Alert {
  const all = { ...labels, ...rule.labels };
  return { exp_labels: all, exp_annotations: Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, expand(v, all)])) };
}

/** A series selector as promtool's input_series reads it. */
function selector(name: string, labels: Record<string, string> = {}): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`);
  return pairs.length ? `${name}{${pairs.join(',')}}` : name;
}

/**
 * The scraped state as promtool input series, held constant from 0 to past EVAL_SECONDS. promtool's clock starts at
 * the Unix epoch, so every metric whose HELP says it is a time since the epoch is moved by the same amount as the
 * clock (the scrape happens at EVAL_SECONDS): `time() - duo_doctor_run_timestamp_seconds` and a certificate's time left
 * keep their real values.
 */
function inputSeries(families: Families, scrapedAt: number): { series: string; values: string }[] {
  const steps = EVAL_SECONDS / 60 + 10;
  return families.flatMap((family) => {
    const shift = /since the Unix epoch/.test(family.help) ? EVAL_SECONDS - scrapedAt : 0;
    return family.metrics.map((m) => ({ series: selector(family.name, m.labels), values: `${Number(m.value) + shift}x${steps}` }));
  });
}

interface Scraped {
  metrics: string;
  scrapedAt: number;
}

/** Starts `duo-doctor serve` (the real command) against `stack` and returns its /metrics once a run has completed. */
async function scrapeServe(stack: Stack): Promise<Scraped> {
  const port = await freePort();
  const s = stack.settingsOverrides;
  const args = ['serve', '--host', '127.0.0.1', '--port', String(port), '--interval', '1h', '--gitlab-url', s.gitlabUrl!, '--tmp-dir', s.tmpDir!];
  if (s.gatewayUrl) args.push('--gateway-url', s.gatewayUrl);
  if (s.caFile) args.push('--ca-file', s.caFile);
  if (s.gatewayVersion) args.push('--gateway-version', s.gatewayVersion);
  const serve: ChildProcess = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, GITLAB_TOKEN: stack.adminToken, ...s.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  serve.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      // The run's own series appear in /metrics once the first run has completed.
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then(
        (r) => r.text(),
        () => 'not listening yet',
      );
      if (metrics.includes('\nduo_doctor_run_timestamp_seconds ')) return { metrics, scrapedAt: Math.round(Date.now() / 1000) };
      if (Date.now() > deadline) throw new Error(`serve completed no run within 30 s; it said: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    serve.kill('SIGTERM');
  }
}

/** promtool test rules over the scraped state: `want` is every alert expected at EVAL_SECONDS, by alert name. */
async function evaluate(name: string, scraped: Scraped, want: Record<string, Alert[]>): Promise<{ code: number; out: string }> {
  const file = path.join(dir, `scrape-${name}.yaml`);
  const families = parsePrometheusTextFormat(scraped.metrics);
  writeFileSync(
    file,
    stringify({
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          name,
          interval: '1m',
          input_series: inputSeries(families, scraped.scrapedAt),
          alert_rule_test: alerts.map((a) => ({ eval_time: `${EVAL_SECONDS}s`, alertname: a.alert, exp_alerts: want[a.alert] ?? [] })),
        },
      ],
    }),
  );
  return promtool(['test', 'rules', file]);
}

const rule = (name: string) => alerts.find((a) => a.alert === name)!;

/** The installations scraped, and the alerts each must raise (from the scrape's own series where labels are needed). */
const CASES: { scenario: string; want: (families: Families, scrapedAt: number) => Record<string, Alert[]> }[] = [
  { scenario: 'healthy', want: () => ({}) },
  {
    scenario: 'jwks-empty',
    want: (families) => ({
      DuoDoctorCheckFailing: findScenario('jwks-empty')!.expectedFailures.map((id) => expected(rule('DuoDoctorCheckFailing'), { id })),
      DuoDoctorJwksEmpty: families
        .find((f) => f.name === 'duo_doctor_jwks_keys')!
        .metrics.filter((m) => m.value === '0')
        .map((m) => expected(rule('DuoDoctorJwksEmpty'), m.labels!)),
    }),
  },
  {
    scenario: 'expired-gitlab-cert',
    want: (families, scrapedAt) => ({
      DuoDoctorCheckFailing: findScenario('expired-gitlab-cert')!.expectedFailures.map((id) => expected(rule('DuoDoctorCheckFailing'), { id })),
      DuoDoctorCertificateExpiringSoon: [
        ...new Map(
          families
            .find((f) => f.name === 'duo_doctor_certificate_not_after_seconds')!
            .metrics.filter((m) => Number(m.value) - scrapedAt < 14 * DAY)
            .map((m) => [`${m.labels!.check} ${m.labels!.subject}`, { check: m.labels!.check!, subject: m.labels!.subject! }] as const),
        ).values(),
      ].map((labels) => expected(rule('DuoDoctorCertificateExpiringSoon'), labels)),
    }),
  },
];

const scraped = new Map<string, Scraped>();
const stacks: Stack[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'duo-doctor-promtool-'));
  // A PrometheusRule is a Kubernetes object; promtool reads a plain rule file: its spec.
  writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups: rules }));
  copyFileSync(UNIT_TESTS, path.join(dir, 'unit-tests.yaml'));
  await Promise.all(
    CASES.map(async ({ scenario }) => {
      const stack = await startStack(findScenario(scenario)!);
      stacks.push(stack);
      scraped.set(scenario, await scrapeServe(stack));
    }),
  );
}, 90_000);

afterAll(async () => {
  await Promise.all(stacks.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('examples/kubernetes/prometheus-rules.yaml', () => {
  it('loads in promtool check rules', async () => {
    const result = await promtool(['check', 'rules', 'rules.yaml']);
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain(`SUCCESS: ${alerts.length} rules found`);
  });

  it('passes its promtool unit tests', async () => {
    const result = await promtool(['test', 'rules', 'unit-tests.yaml']);
    expect(result.code, result.out).toBe(0);
  });

  it('has unit tests in which every alert fires, and stays silent on healthy series', () => {
    const tests = (
      parse(readFileSync(UNIT_TESTS, 'utf8')) as { tests: { name: string; alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] }
    ).tests;
    const fired = new Set(tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    const healthy = tests.find((t) => /healthy/.test(t.name))!;
    const silent = new Set(healthy.alert_rule_test.filter((a) => a.exp_alerts.length === 0).map((a) => a.alertname));
    for (const { alert } of alerts) {
      expect(fired, alert).toContain(alert);
      expect(silent, alert).toContain(alert);
    }
  });

  it('reads only metrics and labels that duo-doctor serve exposes', () => {
    const families = parsePrometheusTextFormat(scraped.get('healthy')!.metrics);
    const labelsOf = new Map(families.map((f) => [f.name, new Set(f.metrics.flatMap((m) => Object.keys(m.labels ?? {})))]));
    for (const a of alerts) {
      const metrics = [...a.expr.matchAll(/\bduo_doctor_\w+/g)].map((m) => m[0]);
      expect(metrics.length, a.expr).toBeGreaterThan(0);
      const labels = new Set(metrics.flatMap((m) => [...(labelsOf.get(m) ?? [])]));
      for (const metric of metrics) expect(labelsOf.has(metric), `${a.alert}: ${metric} is not exposed`).toBe(true);
      // Labels grouped by, matched on, or named in an annotation. `target` is there only with several installations.
      const used = [
        ...[...a.expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim())),
        ...[...a.expr.matchAll(/[{,]\s*(\w+)\s*[=!]~?/g)].map((m) => m[1]!),
        ...Object.values(a.annotations ?? {}).flatMap((t) => [...t.matchAll(/\$labels\.(\w+)/g)].map((m) => m[1]!)),
      ];
      for (const label of used.filter((l) => l && l !== 'target')) expect(labels, `${a.alert}: label ${label}`).toContain(label);
    }
  });

  it.each(CASES.map((c) => [c.scenario, c] as const))('%s: promtool raises exactly the alerts the installation deserves', async (scenario, c) => {
    const scrape = scraped.get(scenario)!;
    const want = c.want(parsePrometheusTextFormat(scrape.metrics), scrape.scrapedAt);
    if (scenario !== 'healthy') expect(Object.values(want).flat().length).toBeGreaterThan(0);
    const result = await evaluate(scenario, scrape, want);
    expect(result.code, result.out).toBe(0);
  });
});
