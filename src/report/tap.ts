// TAP version 14: a test point per check, `not ok` for fail/error, `# SKIP` for skips, YAML diagnostics for problems.
import { stringify } from 'yaml';
import { isFailing, type CheckResult } from '../model.js';
import type { Render } from './index.js';
import { fixOf, incompleteLines, isProblem, runSummary } from './format.js';

/** One line of TAP text: line breaks folded, and `\` and `#` escaped so nothing reads as a directive. */
function tapLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').replace(/[\\#]/g, '\\$&');
}

/** The YAML diagnostic block, indented under its test point as TAP 14 requires. */
function diagnostics(r: CheckResult): string[] {
  const fix = fixOf(r);
  const doc = {
    message: r.summary,
    severity: r.status,
    ...(r.target !== undefined ? { target: r.target } : {}),
    ...(r.details.length ? { details: r.details } : {}),
    ...(fix ? { fix } : {}),
  };
  const yaml = stringify(doc, { lineWidth: 0 }).trimEnd().split('\n');
  return ['  ---', ...yaml.map((l) => `  ${l}`), '  ...'];
}

function testPoint(r: CheckResult, n: number, strict: boolean): string[] {
  const name = r.target !== undefined ? `${r.id} [${r.target}]` : r.id;
  if (r.status === 'skip') return [`ok ${n} - ${tapLine(name)} # SKIP ${tapLine(r.summary)}`];
  // Under --strict a warning fails the run: it is a failing test point, as it is a failing exit code.
  const ok = isFailing(r.status) || (strict && r.status === 'warn') ? 'not ok' : 'ok';
  return [`${ok} ${n} - ${tapLine(`${name}: ${r.summary}`)}`, ...(isProblem(r.status) ? diagnostics(r) : [])];
}

export const render: Render = (run) => {
  const lines = [
    'TAP version 14',
    `1..${run.results.length}`,
    ...run.results.flatMap((r, i) => testPoint(r, i + 1, run.strict === true)),
    `# ${tapLine(runSummary(run))}`,
    ...incompleteLines(run).map((l) => `# ${tapLine(l)}`),
  ];
  return lines.join('\n') + '\n';
};
