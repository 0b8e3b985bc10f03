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
});
