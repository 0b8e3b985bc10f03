// The registry is complete and well-formed: every checks/ file registered, tested and explained; dependencies come first.
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { ROOT } from '../helpers/cli.js';

const files = readdirSync(path.join(ROOT, 'checks'))
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.replace(/\.ts$/, ''));

describe('checks/index.ts', () => {
  it('registers every file under checks/, with id = file name', () => {
    expect(CHECKS.map((c) => c.id).sort()).toEqual([...files].sort());
  });

  // A check whose every test runs a program or server has only the integration file.
  it.each(files)('%s has a test file', (id) => {
    expect([`${id}.test.ts`, `${id}.integration.test.ts`].some((name) => existsSync(path.join(ROOT, 'test/checks', name)))).toBe(true);
  });

  it.each(CHECKS.map((c) => [c.id, c] as const))('%s has explain text, a title and tags', (_id, check) => {
    expect(check.title.length).toBeGreaterThan(10);
    for (const part of [check.explain.checks, check.explain.failsWhen, check.explain.fix]) expect(part.length).toBeGreaterThan(20);
    expect(check.tags.length).toBeGreaterThan(0);
  });

  it('has unique ids, known dependencies, and lists every dependency before its dependents', () => {
    const seen = new Set<string>();
    for (const check of CHECKS) {
      expect(seen.has(check.id)).toBe(false);
      for (const dep of check.dependsOn ?? []) expect(seen.has(dep), `${check.id} depends on ${dep}, listed later or missing`).toBe(true);
      seen.add(check.id);
    }
  });

  it('keeps each category together, so reports group cleanly', () => {
    const order = CHECKS.map((c) => c.category).filter((c, i, all) => i === 0 || all[i - 1] !== c);
    expect(new Set(order).size).toBe(order.length);
  });
});
