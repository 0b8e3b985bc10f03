// JUnit XML for CI (GitLab's `artifacts:reports:junit`): one testsuite per target, one testcase per check.
// Valid against the Jenkins xUnit plugin's junit-10.xsd, the dialect most CI tools read (test/report/junit.xsd).
import { summarise, type CheckResult, type RunResult } from '../model.js';
import type { Render } from './index.js';
import { fixOf, groupByTarget, seconds, xmlAttr, xmlText } from './format.js';
import { plural } from '../plural.js';

/** `name="value"` pairs, escaped. */
function attrs(pairs: Record<string, string | number>): string {
  return Object.entries(pairs)
    .map(([k, v]) => `${k}="${xmlAttr(String(v))}"`)
    .join(' ');
}

/** What a CI viewer shows for a problem: the summary, the details, and the fix. */
function body(r: CheckResult): string {
  const fix = fixOf(r);
  return [r.summary, ...r.details, ...(fix ? [`Fix: ${fix}`] : [])].join('\n');
}

function testcase(r: CheckResult, labelled: boolean, strict: boolean): string {
  // With several installations in one job the target joins the name, so GitLab keeps the cases apart.
  const name = `${r.id}: ${r.title}${labelled && r.target !== undefined ? ` [${r.target}]` : ''}`;
  const open = `    <testcase ${attrs({ name, classname: `duo-doctor.${r.category}`, time: seconds(r.durationMs) })}`;
  const child = (tag: string, extra: Record<string, string> = {}) =>
    `      <${tag} ${attrs({ message: r.summary, ...extra })}>${xmlText(body(r))}</${tag}>`;
  switch (r.status) {
    case 'pass':
      return `${open}/>`;
    // A warning does not fail the job (exit code 0), so it is a passing case whose output says why it warned;
    // under --strict it fails the job, so it is a failure.
    case 'warn':
      if (strict) return [`${open}>`, child('failure', { type: 'warn' }), '    </testcase>'].join('\n');
      return [`${open}>`, `      <system-out>${xmlText(`WARNING: ${body(r)}`)}</system-out>`, '    </testcase>'].join('\n');
    case 'fail':
      return [`${open}>`, child('failure', { type: 'fail' }), '    </testcase>'].join('\n');
    case 'error':
      return [`${open}>`, child('error', { type: 'error' }), '    </testcase>'].join('\n');
    case 'skip':
      return [`${open}>`, child('skipped'), '    </testcase>'].join('\n');
  }
}

/** The failures a suite counts: fail, and warn under --strict (it failed the run). */
function failures(results: readonly CheckResult[], strict: boolean): number {
  const s = summarise(results);
  return s.fail + (strict ? s.warn : 0);
}

/** A suite's time: the sum of its cases' (they ran concurrently, so this can exceed the wall clock). */
const suiteMs = (results: readonly CheckResult[]) => results.reduce((sum, r) => sum + r.durationMs, 0);

function testsuite(run: RunResult, name: string, results: readonly CheckResult[], labelled: boolean): string {
  const s = summarise(results);
  const strict = run.strict === true;
  const time = seconds(suiteMs(results));
  const props = Object.entries({ 'duo-doctor.version': run.tool.version, gitlab: run.targets.gitlab, gateway: run.targets.gateway })
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `      <property ${attrs({ name, value: value! })}/>`)
    .join('\n');
  const counts = { tests: results.length, failures: failures(results, strict), errors: s.error, skipped: s.skip };
  return [
    `  <testsuite ${attrs({ name, ...counts, time, timestamp: run.startedAt })}>`,
    `    <properties>\n${props}\n    </properties>`,
    ...results.map((r) => testcase(r, labelled, strict)),
    '  </testsuite>',
  ].join('\n');
}

/**
 * A run that lacked inputs (or was cut short) is not a pass: its own suite says so with one failing case per missing
 * input, so a CI test report shows why the job failed even when no check did.
 */
function inputsSuite(run: RunResult): { xml: string; failures: number } | undefined {
  const missing = run.missingInputs ?? [];
  const cases = [
    ...missing.map((m) => ({
      name: `missing input: ${m.input}${m.target !== undefined ? ` [${m.target}]` : ''}`,
      message: m.reason,
      body: `${plural(m.checks.length, 'check')} skipped: ${m.checks.join(', ')}`,
    })),
    ...(run.aborted ? [{ name: 'run cut short', message: run.aborted, body: run.aborted }] : []),
  ];
  if (!cases.length) return undefined;
  const xml = [
    `  <testsuite ${attrs({ name: 'duo-doctor inputs', tests: cases.length, failures: cases.length, errors: 0, skipped: 0, time: '0', timestamp: run.startedAt })}>`,
    ...cases.map((c) =>
      [
        `    <testcase ${attrs({ name: c.name, classname: 'duo-doctor.inputs', time: '0' })}>`,
        `      <failure ${attrs({ message: c.message, type: 'missing-input' })}>${xmlText(c.body)}</failure>`,
        '    </testcase>',
      ].join('\n'),
    ),
    '  </testsuite>',
  ].join('\n');
  return { xml, failures: cases.length };
}

export const render: Render = (run) => {
  const groups = groupByTarget(run.results);
  const labelled = groups.length > 1;
  const inputs = inputsSuite(run);
  // testsuites carries no `skipped` attribute: junit-10.xsd does not allow one there (each testsuite has its own).
  const head = `<testsuites ${attrs({
    name: 'duo-doctor',
    tests: run.results.length + (inputs?.failures ?? 0),
    failures: failures(run.results, run.strict === true) + (inputs?.failures ?? 0),
    errors: run.summary.error,
    // Never less than its suites' together (their cases ran concurrently): the total covers the parts.
    time: seconds(
      Math.max(
        run.durationMs,
        groups.reduce((sum, g) => sum + suiteMs(g.results), 0),
      ),
    ),
  })}>`;
  const suites = groups.map(({ target, results }) => testsuite(run, target ?? 'duo-doctor', results, labelled));
  return ['<?xml version="1.0" encoding="UTF-8"?>', head, ...suites, ...(inputs ? [inputs.xml] : []), '</testsuites>'].join('\n') + '\n';
};
