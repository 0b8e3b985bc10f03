// The Prometheus report: every line in the text exposition grammar (0.0.4), HELP and TYPE once per family,
// one-hot statuses, escaped labels that parse back, and a target label on per-check series.
import { describe, expect, it } from 'vitest';
import { STATUSES, type RunResult } from '../../src/model.js';
import { render } from '../../src/report/prometheus.js';
import { multiTargetRun, sampleRun } from './sample.js';

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const VALUE = '(?:[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]Inf|NaN)';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(${LABEL}(?:,${LABEL})*)?\\})? (${VALUE})(?: -?\\d+)?$`);
const HELP = new RegExp(`^# HELP (${NAME}) (?:[^\\\\\\n]|\\\\[\\\\n])*$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses an exposition document, asserting its grammar and family structure along the way. */
function parse(text: string): Sample[] {
  expect(text.endsWith('\n')).toBe(true);
  const samples: Sample[] = [];
  const help = new Set<string>();
  const type = new Set<string>();
  const finished = new Set<string>();
  let current: string | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    const h = HELP.exec(line);
    const t = TYPE.exec(line);
    const s = SAMPLE.exec(line);
    expect(h ?? t ?? s, `line does not match the exposition grammar: ${line}`).not.toBeNull();
    const family = (h ?? t ?? s)![1]!;
    if (family !== current) {
      // A family's lines are contiguous: once another starts, it never comes back.
      expect(finished.has(family), `${family} appears in two places`).toBe(false);
      if (current) finished.add(current);
      current = family;
    }
    if (h) {
      expect(help.has(family), `two HELP lines for ${family}`).toBe(false);
      help.add(family);
    } else if (t) {
      expect(type.has(family), `two TYPE lines for ${family}`).toBe(false);
      type.add(family);
    } else {
      expect(help.has(family) && type.has(family), `${family} has a sample before its HELP and TYPE`).toBe(true);
      const labels: Record<string, string> = {};
      for (const m of (s![2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      }
      samples.push({ name: family, labels, value: Number(s![3]) });
    }
  }
  const series = samples.map((x) => `${x.name}${JSON.stringify(Object.entries(x.labels).sort())}`);
  expect(new Set(series).size, 'a series appears twice').toBe(series.length);
  return samples;
}

describe('prometheus report', () => {
  it('is valid exposition with HELP and TYPE once per family', () => {
    const families = new Set(parse(render(sampleRun(), { color: false })).map((s) => s.name));
    expect([...families]).toEqual([
      'duo_doctor_check_status',
      'duo_doctor_check_duration_seconds',
      'duo_doctor_checks',
      'duo_doctor_run_duration_seconds',
      'duo_doctor_run_timestamp_seconds',
      'duo_doctor_run_passed',
      'duo_doctor_certificate_not_after_seconds',
      'duo_doctor_jwks_keys',
    ]);
  });

  it('says whether the run passed by the exit code rule, and counts the checks each missing input skipped', () => {
    const passed = (run: RunResult) => parse(render(run, { color: false })).find((s) => s.name === 'duo_doctor_run_passed')?.value;
    const clean: RunResult = { ...sampleRun(), results: [], summary: { pass: 1, warn: 1, fail: 0, skip: 0, error: 0 } };
    expect(passed(clean)).toBe(1);
    expect(passed({ ...clean, strict: true })).toBe(0);
    const missing: RunResult = { ...clean, missingInputs: [{ input: 'token', reason: 'x', checks: ['license', 'system-exchange'], target: 'eu' }] };
    expect(passed(missing)).toBe(0);
    expect(parse(render(missing, { color: false })).filter((s) => s.name === 'duo_doctor_missing_input_checks')).toEqual([
      { name: 'duo_doctor_missing_input_checks', labels: { input: 'token', target: 'eu' }, value: 2 },
    ]);
  });

  it('exposes each check status one-hot, and the totals', () => {
    const run = sampleRun();
    const samples = parse(render(run, { color: false }));
    for (const r of run.results) {
      const statuses = samples.filter((s) => s.name === 'duo_doctor_check_status' && s.labels['id'] === r.id);
      expect(statuses.map((s) => s.labels['status'])).toEqual(STATUSES);
      expect(statuses.filter((s) => s.value === 1).map((s) => s.labels['status'])).toEqual([r.status]);
      expect(statuses.every((s) => s.labels['category'] === r.category)).toBe(true);
    }
    for (const status of STATUSES) {
      expect(samples.find((s) => s.name === 'duo_doctor_checks' && s.labels['status'] === status)?.value).toBe(run.summary[status]);
    }
    expect(samples.find((s) => s.name === 'duo_doctor_run_timestamp_seconds')?.value).toBe(Date.parse(run.startedAt) / 1000);
    expect(samples.find((s) => s.name === 'duo_doctor_check_duration_seconds' && s.labels['id'] === 'system-exchange')?.value).toBe(10.002);
  });

  it('exposes certificate expiry from evidence chains, label values escaped and parsed back intact', () => {
    const samples = parse(render(sampleRun(), { color: false })).filter((s) => s.name === 'duo_doctor_certificate_not_after_seconds');
    // The chain's third certificate has no notAfter, so it has no sample.
    expect(samples).toEqual([
      {
        name: 'duo_doctor_certificate_not_after_seconds',
        labels: { check: 'gitlab-tls', subject: 'CN=gitlab.example.com', fingerprint: expect.stringMatching(/^AB:CD:/) as unknown as string },
        value: Date.parse('2025-06-30T12:00:00.000Z') / 1000,
      },
      {
        name: 'duo_doctor_certificate_not_after_seconds',
        labels: { check: 'gitlab-tls', subject: 'CN=Example "Quoted" CA\\Ops,O=A & B\nOU=second line', fingerprint: '01:02' },
        value: Date.parse('2030-01-01T00:00:00.000Z') / 1000,
      },
    ]);
  });

  it('exposes the JWKS key count where evidence has one', () => {
    const samples = parse(render(sampleRun(), { color: false })).filter((s) => s.name === 'duo_doctor_jwks_keys');
    expect(samples).toEqual([{ name: 'duo_doctor_jwks_keys', labels: { check: 'jwks-valid' }, value: 2 }]);
  });

  it('labels every per-check series with its target when the run covers several installations', () => {
    const samples = parse(render(multiTargetRun(), { color: false }));
    const runWide = ['duo_doctor_checks', 'duo_doctor_run_duration_seconds', 'duo_doctor_run_timestamp_seconds', 'duo_doctor_run_passed'];
    const perCheck = samples.filter((s) => !runWide.includes(s.name));
    expect(perCheck.every((s) => s.labels['target'] === 'prod' || s.labels['target'] === 'staging')).toBe(true);
    expect(perCheck.filter((s) => s.name === 'duo_doctor_jwks_keys').map((s) => s.labels['target'])).toEqual(['prod', 'staging']);
  });

  it('omits the certificate and JWKS families when no evidence has them', () => {
    const run = sampleRun();
    run.results = run.results.map(({ evidence: _, ...r }) => r);
    const families = new Set(parse(render(run, { color: false })).map((s) => s.name));
    expect(families.has('duo_doctor_certificate_not_after_seconds')).toBe(false);
    expect(families.has('duo_doctor_jwks_keys')).toBe(false);
  });
});
