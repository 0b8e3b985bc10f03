// Prometheus text exposition (format 0.0.4) for a textfile collector or a pushgateway: check statuses as one-hot
// gauges (like kube-state-metrics), durations, totals, certificate expiry and JWKS key counts from the evidence fields typed as ReportedEvidence.
import { exitCodeFor, reportedEvidence, STATUSES, type CheckResult } from '../model.js';
import type { Render } from './index.js';
import { seconds } from './format.js';

type Labels = [name: string, value: string][];

interface Sample {
  labels: Labels;
  value: number | string;
}

/** A label value escaped as the exposition format requires: backslash, double quote and line feed. */
function labelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function sampleValue(value: number | string): string {
  if (typeof value === 'string') return value;
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}

/** A metric family as HELP, TYPE and its samples; nothing at all when it has no samples; repeated series dropped. */
function family(name: string, help: string, samples: readonly Sample[]): string[] {
  if (!samples.length) return [];
  const series = new Map<string, string>();
  for (const { labels, value } of samples) {
    const key = labels.length ? `${name}{${labels.map(([k, v]) => `${k}="${labelValue(v)}"`).join(',')}}` : name;
    if (!series.has(key)) series.set(key, sampleValue(value));
  }
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...[...series].map(([key, value]) => `${key} ${value}`)];
}

/** The labels naming a check's series, with its installation when the result carries one. */
function checkLabels(r: CheckResult, labels: Labels): Labels {
  return r.target !== undefined ? [...labels, ['target', r.target]] : labels;
}

/** Certificates a check recorded in its evidence's `chain`: those with a parseable `notAfter`. */
function certificateSamples(r: CheckResult): Sample[] {
  return (reportedEvidence(r.evidence).chain ?? []).flatMap((cert): Sample[] => {
    const notAfter = Date.parse(cert.notAfter);
    if (Number.isNaN(notAfter)) return [];
    const labels: Labels = [
      ['check', r.id],
      ['subject', cert.subject],
      ['fingerprint', cert.fingerprint256],
    ];
    return [{ labels: checkLabels(r, labels), value: notAfter / 1000 }];
  });
}

export const render: Render = (run) => {
  const { results } = run;
  const lines = [
    ...family(
      'duo_doctor_check_status',
      'Status of each check: 1 for the status it has, 0 for the others.',
      results.flatMap((r) =>
        STATUSES.map((s) => ({
          labels: checkLabels(r, [
            ['id', r.id],
            ['category', r.category],
            ['status', s],
          ]),
          value: r.status === s ? 1 : 0,
        })),
      ),
    ),
    ...family(
      'duo_doctor_check_duration_seconds',
      'How long each check took, in seconds.',
      results.map((r) => ({
        labels: checkLabels(r, [
          ['id', r.id],
          ['category', r.category],
        ]),
        value: seconds(r.durationMs),
      })),
    ),
    ...family(
      'duo_doctor_checks',
      'Number of checks in the run by status.',
      STATUSES.map((s) => ({ labels: [['status', s]], value: run.summary[s] })),
    ),
    ...family('duo_doctor_run_duration_seconds', 'Wall-clock time of the whole run, in seconds.', [{ labels: [], value: seconds(run.durationMs) }]),
    ...family('duo_doctor_run_timestamp_seconds', 'When the run started, in seconds since the Unix epoch.', [
      { labels: [], value: Date.parse(run.startedAt) / 1000 },
    ]),
    ...family(
      'duo_doctor_run_passed',
      "1 when the run passed by the exit code's rule (nothing failed, no input missing, no --strict warning), else 0.",
      [{ labels: [], value: exitCodeFor(run) === 0 ? 1 : 0 }],
    ),
    ...family(
      'duo_doctor_missing_input_checks',
      'Checks skipped because the run lacked an input (gitlab, gateway, token): such a run checked less than it should.',
      (run.missingInputs ?? []).map((m) => ({
        labels: [['input', m.input], ...(m.target !== undefined ? ([['target', m.target]] as Labels) : [])],
        value: m.checks.length,
      })),
    ),
    ...family(
      'duo_doctor_certificate_not_after_seconds',
      'Expiry (notAfter) of each certificate a check examined, in seconds since the Unix epoch.',
      results.flatMap(certificateSamples),
    ),
    ...family(
      'duo_doctor_jwks_keys',
      'Number of keys in the JWKS document a check fetched.',
      results.flatMap((r) => {
        const count = reportedEvidence(r.evidence).keyCount;
        return count !== undefined ? [{ labels: checkLabels(r, [['check', r.id]]), value: count }] : [];
      }),
    ),
  ];
  return lines.join('\n') + '\n';
};
