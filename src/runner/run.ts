// The runner: schedules checks concurrently behind their dependencies, times them out, isolates crashes,
// and assembles one RunResult in registry order.
import { StageBoard, withStageBoard } from '../probes/stage-board.js';
import type { CheckContext, CheckDefinition, Need } from '../check.js';
import type { Settings } from '../config/settings.js';
import { blocksDependents, STATUSES, summarise, type CheckOutcome, type CheckResult, type MissingInput, type RunResult } from '../model.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { createLimiter, type Limiter } from './limit.js';
import { selectChecks } from './select.js';
import { inertText, redactUrl } from '../redact.js';
import { errorMessage } from '../error-message.js';
import { withConnectionPool } from '../probes/connection-pool.js';

/** Hooks for a live progress line; the runner itself prints nothing. */
export interface RunObserver {
  /** How many checks this run (or installation) will report. */
  onPlan?(total: number): void;
  onStart?(check: CheckDefinition): void;
  onFinish?(result: CheckResult): void;
}

export interface RunOptions {
  observer?: RunObserver;
  /** Shared probe cache; a fresh one per run unless given (tests pass one to count exchanges). */
  memo?: Map<string, Promise<unknown>>;
  /** Told the facts each judged check gathered (`--record`); `target` names the installation of a multi-target run. */
  onFacts?(checkId: string, facts: unknown, target?: string): void;
  /** Shared concurrency limiter, for several targets run at once. */
  limiter?: Limiter;
  /** Aborts the whole run (the deadline, serve shutting down): running checks end as `error`, the rest do not start. Its reason is a RunAborted. */
  signal?: AbortSignal;
}

/** Why a whole run was cut short; its message completes "… while this check was running". */
export class RunAborted extends Error {
  override readonly name = 'RunAborted';
}

/** Why a check skipped for want of `need`, naming where the input is read from. */
function needReason(need: Need, settings: Settings): string {
  switch (need) {
    case 'gitlab':
      return 'no GitLab URL given (--gitlab-url, DUO_DOCTOR_GITLAB_URL or gitlabUrl in the config file)';
    case 'gateway':
      return "no gateway URL given (--gateway-url, AI_GATEWAY_URL, or GitLab's own setting read with the GitLab URL and token)";
    case 'token': {
      const variable = settings.tokenSource ?? 'GITLAB_TOKEN';
      return variable.startsWith('--')
        ? `no GitLab token given (${variable} held none)`
        : `no GitLab token given (${variable} is unset or empty; or --gitlab-token-file: an administrator's personal access token)`;
    }
  }
}

/** Whether the settings provide a target. The gateway counts as given when GitLab can be asked for its URL. */
export function hasTarget(settings: Settings, need: Need): boolean {
  switch (need) {
    case 'gitlab':
      return settings.gitlabUrl !== undefined;
    case 'token':
      return settings.gitlabToken !== undefined;
    case 'gateway':
      return settings.gatewayUrl !== undefined || (settings.gitlabUrl !== undefined && settings.gitlabToken !== undefined);
  }
}

class CheckTimeout extends Error {}

/**
 * Probes give up at --timeout and report why (a refused connection, a silent server); the runner waits this much
 * longer before abandoning a check, so a probe's own, more telling verdict wins the race.
 */
export const TIMEOUT_GRACE_MS = 500;

function isOutcome(value: unknown): value is CheckOutcome {
  const o = value as CheckOutcome | undefined;
  return typeof o === 'object' && o !== null && (STATUSES as readonly string[]).includes(o.status) && typeof o.summary === 'string';
}

/**
 * When the whole run is aborted, a running check gets this long to return what its probes saw as they were aborted
 * (the stage they were in: connecting, the TLS handshake, the headers, the body) before it is abandoned.
 */
export const ABORT_GRACE_MS = 250;

