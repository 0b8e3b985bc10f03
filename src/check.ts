// The shape of a check: its metadata, what it needs, and the context the runner hands its `run`.
import type { Category, CheckOutcome, CheckResult } from './model.js';
import type { Settings } from './config/settings.js';

/** When a check is worth running: the smoke job after a deploy, an incident, the gate before an upgrade. */
export type Tag = 'ci' | 'oncall' | 'pre-upgrade' | 'security' | 'deep';

/** Targets a check cannot run without; a missing one makes the check `skip` with the reason. */
export type Need = 'gitlab' | 'gateway' | 'token';

/** What `duo-doctor explain <id>` prints: what it checks, why it fails, how to fix it. */
export interface Explanation {
  checks: string;
  failsWhen: string;
  fix: string;
}

/** What the runner gives a check's `run`. */
export interface CheckContext {
  readonly settings: Settings;
  /** Aborted when the check times out; pass it to anything that waits. */
  readonly signal: AbortSignal;
  /**
   * Memoises a probe for the whole run: the first caller starts `gather`, every later caller with the same key
   * shares its promise (one TLS handshake per host, one fetch per URL). Probes should not throw on expected failures:
   * they return facts, failures included.
   */
  memo<T>(key: string, gather: () => Promise<T>): Promise<T>;
  /** The result of a check this one depends on (only those named in `dependsOn` are guaranteed present). */
  resultOf(id: string): CheckResult | undefined;
}

/** A check: metadata plus `run`, which judges facts gathered by probes. One per file under checks/, file name = id. */
export interface CheckDefinition {
  id: string;
  title: string;
  category: Category;
  tags: readonly Tag[];
  /** Checks whose failure makes this one meaningless: it is skipped, naming the failed dependency. */
  dependsOn?: readonly string[];
  needs?: readonly Need[];
  explain: Explanation;
  /** This check's own time budget when the run's `--timeout` does not fit it (a `--deep` hold); default `settings.timeoutMs`. */
  timeoutMs?(settings: Settings): number;
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

/** Identity function that types a check definition (and lets plugins stay plain JavaScript). */
export function defineCheck(definition: CheckDefinition): CheckDefinition {
  return definition;
}
