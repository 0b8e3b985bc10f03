// Several installations in one run: each target's suite runs concurrently under one shared concurrency cap,
// and the results merge into one RunResult whose results carry their target's name.
import type { CheckDefinition } from '../check.js';
import type { Installation, Settings } from '../config/settings.js';
import { summarise, type RunResult } from '../model.js';
import { createLimiter } from './limit.js';
import { runChecks, type RunOptions } from './run.js';

/** Runs every installation of `settings` (or the single target when there are none). */
export async function runAll(registry: readonly CheckDefinition[], settings: Settings, options: RunOptions = {}): Promise<RunResult> {
  if (!settings.installations?.length) return runChecks(registry, settings, options);
  return runInstallations(registry, settings.installations, settings.concurrency, options);
}

async function runInstallations(
  registry: readonly CheckDefinition[],
  installations: readonly Installation[],
  concurrency: number,
  options: RunOptions,
): Promise<RunResult> {
  const started = Date.now();
  const limiter = createLimiter(concurrency);
  // Each installation has its own probe cache: the same URL may mean another host's trust or token.
  const runs = await Promise.all(
    installations.map((i) => {
      const onFacts = options.onFacts && ((id: string, facts: unknown) => options.onFacts!(id, facts, i.name));
      return runChecks(registry, i.settings, { ...options, limiter, memo: new Map(), ...(onFacts ? { onFacts } : {}) });
    }),
  );
  const results = runs.flatMap((run, k) => run.results.map((r) => ({ ...r, target: installations[k]!.name })));
  return {
    ...runs[0]!,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    targets: {},
    installations: installations.map((i, k) => ({ name: i.name, ...runs[k]!.targets })),
    summary: summarise(results),
    results,
  };
}
