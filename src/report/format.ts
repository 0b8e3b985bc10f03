// Pieces every reporter shares: status marks, ANSI colour, XML escaping, durations, counts and grouping by target.
import { plural } from '../plural.js';
import { STATUSES, type CheckResult, type RunResult, type Status, type Summary } from '../model.js';

/** The mark shown beside a check, as GitLab's rake task shows ✔ / ⚠ / ✗. */
export const STATUS_MARK: Record<Status, string> = { pass: '✔', warn: '⚠', fail: '✗', skip: '-', error: '!' };

/** The ANSI styles the reporters use (SGR codes). */
const SGR = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, magenta: 35, cyan: 36 } as const;

/** A style name for {@link paint}. */
export type Style = keyof typeof SGR;

/** The colour of each status. */
export const STATUS_STYLE: Record<Status, Style> = { pass: 'green', warn: 'yellow', fail: 'red', skip: 'dim', error: 'magenta' };

/** `text` wrapped in the ANSI style when `color` is on, untouched otherwise. */
export function paint(text: string, style: Style, color: boolean): string {
  return color ? `\u001b[${SGR[style]}m${text}\u001b[0m` : text;
}

/** The status mark, coloured when `color` is on. */
export function statusMark(status: Status, color: boolean): string {
  return paint(STATUS_MARK[status], STATUS_STYLE[status], color);
}

/** Mark and status word ("✗ fail"), for cells where the word must stay greppable. */
export function statusCell(status: Status, color: boolean): string {
  return paint(`${STATUS_MARK[status]} ${status}`, STATUS_STYLE[status], color);
}

// Characters XML 1.0 forbids anywhere (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF), e.g. an ANSI escape
// a check copied from a tool's output: replaced so the document stays well-formed.
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};

/** Text escaped for XML element content. */
export function xmlText(text: string): string {
  return text.replace(XML_FORBIDDEN, '\ufffd').replace(/[&<>]|\r/g, (c) => XML_ENTITIES[c]!);
}

/** Text escaped for a double-quoted XML attribute; line breaks and tabs survive attribute normalisation. */
export function xmlAttr(text: string): string {
  return text.replace(XML_FORBIDDEN, '\ufffd').replace(/[&<>"'\n\r\t]/g, (c) => XML_ENTITIES[c]!);
}

/** Milliseconds as machine-readable seconds ("0.004", "1.234"): what JUnit `time` and Prometheus values want. */
export function seconds(ms: number): string {
  return String(Math.round(ms) / 1000);
}

/** Milliseconds for people: "4 ms" below a tenth of a second, else seconds with one decimal ("0.4 s", "12.3 s"). */
export function formatDuration(ms: number): string {
  return ms < 100 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const COUNT_NOUNS: Record<Status, [one: string, many: string]> = {
  pass: ['passed', 'passed'],
  warn: ['warning', 'warnings'],
  fail: ['failed', 'failed'],
  skip: ['skipped', 'skipped'],
  error: ['error', 'errors'],
};

/**
 * "12 passed, 1 warning, 1 failed, 2 skipped, 0 errors": every status, in summary order. Under `--strict` the warnings
 * say that they fail the run, so the line never reads "0 failed" above an exit code 1.
 */
export function countSummary(summary: Summary, strict = false): string {
  return STATUSES.map((s) => {
    const count = `${summary[s]} ${COUNT_NOUNS[s][summary[s] === 1 ? 0 : 1]}`;
    return s === 'warn' && strict && summary.warn > 0 ? `${count} (failing the run: --strict)` : count;
  }).join(', ');
}

/** The run's summary line: the counts, with the warnings marked when --strict makes them fail the run. */
export function runSummary(run: RunResult): string {
  return countSummary(run.summary, run.strict === true);
}

/**
 * Why a run without a failure is still not a pass: the inputs it lacked (and how many checks skipped for each), and
 * a run cut short. Empty for a complete run.
 */
export function incompleteLines(run: RunResult): string[] {
  const lines = (run.missingInputs ?? []).map(
    (m) =>
      `NOT CHECKED${m.target !== undefined ? ` [${m.target}]` : ''}: ${plural(m.checks.length, 'check')} skipped: ${m.reason} — ${m.checks.join(', ')}`,
  );
  if (run.aborted) lines.push(`CUT SHORT: ${run.aborted}`);
  return lines;
}

/** The results a report shows: under --quiet only what is not a pass. */
export function shownResults(run: RunResult, quiet: boolean): CheckResult[] {
  return quiet ? run.results.filter((r) => r.status !== 'pass') : run.results;
}

/** The run's targets as labelled pairs, in a fixed order (only those given). */
export function describeTargets(targets: RunResult['targets']): [label: string, url: string][] {
  const pairs: [string, string | undefined][] = [
    ['GitLab', targets.gitlab],
    ['AI gateway', targets.gateway],
  ];
  return pairs.filter((p): p is [string, string] => p[1] !== undefined);
}

/** Results of one installation; `target` is undefined for results that carry no label. */
export interface TargetGroup {
  target: string | undefined;
  results: CheckResult[];
}

/** Results grouped by their `target` label, groups in order of first appearance, results in registry order. */
export function groupByTarget(results: readonly CheckResult[]): TargetGroup[] {
  const groups = new Map<string | undefined, CheckResult[]>();
  for (const r of results) {
    const group = groups.get(r.target);
    if (group) group.push(r);
    else groups.set(r.target, [r]);
  }
  return [...groups].map(([target, rs]) => ({ target, results: rs }));
}

/** `text` with every line after a line break indented by `prefix` (the first line is placed by the caller). */
export function continueLines(text: string, prefix: string): string {
  return text.replace(/\r?\n/g, `\n${prefix}`);
}

/** Whether a status is a problem someone must act on: warn, fail or error. */
export function isProblem(status: Status): boolean {
  return status === 'warn' || status === 'fail' || status === 'error';
}

/** The remediation to show for a result: only problems carry a fix worth printing. */
export function fixOf(r: CheckResult): string | undefined {
  return isProblem(r.status) ? r.remediation : undefined;
}
