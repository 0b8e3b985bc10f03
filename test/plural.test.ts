// Counted nouns agree with their count in every text a user reads (issue 15: "1 certificates", "1 warnings", "certificate(s)").
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inDays, plural } from '../src/plural.js';
import { ROOT } from './helpers/cli.js';

describe('plural', () => {
  it.each([
    [0, 'certificate', undefined, '0 certificates'],
    [1, 'certificate', undefined, '1 certificate'],
    [2, 'certificate', undefined, '2 certificates'],
    [1, 'day', undefined, '1 day'],
    [1, 'CPU', undefined, '1 CPU'],
    [3, 'root', undefined, '3 roots'],
    [2, 'category', 'categories', '2 categories'],
  ])('%i %s', (n, one, many, expected) => {
    expect(plural(n, one, many)).toBe(expected);
  });
});

describe('inDays', () => {
  it.each([
    [-1, 'within a day'],
    [0, 'within a day'],
    [0.5, 'within a day'],
    [1, 'in 1 day'],
    [2, 'in 2 days'],
  ])('%d days → %s', (days, expected) => expect(inDays(days)).toBe(expected));
});

/**
 * Every source file whose text reaches a report. Excepted, as they quote others' words verbatim: the reference servers, and
 * the rake task's wording ("N feature(s) assigned", gitlab-org/gitlab ee/lib/gitlab/duo/administration/verify_self_hosted_setup.rb).
 */
const VERBATIM = new Set(['src/reference', 'src/judge/rake.ts']);
function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (VERBATIM.has(rel)) return [];
    if (e.isDirectory()) return sources(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

describe('no "(s)" after a counted noun', () => {
  it('in checks/ and src/', () => {
    // `${n} certificate(s)` and `${n} day(s)`: the count is known, so the noun can agree with it.
    const found = [...sources('checks'), ...sources('src')].flatMap((file) =>
      readFileSync(path.join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          /\$\{[^}]+\}\s+[A-Za-z -]*\w\(s\)/.test(line.replaceAll('http(s)', 'http')) ? [`${file}:${i + 1}: ${line.trim().slice(0, 120)}`] : [],
        ),
    );
    expect(found).toEqual([]);
  });
});
