// The reporters by name. Each format is one module exporting `render(run, options) => string`, loaded only when used.
import type { RunResult } from '../model.js';

/** Rendering options shared by every reporter. */
export interface ReportOptions {
  /** ANSI colour (text and table only); decided once by the CLI from the TTY, NO_COLOR and FORCE_COLOR. */
  color: boolean;
  /** Only what is not a pass, then the summary (text, table and markdown; the machine formats stay complete). */
  quiet?: boolean;
}

/** A reporter: one RunResult in, the whole document out. */
export type Render = (run: RunResult, options: ReportOptions) => string;

/** Every output format, keyed by its `--format` name. */
export const REPORTERS = {
  text: () => import('./text.js'),
  table: () => import('./table.js'),
  json: () => import('./json.js'),
  junit: () => import('./junit.js'),
  markdown: () => import('./markdown.js'),
  tap: () => import('./tap.js'),
  prometheus: () => import('./prometheus.js'),
} satisfies Record<string, () => Promise<{ render: Render }>>;

export type ReportFormat = keyof typeof REPORTERS;

export const REPORT_FORMATS = Object.keys(REPORTERS) as ReportFormat[];

export function isReportFormat(name: string): name is ReportFormat {
  return Object.hasOwn(REPORTERS, name);
}

/** Renders `run` in `format`. */
export async function renderReport(format: ReportFormat, run: RunResult, options: ReportOptions): Promise<string> {
  const { render } = await REPORTERS[format]();
  return render(run, options);
}
