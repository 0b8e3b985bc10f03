// A boxed table for terminals and tickets: Check | Status | Details | Fix, 100 columns wide. Drawn here, the same as
// cli-table3 drew it (wide characters aside: one column each here, as the wrapping below always counted them), because
// cli-table3 truncated every cell's whole text once per line drawn — quadratic, seconds for one multi-target report.
import { stripVTControlCharacters } from 'node:util';
import type { CheckResult } from '../model.js';
import type { Render } from './index.js';
import { fixOf, formatDuration, incompleteLines, paint, runSummary, shownResults, statusCell } from './format.js';

/** Column widths including the one-space padding each side; with the five borders they total 100. */
const WIDTHS = { check: 22, status: 10, details: 37, fix: 26 } as const;
const PADDING = 2;
/** The narrowest the details and fix columns get when a long check id widens the check column. */
const MIN_DETAILS = 24;
const MIN_FIX = 16;

/** `word` cut into pieces of at most `width` characters. */
function pieces(word: string, width: number): string[] {
  const chars = [...word];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += width) out.push(chars.slice(i, i + width).join(''));
  return out.length ? out : [''];
}

/** `text` wrapped to `width` columns at spaces, breaking words longer than a line (URLs, paths) rather than cutting them. */
function wrap(text: string, width: number): string {
  const out: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      for (const piece of pieces(word, width)) {
        if (line === '') line = piece;
        else if ([...line].length + 1 + [...piece].length <= width) line += ` ${piece}`;
        else {
          out.push(line);
          line = piece;
        }
      }
    }
    out.push(line);
  }
  return out.join('\n');
}

/**
 * The check column fits the longest id (and target label) unwrapped; the details column, then the fix column, give up
 * what it takes, so the table stays 100 columns wide unless an id is longer than that allows.
 */
function widths(results: readonly CheckResult[]): { check: number; status: number; details: number; fix: number } {
  const longest = Math.max(0, ...results.flatMap((r) => [[...r.id].length, r.target !== undefined ? [...r.target].length + 2 : 0]));
  const check = Math.max(WIDTHS.check, longest + PADDING);
  const extra = check - WIDTHS.check;
  const fromDetails = Math.min(extra, WIDTHS.details - MIN_DETAILS);
  const fromFix = Math.min(extra - fromDetails, WIDTHS.fix - MIN_FIX);
  return { ...WIDTHS, check, details: WIDTHS.details - fromDetails, fix: WIDTHS.fix - fromFix };
}

function row(r: CheckResult, color: boolean, w: ReturnType<typeof widths>): string[] {
  const check = r.target !== undefined ? `${r.id}\n[${r.target}]` : r.id;
  const details = [r.summary, ...r.details.map((d) => `- ${d}`)].join('\n');
  return [wrap(check, w.check - PADDING), statusCell(r.status, color), wrap(details, w.details - PADDING), wrap(fixOf(r) ?? '', w.fix - PADDING)];
}

/** A border line: `left`, each column's width of rule, `mid` between them, `right`. */
const border = (widths: readonly number[], [left, mid, right]: readonly [string, string, string]) =>
  `${left}${widths.map((w) => '─'.repeat(w)).join(mid)}${right}`;

/**
 * One table row: each cell's lines side by side, padded to the column's width (colour codes take no column). Blank lines
 * are left out, as cli-table3 left them out.
 */
function drawRow(cells: readonly string[], widths: readonly number[]): string[] {
  const lines = cells.map((cell) => cell.split('\n').filter((line) => line.trim() !== ''));
  return Array.from({ length: Math.max(...lines.map((l) => l.length)) }, (_, i) => {
    const padded = lines.map((l, j) => {
      const text = l[i] ?? '';
      return ` ${text}${' '.repeat(Math.max(0, widths[j]! - PADDING - [...stripVTControlCharacters(text)].length))} `;
    });
    return `│${padded.join('│')}│`;
  });
}

export const render: Render = (run, { color, quiet = false }) => {
  const results = shownResults(run, quiet);
  const w = widths(run.results);
  const columns = [w.check, w.status, w.details, w.fix];
  const rows = [['Check', 'Status', 'Details', 'Fix'].map((h) => paint(h, 'bold', color)), ...results.map((r) => row(r, color, w))];
  const table = [
    border(columns, ['┌', '┬', '┐']),
    ...rows.flatMap((cells, i) => [...(i > 0 ? [border(columns, ['├', '┼', '┤'])] : []), ...drawRow(cells, columns)]),
    border(columns, ['└', '┴', '┘']),
  ];
  return [...table, `${runSummary(run)} in ${formatDuration(run.durationMs)}`, ...incompleteLines(run), ''].join('\n');
};