/** Runs one check with its timeout (the user's `timeoutMs`, plus the grace) and the run's signal; never throws. */
async function runOne(
  check: CheckDefinition,
  ctxBase: Omit<CheckContext, 'signal'>,
  timeoutMs: number,
  runSignal: AbortSignal | undefined,
): Promise<CheckOutcome> {
  const controller = new AbortController();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let abandon: NodeJS.Timeout | undefined;
  let onRunAbort: (() => void) | undefined;
  let abortedAfter: number | undefined;
  /** What the check's probes were doing when it was stopped (its timeout, the run's abort), and when their budget ends. */
  const board = new StageBoard(timeoutMs);
  let stageAtStop: string | undefined;
  const stopped = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Read before aborting: an aborted probe closes its stage.
      stageAtStop = board.current();
      controller.abort(new CheckTimeout(`timed out after ${timeoutMs} ms`));
      reject(controller.signal.reason);
    }, timeoutMs + TIMEOUT_GRACE_MS);
    onRunAbort = () => {
      abortedAfter = Math.round(performance.now() - started);
      stageAtStop = board.current();
      controller.abort(runSignal?.reason);
      abandon = setTimeout(() => reject(runSignal?.reason), ABORT_GRACE_MS);
    };
    if (runSignal?.aborted) onRunAbort();
    else runSignal?.addEventListener('abort', onRunAbort, { once: true });
  });
  const cutShort = (reason: unknown, said = stageAtStop): CheckOutcome => ({
    status: 'error',
    summary: `${reason instanceof RunAborted ? reason.message : 'the run was aborted'} while ${check.id} was running (after ${abortedAfter ?? Math.round(performance.now() - started)} ms)${said ? `: ${said}` : ''}`,
    details: ['The check was abandoned; every report was still written.'],
  });
  try {
    const outcome = await Promise.race([withStageBoard(board, () => check.run({ ...ctxBase, signal: controller.signal })), stopped]);
    if (!isOutcome(outcome)) return { status: 'error', summary: `check ${check.id} returned no valid result` };
    // What the check said once aborted names the stage its probes were in; its verdict is not one on the installation.
    if (abortedAfter !== undefined)
      return {
        ...cutShort(runSignal?.reason, outcome.summary),
        details: [...(outcome.details ?? []), 'The check was abandoned; every report was still written.'],
      };
    return outcome;
  } catch (error) {
    if (error instanceof CheckTimeout) {
      return {
        status: 'error',
        summary: `timed out after ${timeoutMs} ms${stageAtStop ? `, ${stageAtStop}` : ''}`,
        details: ['The check was abandoned; the others went on.'],
      };
    }
    if (abortedAfter !== undefined) return cutShort(runSignal?.reason);
    return { status: 'error', summary: `check crashed: ${errorMessage(error)}` };
  } finally {
    clearTimeout(timer);
    clearTimeout(abandon);
    if (onRunAbort) runSignal?.removeEventListener('abort', onRunAbort);
  }
}

/** Why a check cannot run given its dependencies' verdicts, or undefined when it can. */
function blockedBy(check: CheckDefinition, results: Map<string, CheckResult>, selected: Set<string>): string | undefined {
  for (const dep of check.dependsOn ?? []) {
    if (!selected.has(dep)) return `depends on ${dep}, which this run excludes (--skip)`;
    const r = results.get(dep);
    if (r && blocksDependents(r.status)) {
      const verb = r.status === 'fail' ? 'failed' : r.status === 'error' ? 'errored' : 'was skipped';
      return `depends on ${dep}, which ${verb}`;
    }
  }
  return undefined;
}

/** Runs the selected checks and returns the RunResult; the run's exchanges share one connection pool, closed at its end. */
export function runChecks(registry: readonly CheckDefinition[], settings: Settings, options: RunOptions = {}): Promise<RunResult> {
  return withConnectionPool(settings.timeoutMs, () => runSelected(registry, settings, options));
}

