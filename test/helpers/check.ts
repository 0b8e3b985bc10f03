// A check for runner tests: its id and what it does, with the metadata every check must carry filled in.
import { defineCheck, type CheckDefinition } from '../../src/check.js';

const EXPLAIN = { checks: 'x', failsWhen: 'x', fix: 'x' };

/** A check `id` that runs `run`; `extra` overrides any field (title, category, tags, dependsOn, needs, timeoutMs). */
export function testCheck(id: string, run: CheckDefinition['run'], extra: Partial<CheckDefinition> = {}): CheckDefinition {
  return defineCheck({ id, title: id, category: 'network', tags: [], explain: EXPLAIN, run, ...extra });
}
