// Which checks a run includes: --only (ids, tags or categories, plus everything they depend on) minus --skip.
import type { CheckDefinition } from '../check.js';
import { UsageError } from '../config/errors.js';
import { didYouMean } from '../config/suggest.js';

function matches(check: CheckDefinition, selector: string): boolean {
  return check.id === selector || check.category === selector || (check.tags as readonly string[]).includes(selector);
}

function assertKnown(checks: readonly CheckDefinition[], selectors: readonly string[], flag: string): void {
  const names = [...new Set(checks.flatMap((c) => [c.id, c.category, ...c.tags]))];
  for (const selector of selectors) {
    if (!checks.some((c) => matches(c, selector))) {
      throw new UsageError(`${flag} ${selector}: no check has that id, tag or category${didYouMean(selector, names)} (see 'duo-doctor list')`);
    }
  }
}

/**
 * The checks to run, in registry order. `--only X` pulls in X's dependencies so a verdict never depends on the
 * selection; `--skip` removes checks (their dependents then skip, naming them).
 */
export function selectChecks(checks: readonly CheckDefinition[], only: readonly string[], skip: readonly string[]): CheckDefinition[] {
  assertKnown(checks, only, '--only');
  assertKnown(checks, skip, '--skip');
  const byId = new Map(checks.map((c) => [c.id, c]));
  const chosen = new Set<string>();
  const include = (check: CheckDefinition) => {
    if (chosen.has(check.id)) return;
    chosen.add(check.id);
    // Stryker disable next-line ArrayDeclaration: a made-up dependency is not in the registry and is ignored, as none is
    for (const dep of check.dependsOn ?? []) {
      const d = byId.get(dep);
      if (d) include(d);
    }
  };
  for (const check of checks) if (only.length === 0 || only.some((s) => matches(check, s))) include(check);
  return checks.filter((c) => chosen.has(c.id) && !skip.some((s) => matches(c, s)));
}
