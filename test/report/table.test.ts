// The table report: 100 columns wide, nothing truncated, colour only when asked.
import { describe, expect, it } from 'vitest';
import { render } from '../../src/report/table.js';
import { GATEWAY_IMAGE, sampleRun } from './sample.js';

describe('table report', () => {
  it('fits in 100 columns and wraps long words instead of truncating them', () => {
    const text = render(sampleRun(), { color: false });
    const lines = text.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => [...l].length))).toBe(100);
    expect(text).not.toContain('…');
    // The long image reference survives whole once the cell's lines are joined again.
    const fixColumn = lines.filter((l) => l.startsWith('│')).map((l) => l.split('│')[4]!.trim());
    expect(fixColumn.join('')).toContain(GATEWAY_IMAGE);
  });

  it('has the four columns and the summary line', () => {
    const text = render(sampleRun(), { color: false });
    expect(text.split('\n')[1]).toMatch(/^│ Check +│ Status +│ Details +│ Fix +│$/);
    expect(text).toMatch(/\n3 passed, 2 warnings, 2 failed, 1 skipped, 1 error in 10\.1 s\n$/);
  });

  it('colours statuses and headings only when colour is on', () => {
    const text = render(sampleRun(), { color: true });
    expect(text).toContain('\u001b[31m✗ fail\u001b[0m');
    expect(text).toContain('\u001b[1mCheck\u001b[0m');
  });

  it('fits the check column to the longest id, so no id wraps, and stays 100 columns wide', () => {
    const run = sampleRun();
    const long = 'a-plugin-check-with-a-very-long-identifier';
    const text = render({ ...run, results: [...run.results, { ...run.results[0]!, id: long }] }, { color: false });
    expect(text).toMatch(new RegExp(`^│ ${long} +│`, 'm'));
    const lines = text
      .trimEnd()
      .split('\n')
      .filter((l) => l.startsWith('│') || l.startsWith('┌'));
    expect(Math.max(...lines.map((l) => [...l].length))).toBe(100);
    // The default ids fit the default width: gateway-fetches-jwks, the longest built-in id, sits on one line.
    expect(render(run, { color: false })).not.toMatch(/^│ [a-z-]+ +│ +│/m);
  });

  it('--quiet drops the passes, keeps the summary; --strict marks the warnings that fail the run', () => {
    const quiet = render({ ...sampleRun(), strict: true }, { color: false, quiet: true });
    expect(quiet).not.toContain('✔ pass');
    expect(quiet).toContain('2 warnings (failing the run: --strict)');
  });
});
