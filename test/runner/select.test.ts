// selectChecks: --only by id, tag or category pulls in dependencies; --skip by id, tag or category removes; unknown names are usage errors.
import { describe, expect, it } from 'vitest';
import { testCheck } from '../helpers/check.js';
import { type CheckDefinition, type Tag } from '../../src/check.js';
import { UsageError } from '../../src/config/errors.js';
import type { Category } from '../../src/model.js';
import { selectChecks } from '../../src/runner/select.js';

const run = async () => ({ status: 'pass' as const, summary: 'ok' });
const check = (id: string, category: Category, tags: Tag[], dependsOn?: string[]): CheckDefinition =>
  testCheck(id, run, { category, tags, ...(dependsOn ? { dependsOn } : {}) });

// Registry order a, b, c, d, e: c depends on b, which depends on a (a chain); e depends on a check not in the registry.
const REGISTRY = [
  check('a', 'network', ['ci']),
  check('b', 'tls', ['oncall'], ['a']),
  check('c', 'tls', ['ci', 'oncall'], ['b']),
  check('d', 'runtime', []),
  check('e', 'runtime', ['pre-upgrade'], ['gone']),
];
const ids = (only: string[], skip: string[] = []) => selectChecks(REGISTRY, only, skip).map((c) => c.id);

describe('selectChecks', () => {
  it.each([
    ['nothing chosen: every check', [], [], ['a', 'b', 'c', 'd', 'e']],
    ['--only an id without dependencies', ['d'], [], ['d']],
    ['--only an id pulls in its dependency chain, in registry order', ['c'], [], ['a', 'b', 'c']],
    ['--only a tag', ['pre-upgrade'], [], ['e']],
    ['--only a tag shared by several checks, with their dependencies', ['oncall'], [], ['a', 'b', 'c']],
    ['--only a category', ['runtime'], [], ['d', 'e']],
    ['--only several selectors: their union', ['d', 'network'], [], ['a', 'd']],
    ['a dependency missing from the registry is ignored', ['e'], [], ['e']],
    ['--skip an id', [], ['d'], ['a', 'b', 'c', 'e']],
    ['--skip a tag', [], ['ci'], ['b', 'd', 'e']],
    ['--skip a category', [], ['tls'], ['a', 'd', 'e']],
    ['--skip wins over a dependency --only pulled in', ['c'], ['a'], ['b', 'c']],
    ['--skip the very check --only named', ['d'], ['d'], []],
    ['--skip several selectors', [], ['a', 'runtime'], ['b', 'c']],
  ])('%s', (_name, only, skip, expected) => {
    expect(ids(only, skip)).toEqual(expected);
  });

  it('terminates on a dependency cycle, choosing each check once', () => {
    const cyclic = [check('x', 'network', [], ['y']), check('y', 'network', [], ['x'])];
    expect(selectChecks(cyclic, ['x'], []).map((c) => c.id)).toEqual(['x', 'y']);
  });

  it.each([
    ['--only', ['nope'], []],
    ['--skip', [], ['nope']],
    ['--only, after a known selector', ['a', 'nope'], []],
    ['--skip, after a known selector', [], ['ci', 'nope']],
  ])('an unknown selector in %s is a usage error naming the flag', (flag, only, skip) => {
    const thrown = (() => {
      try {
        selectChecks(REGISTRY, only, skip);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as Error).message).toContain(`${flag.split(',')[0]} nope`);
  });

  it('suggests the nearest id, tag or category for a typo', () => {
    expect(() => selectChecks(REGISTRY, ['oncal'], [])).toThrow(/oncall/);
    expect(() => selectChecks(REGISTRY, [], ['runtim'])).toThrow(/runtime/);
  });
});
