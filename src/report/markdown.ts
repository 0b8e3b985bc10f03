// A Markdown report to paste into an incident ticket: targets, a summary line, a table, then every problem with its fix.
import type { CheckResult } from '../model.js';
import type { Render } from './index.js';
import {
  STATUS_MARK,
  continueLines,
  describeTargets,
  fixOf,
  formatDuration,
  incompleteLines,
  isProblem,
  runSummary,
  shownResults,
  statusCell,
} from './format.js';

/** Text made literal for Markdown: punctuation that would start emphasis, links, HTML, code or a table cell escaped. */
function md(text: string): string {
  return text.replace(/[\\`*_[\]<>|&]/g, '\\$&');
}

/** Text for a table cell: escaped, with line breaks as `<br>` (a raw newline would end the row). */
function cell(text: string): string {
  return md(text).replace(/\r?\n/g, '<br>');
}

/** A check's name: its id as code, and its installation when the run covers several. */
function checkName(r: CheckResult): string {
  return r.target !== undefined ? `\`${r.id}\` (${md(r.target)})` : `\`${r.id}\``;
}

function problemSection(r: CheckResult): string[] {
  const fix = fixOf(r);
  return [
    `### ${STATUS_MARK[r.status]} ${checkName(r)}: ${md(r.title)} (${r.status})`,
    '',
    md(r.summary),
    ...(r.details.length ? ['', ...r.details.map((d) => `- ${continueLines(md(d), '  ')}`)] : []),
    ...(fix ? ['', `**Fix:** ${md(fix)}`] : []),
    '',
  ];
}

export const render: Render = (run, { quiet = false }) => {
  const problems = run.results.filter((r) => isProblem(r.status));
  const lines = [
    '# GitLab Duo self-hosted setup: duo-doctor report',
    '',
    ...describeTargets(run.targets).map(([label, url]) => `- **${label}:** \`${url}\``),
    `- **Run:** ${run.tool.name} ${run.tool.version}, started ${run.startedAt}, took ${formatDuration(run.durationMs)}`,
    '',
    `**Result:** ${runSummary(run)}`,
    ...incompleteLines(run).map((l) => `\n**${md(l)}**`),
    '',
    '| Check | Status | Summary |',
    '| --- | --- | --- |',
    ...shownResults(run, quiet).map((r) => `| ${checkName(r)} | ${statusCell(r.status, false)} | ${cell(r.summary)} |`),
    '',
    '## Failures and warnings',
    '',
    ...(problems.length ? problems.flatMap(problemSection) : ['None.', '']),
  ];
  return lines.join('\n');
};
