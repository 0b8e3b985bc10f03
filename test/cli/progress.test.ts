// The progress line: "N of M done", the running checks named, the rest counted — never silently dropped.
import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/cli/progress.js';

describe('progressLine', () => {
  it.each([
    [0, 26, [], '0 of 26 done, 0 running'],
    [5, 26, ['a'], '5 of 26 done, 1 running: a'],
    [5, 26, ['a', 'b', 'c'], '5 of 26 done, 3 running: a, b, c'],
    [5, 26, ['a', 'b', 'c', 'd'], '5 of 26 done, 4 running: a, b, c +1 more'],
    [26, 26, [], '26 of 26 done, 0 running'],
  ])('%d of %d with %j', (finished, total, running, want) => expect(progressLine(finished, total, running)).toBe(want));
});
