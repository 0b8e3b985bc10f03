// A boxed table for terminals and tickets (cli-table3): Check | Status | Details | Fix, 100 columns wide.
import Table from 'cli-table3';
import type { CheckResult } from '../model.js';
import type { Render } from './index.js';
import { countSummary, fixOf, formatDuration, paint, statusCell } from './format.js';

/** Column widths including cli-table3's one-space padding each side; with the five borders they total 100. */
const WIDTHS = { check: 22, status: 10, details: 37, fix: 26 } as const;
const PADDING = 2;

/** `word` cut into pieces of at most `width` characters. */
function pieces(word: string, width: number): string[] {
  const chars = [...word];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += width) out.push(chars.slice(i, i + width).join(''));
  return out.length ? out : [''];
}

/**
 * `text` wrapped to `width` columns at spaces, breaking words longer than a line (URLs, paths) instead of letting
 * cli-table3 truncate them with an ellipsis.
 */
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

function row(r: CheckResult, color: boolean): string[] {
  const check = r.target !== undefined ? `${r.id}\n[${r.target}]` : r.id;
  const details = [r.summary, ...r.details.map((d) => `- ${d}`)].join('\n');
  return [
    wrap(check, WIDTHS.check - PADDING),
    statusCell(r.status, color),
    wrap(details, WIDTHS.details - PADDING),
    wrap(fixOf(r) ?? '', WIDTHS.fix - PADDING),
  ];
}

export const render: Render = (run, { color }) => {
  // cli-table3's own styles are off: they would colour by its colour library's view of the terminal, not options.color.
  const table = new Table({
    head: ['Check', 'Status', 'Details', 'Fix'].map((h) => paint(h, 'bold', color)),
    colWidths: [WIDTHS.check, WIDTHS.status, WIDTHS.details, WIDTHS.fix],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  table.push(...run.results.map((r) => row(r, color)));
  return `${table.toString()}\n${countSummary(run.summary)} in ${formatDuration(run.durationMs)}\n`;
};
