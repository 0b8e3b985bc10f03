// The default terminal report, read like `gitlab-rake gitlab:duo:verify_self_hosted_setup`: checks by category
// with ✔/⚠/✗, the fix under each problem, a summary line, then a diagnostic JSON summary for support.
import type { Category, CheckResult, RunResult } from '../model.js';
import { SUMMARY_HEADING, SUMMARY_NOTE, type RakeWording } from '../judge/rake.js';
import type { Render } from './index.js';
import { rakeDiagnostics, stepHeading, wordingFor } from './rake-diagnostics.js';
import {
  continueLines,
  describeTargets,
  fixOf,
  formatDuration,
  groupByTarget,
  incompleteLines,
  paint,
  runSummary,
  shownResults,
  statusMark,
  type TargetGroup,
} from './format.js';

/** Category headings (the order is the catalogue's: results arrive in registry order). */
const CATEGORY_TITLES: Record<Category, string> = {
  network: 'Network',
  license: 'License',
  'system-exchange': 'System exchange',
  tls: 'TLS',
  jwks: 'JWKS',
  runtime: 'Runtime',
  version: 'Version',
  security: 'Security',
  'agent-platform': 'Duo Agent Platform',
};

const BANNER = 'GitLab Duo Self-Hosted Setup Verification';
const INDENT = '   ';

/** Results by category, in the order results arrive (the registry's: the catalogue order every format uses). */
function byCategory(results: readonly CheckResult[]): [category: string, results: CheckResult[]][] {
  const groups = new Map<string, CheckResult[]>();
  for (const r of results) groups.set(r.category, [...(groups.get(r.category) ?? []), r]);
  return [...groups];
}

function checkLines(r: CheckResult, wording: RakeWording, color: boolean): string[] {
  // Without colour the status word is spelled out so `grep FAIL` finds every problem.
  const verdict = color ? statusMark(r.status, color) : `${statusMark(r.status, color)} ${r.status.toUpperCase()}`;
  // The rake task's step line ("Verifying AI Gateway URL configuration...") of GitLab's version, before the check it stands for.
  const heading = stepHeading(wording, r.id);
  const lines = [...(heading ? [heading] : []), `>> ${continueLines(r.summary, INDENT)} ${verdict} ${paint(`(${r.id})`, 'dim', color)}`];
  for (const d of r.details) lines.push(INDENT + continueLines(d, INDENT));
  const fix = fixOf(r);
  if (fix) lines.push(`${INDENT}${paint('Fix:', 'bold', color)} ${continueLines(fix, INDENT + '     ')}`);
  return lines;
}

function sectionLines(results: readonly CheckResult[], color: boolean): string[] {
  const wording = wordingFor(results);
  return byCategory(results).flatMap(([category, rs]) => [
    paint(CATEGORY_TITLES[category as Category] ?? category, 'bold', color),
    ...rs.flatMap((r) => checkLines(r, wording, color)),
    '',
  ]);
}

/**
 * The support summary: the rake task's keys for GitLab's version (`system`, `ai_gateway_url`, `license`, ...; one entry
 * per installation when there are several), then duo-doctor's own — compact but readable JSON, from the RunResult alone.
 */
function diagnosticJson(run: RunResult, groups: readonly TargetGroup[]): string {
  const results = run.results.map((r) =>
    JSON.stringify({ id: r.id, status: r.status, summary: r.summary, ...(r.target !== undefined ? { target: r.target } : {}) }),
  );
  const rake =
    groups.length > 1
      ? [`"installations": ${JSON.stringify(Object.fromEntries(groups.map((g) => [g.target ?? '(unlabelled)', rakeDiagnostics(run, g.results)])))}`]
      : Object.entries(rakeDiagnostics(run, run.results)).map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  const fields = [
    ...rake,
    `"tool": ${JSON.stringify(run.tool)}`,
    `"targets": ${JSON.stringify(run.targets)}`,
    `"summary": ${JSON.stringify(run.summary)}`,
    results.length ? `"results": [\n    ${results.join(',\n    ')}\n  ]` : '"results": []',
  ];
  return `{\n  ${fields.join(',\n  ')}\n}`;
}

/** The banner's target lines: the URLs, else the installations' labels, else a note that none was given. */
function targetLines(run: RunResult, groups: readonly TargetGroup[]): string[] {
  const targets = describeTargets(run.targets);
  const width = Math.max(...targets.map(([label]) => label.length + 1));
  if (targets.length) return targets.map(([label, url]) => `${`${label}:`.padEnd(width)} ${url}`);
  const labels = groups.flatMap((g) => (g.target !== undefined ? [g.target] : []));
  return [labels.length ? `Targets: ${labels.join(', ')}` : 'No GitLab or AI gateway URL given.'];
}

export const render: Render = (run, { color, quiet = false }) => {
  const all = groupByTarget(run.results);
  const groups = groupByTarget(shownResults(run, quiet));
  const lines = [
    paint(BANNER, 'bold', color),
    '='.repeat(BANNER.length),
    `${run.tool.name} ${run.tool.version}, started ${run.startedAt}`,
    ...targetLines(run, all),
    '',
  ];

  if (all.length > 1) {
    for (const { target, results } of groups) {
      const heading = `Target: ${target ?? '(unlabelled)'}`;
      lines.push(paint(heading, 'bold', color), '-'.repeat(heading.length), '', ...sectionLines(results, color));
    }
  } else {
    lines.push(...sectionLines(groups[0]?.results ?? [], color));
  }

  const incomplete = incompleteLines(run);
  const failed = run.summary.fail + run.summary.error > 0 || incomplete.length > 0 || (run.strict === true && run.summary.warn > 0);
  const tally = `${runSummary(run)} in ${formatDuration(run.durationMs)}`;
  lines.push(
    paint(tally, failed ? 'red' : run.summary.warn > 0 ? 'yellow' : 'green', color),
    ...incomplete.map((l) => paint(l, 'red', color)),
    '',
    paint(SUMMARY_HEADING, 'bold', color),
    diagnosticJson(run, groups),
    '',
    ...SUMMARY_NOTE,
  );
  return lines.join('\n') + '\n';
};
