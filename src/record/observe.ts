// Runs a suite while observing it: the facts each judged check gathered and every HTTP exchange, for a recording.
import type { RunResult } from '../model.js';
import { withExchangeLog, type ObservedExchange } from './exchange-log.js';
import type { RecordedFacts } from './recording.js';

/** What observing a run yields besides its result. */
export interface Observed {
  run: RunResult;
  facts: RecordedFacts[];
  exchanges: ObservedExchange[];
}

/** Runs `suite` with a facts listener and an exchange log; `suite` passes `onFacts` to the runner. */
export async function observeRun(
  suite: (onFacts: (checkId: string, facts: unknown, target?: string) => void) => Promise<RunResult>,
): Promise<Observed> {
  const facts: RecordedFacts[] = [];
  const exchanges: ObservedExchange[] = [];
  const run = await withExchangeLog(exchanges, () =>
    suite((check, f, target) => facts.push({ ...(target === undefined ? {} : { target }), check, facts: f })),
  );
  return { run, facts, exchanges };
}
