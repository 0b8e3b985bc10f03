// Golden files: every reporter renders the fixed sample (colour off) exactly as test/golden/ records it.
// `UPDATE=1 npx vitest run test/report` rewrites them; review the diff before committing.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/model.js';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../../src/report/index.js';
import { multiTargetRun, sampleRun } from './sample.js';

const GOLDEN_DIR = fileURLToPath(new URL('../golden/', import.meta.url));

const EXTENSIONS: Record<ReportFormat, string> = {
  text: 'txt',
  table: 'txt',
  json: 'json',
  junit: 'xml',
  markdown: 'md',
  tap: 'tap',
  prometheus: 'prom',
};

/** Compares `actual` with the golden file `name`, or writes it under UPDATE=1. */
function expectGolden(name: string, actual: string): void {
  const file = GOLDEN_DIR + name;
  if (process.env['UPDATE'] === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${name} is missing: run UPDATE=1 npx vitest run test/report`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const cases: [prefix: string, run: () => RunResult, formats: readonly ReportFormat[]][] = [
  ['report', sampleRun, REPORT_FORMATS],
  ['report-multi', multiTargetRun, ['text', 'junit', 'prometheus']],
];

describe.each(cases)('%s golden files', (prefix, run, formats) => {
  it.each(formats)('%s', async (format) => {
    expectGolden(`${prefix}.${format}.${EXTENSIONS[format]}`, await renderReport(format, run(), { color: false }));
  });
});

describe('every format', () => {
  it.each(REPORT_FORMATS)('%s has no ANSI escapes when colour is off', async (format) => {
    expect(await renderReport(format, sampleRun(), { color: false })).not.toContain('\u001b');
  });

  it.each(REPORT_FORMATS)('%s renders the same document twice (a pure function of the RunResult)', async (format) => {
    expect(await renderReport(format, sampleRun(), { color: true })).toBe(await renderReport(format, sampleRun(), { color: true }));
  });
});
