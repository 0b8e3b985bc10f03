// A whole run: every installation's suite (or the single target's) under one shared concurrency cap and one run-wide
// signal (the --deadline, or the caller's: serve shutting down). Several installations' results merge into one
// RunResult whose results carry their target's name.
import { setMaxListeners } from 'node:events';
import type { CheckDefinition } from '../check.js';
import type { Installation, Settings } from '../config/settings.js';
import { summarise, type RunResult } from '../model.js';
import { createLimiter, FLEET_CONCURRENCY, type Limiter } from './limit.js';
import { withConnectionPool } from '../probes/connection-pool.js';
import { abortReason, RunAborted, runChecks, type RunOptions } from './run.js';

/** A signal that aborts at `deadlineMs` (with a RunAborted naming it) or when `outer` aborts; `dispose` clears the timer. */
export function runSignal(deadlineMs: number | undefined, outer: AbortSignal | undefined): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  // Every running check listens to it (dozens at once, several targets): not a leak, so no warning on stderr.
  setMaxListeners(0, controller.signal);
  const timer =
    deadlineMs === undefined
      ? undefined
      : setTimeout(() => controller.abort(new RunAborted(`the run's deadline (--deadline ${deadlineMs / 1000} s) passed`)), deadlineMs);
  const forward = () =>
    controller.abort(outer?.reason instanceof RunAborted ? outer.reason : new RunAborted(outer ? abortReason(outer) : 'the run was aborted'));
  if (outer?.aborted) forward();
  else outer?.addEventListener('abort', forward, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', forward);
    },
  };
}

/** Runs every installation of `settings` (or the single target when there are none). */
export async function runAll(registry: readonly CheckDefinition[], settings: Settings, options: RunOptions = {}): Promise<RunResult> {
  const { signal, dispose } = runSignal(settings.deadlineMs, options.signal);
  try {
    const run = settings.installations?.length
      ? await runInstallations(registry, settings.installations, settings.concurrency, { ...options, signal })
      : await runChecks(registry, settings, { ...options, signal });
    return settings.strict ? { ...run, strict: true } : run;
  } finally {
    dispose();
  }
}

async function runInstallations(
  registry: readonly CheckDefinition[],
  installations: readonly Installation[],
  concurrency: number,
  options: RunOptions,
): Promise<RunResult> {
  const started = Date.now();
  const shared = createLimiter(Number.isFinite(concurrency) ? concurrency : FLEET_CONCURRENCY);
  // Each installation has its own probe cache: the same URL may mean another host's trust or token. Their connections
  // are pooled together (keyed by what decides how a connection is made), closed when the last installation is done.
  // Each installation joins the pool with its own --timeout as connect timeout (runChecks); the owner's, the longest,
  // only bounds a request made outside every installation, which none is.
  const runs = await withConnectionPool(Math.max(...installations.map((i) => i.settings.timeoutMs)), () =>
    Promise.all(
      installations.map((i, k) => {
        const onFacts = options.onFacts && ((id: string, facts: unknown) => options.onFacts!(id, facts, i.name));
        // A free slot goes to the earliest installation with a check ready: installations finish one after another, each
        // releasing its probe cache, instead of all of them being half-done (and held in memory) at once.
        const limiter: Limiter = { run: (task) => shared.run(task, k) };
        return runChecks(registry, i.settings, { ...options, limiter, memo: new Map(), ...(onFacts ? { onFacts } : {}) });
      }),
    ),
  );
  const results = runs.flatMap((run, k) => run.results.map((r) => ({ ...r, target: installations[k]!.name })));
  const missingInputs = runs.flatMap((run, k) => (run.missingInputs ?? []).map((m) => ({ ...m, target: installations[k]!.name })));
  const { missingInputs: _m, aborted, ...first } = runs[0]!;
  return {
    ...first,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    targets: {},
    installations: installations.map((i, k) => ({ name: i.name, ...runs[k]!.targets })),
    summary: summarise(results),
    results,
    ...(missingInputs.length ? { missingInputs } : {}),
    ...(aborted ? { aborted } : {}),
  };
}