async function runSelected(registry: readonly CheckDefinition[], settings: Settings, options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const checks = selectChecks(registry, settings.only, settings.skip);
  const selected = new Set(checks.map((c) => c.id));
  const results = new Map<string, CheckResult>();
  const done = new Map<string, Promise<void>>();
  const memo = options.memo ?? new Map<string, Promise<unknown>>();
  const limiter = options.limiter ?? createLimiter(settings.concurrency);
  const missing = new Map<Need, MissingInput>();
  options.observer?.onPlan?.(checks.length);

  const ctxBase: Omit<CheckContext, 'signal'> = {
    settings,
    memo<T>(key: string, gather: () => Promise<T>): Promise<T> {
      let p = memo.get(key) as Promise<T> | undefined;
      if (!p) {
        p = gather();
        memo.set(key, p);
      }
      return p;
    },
    resultOf: (id) => results.get(id),
    ...(options.onFacts ? { onFacts: (id: string, facts: unknown) => options.onFacts!(id, facts) } : {}),
  };

  const record = (check: CheckDefinition, outcome: CheckOutcome, durationMs: number) => {
    const result: CheckResult = {
      id: check.id,
      category: check.category,
      status: outcome.status,
      title: check.title,
      // What a check says may quote a hostile server: no control character reaches a terminal or a log.
      summary: inertText(outcome.summary),
      details: (outcome.details ?? []).map((d) => inertText(d)),
      ...(outcome.remediation ? { remediation: inertText(outcome.remediation, true) } : {}),
      durationMs,
      ...(outcome.evidence ? { evidence: outcome.evidence } : {}),
      ...(outcome.findings ? { findings: outcome.findings } : {}),
    };
    results.set(check.id, result);
    options.observer?.onFinish?.(result);
  };

  const schedule = (check: CheckDefinition): Promise<void> => {
    const existing = done.get(check.id);
    if (existing) return existing;
    const promise = (async () => {
      await Promise.all((check.dependsOn ?? []).filter((d) => selected.has(d)).map((d) => schedule(checks.find((c) => c.id === d)!)));
      const lacking = (check.needs ?? []).filter((n) => !hasTarget(settings, n));
      for (const need of lacking) {
        const entry = missing.get(need) ?? { input: need, reason: needReason(need, settings), checks: [] };
        entry.checks.push(check.id);
        missing.set(need, entry);
      }
      if (lacking.length) return record(check, { status: 'skip', summary: needReason(lacking[0]!, settings) }, 0);
      const blocked = blockedBy(check, results, selected);
      if (blocked) return record(check, { status: 'skip', summary: blocked }, 0);
      await limiter.run(async () => {
        if (options.signal?.aborted) {
          const reason = options.signal.reason as unknown;
          return record(
            check,
            { status: 'error', summary: `${reason instanceof RunAborted ? reason.message : 'the run was aborted'} before ${check.id} started` },
            0,
          );
        }
        options.observer?.onStart?.(check);
        const t0 = performance.now();
        const outcome = await runOne(check, ctxBase, check.timeoutMs?.(settings) ?? settings.timeoutMs, options.signal);
        record(check, outcome, Math.round(performance.now() - t0));
      });
    })();
    done.set(check.id, promise);
    return promise;
  };

  await Promise.all(checks.map(schedule));
  const ordered = checks.map((c) => results.get(c.id)!);
  return {
    schemaVersion: 1,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    targets: {
      ...(settings.gitlabUrl ? { gitlab: redactUrl(settings.gitlabUrl) } : {}),
      ...(settings.gatewayUrl ? { gateway: redactUrl(settings.gatewayUrl) } : {}),
    },
    summary: summarise(ordered),
    results: ordered,
    ...(missing.size ? { missingInputs: [...missing.values()] } : {}),
    ...(options.signal?.aborted ? { aborted: abortReason(options.signal) } : {}),
  };
}

/** The text of a run signal's reason. */
export function abortReason(signal: AbortSignal): string {
  const reason = signal.reason as unknown;
  return reason instanceof Error ? reason.message : 'the run was aborted';
}
