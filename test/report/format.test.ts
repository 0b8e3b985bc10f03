// The shared formatting helpers: escaping, durations, counts, grouping.
import { describe, expect, it } from 'vitest';
import { summarise } from '../../src/model.js';
import { countSummary, formatDuration, groupByTarget, seconds, xmlAttr, xmlText } from '../../src/report/format.js';
import { multiTargetRun } from './sample.js';

describe('XML escaping', () => {
  it.each([
    ['a < b & c > d', 'a &lt; b &amp; c &gt; d', 'a &lt; b &amp; c &gt; d'],
    ['say "hi" it\'s', 'say "hi" it\'s', 'say &quot;hi&quot; it&apos;s'],
    ['two\nlines\tand\r', 'two\nlines\tand&#13;', 'two&#10;lines&#9;and&#13;'],
    ['ansi \u001b[31mred\u001b[0m \u0000', 'ansi \ufffd[31mred\ufffd[0m \ufffd', 'ansi \ufffd[31mred\ufffd[0m \ufffd'],
    ['lone \ud800 surrogate, pair 😀', 'lone \ufffd surrogate, pair 😀', 'lone \ufffd surrogate, pair 😀'],
  ])('%j', (input, text, attr) => {
    expect(xmlText(input)).toBe(text);
    expect(xmlAttr(input)).toBe(attr);
  });
});

describe('durations', () => {
  it.each([
    [0, '0 ms', '0'],
    [4, '4 ms', '0.004'],
    [99.6, '100 ms', '0.1'],
    [400, '0.4 s', '0.4'],
    [12_345, '12.3 s', '12.345'],
  ])('%d ms', (ms, human, machine) => {
    expect(formatDuration(ms)).toBe(human);
    expect(seconds(ms)).toBe(machine);
  });
});

describe('countSummary', () => {
  it('names every status, singular and plural', () => {
    expect(countSummary({ pass: 12, warn: 1, fail: 1, skip: 2, error: 0 })).toBe('12 passed, 1 warning, 1 failed, 2 skipped, 0 errors');
    expect(countSummary({ pass: 1, warn: 2, fail: 0, skip: 0, error: 1 })).toBe('1 passed, 2 warnings, 0 failed, 0 skipped, 1 error');
  });
});

describe('groupByTarget', () => {
  it('keeps first-appearance order of targets and registry order within each', () => {
    const run = multiTargetRun();
    const groups = groupByTarget(run.results);
    expect(groups.map((g) => g.target)).toEqual(['prod', 'staging']);
    expect(groups[1]!.results.map((r) => r.id)).toEqual(['gateway-url', 'gitlab-tls', 'jwks-valid']);
    expect(summarise(groups.flatMap((g) => g.results))).toEqual(run.summary);
  });
});
