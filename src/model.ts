// The result model every part shares: what a check returns, what the runner records, what reporters render.

/** The verdict of one check. `error` means the check itself crashed or timed out. */
export type Status = 'pass' | 'warn' | 'fail' | 'skip' | 'error';

/** Every status, in the order summaries list them. */
export const STATUSES: readonly Status[] = ['pass', 'warn', 'fail', 'skip', 'error'];

/** The catalogue's categories, in the order the catalogue and every report list them. */
export const CATEGORIES = ['network', 'license', 'system-exchange', 'tls', 'jwks', 'runtime', 'version', 'security', 'agent-platform'] as const;

export type Category = (typeof CATEGORIES)[number];

/** Whether a status counts against the run: a check failed, or could not run to a verdict (crashed, timed out). */
export function isFailing(status: string): boolean {
  return status === 'fail' || status === 'error';
}

/** Whether a dependency with this status makes its dependents skip (the runner's rule, and replay's). */
export function blocksDependents(status: string): boolean {
  return isFailing(status) || status === 'skip';
}

/** A certificate as a check records it in `evidence.chain`: the fields reporters read (a check may record more). */
export interface CertificateEvidence {
  subject: string;
  /** ISO 8601. */
  notAfter: string;
  fingerprint256: string;
}

/**
 * The evidence fields reporters read (the Prometheus reporter's certificate-expiry and key-count families). A check that
 * records one declares its evidence with this type and a reporter reads it through `reportedEvidence`, so renaming a field
 * breaks the typecheck on both sides rather than silently emptying a metric.
 */
export interface ReportedEvidence {
  /** The certificates a check examined, as the server sent them. */
  chain?: CertificateEvidence[];
  /** How many keys the JWKS document a check fetched holds. */
  keyCount?: number;
}

/** Facts a check may attach for machines to read (JSON-serialisable, never a secret). */
export type Evidence = ReportedEvidence & Record<string, unknown>;

/**
 * The reported fields of a result's evidence, checked at run time too: evidence may come from a plugin or a JSON file, so a
 * malformed entry is normalised (missing text fields become '') or dropped (a count that is not a number).
 */
export function reportedEvidence(evidence: Evidence | undefined): ReportedEvidence {
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  const chain: unknown = evidence?.chain;
  const keyCount: unknown = evidence?.keyCount;
  return {
    ...(Array.isArray(chain)
      ? {
          chain: chain
            .filter((c: unknown): c is Record<string, unknown> => typeof c === 'object' && c !== null)
            .map((c) => ({ subject: text(c['subject']), notAfter: text(c['notAfter']), fingerprint256: text(c['fingerprint256']) })),
        }
      : {}),
    ...(typeof keyCount === 'number' ? { keyCount } : {}),
  };
}

/** The statuses a finding can carry (`error` belongs to the runner: a check that crashed or timed out). */
export type FindingStatus = Extract<Status, 'pass' | 'warn' | 'fail' | 'skip'>;

/** Which entry of a check's message table fired, and with what status: what CI and JSON consumers key on. */
export interface FindingRef {
  id: string;
  status: FindingStatus;
}

/** What a check's `run` returns: the verdict and its explanation. */
export interface CheckOutcome {
  status: Status;
  /** One line: what was found. */
  summary: string;
  /** Supporting lines: measurements, what was tried, what each probe said. */
  details?: string[];
  /** The exact fix, when there is something to fix. */
  remediation?: string;
  evidence?: Evidence;
  /** The findings its judge reported, by message id (judged checks). */
  findings?: FindingRef[];
}

/** One check's entry in the RunResult. */
export interface CheckResult {
  id: string;
  category: Category;
  status: Status;
  title: string;
  summary: string;
  details: string[];
  remediation?: string;
  durationMs: number;
  evidence?: Evidence;
  /** The findings behind the verdict, by message id: stable across wording changes. */
  findings?: FindingRef[];
  /** The installation this result belongs to, when the run covers several (issue: many installations). */
  target?: string;
}

/** Counts of results by status. */
export type Summary = Record<Status, number>;

/** The whole run, rendered by every reporter (`schemaVersion: 1`; its JSON form is README's "JSON result"). */
export interface RunResult {
  schemaVersion: 1;
  tool: { name: 'duo-doctor'; version: string };
  startedAt: string;
  durationMs: number;
  targets: { gitlab?: string; gateway?: string };
  /** A multi-target run's installations (results carry their `name` as `target`); absent for a single target. */
  installations?: Array<{ name: string; gitlab?: string; gateway?: string }>;
  summary: Summary;
  results: CheckResult[];
  /** Inputs the run lacked (no GitLab URL, token, gateway URL) and the checks skipped for it: such a run is not a pass. */
  missingInputs?: MissingInput[];
  /** Set under `--strict`: warnings fail the run, and every report says so. */
  strict?: boolean;
  /** Set when the run was cut short (`--deadline`, or serve shutting down): what stopped it. */
  aborted?: string;
}

/** An input a run lacked, and the checks that were skipped for want of it. */
export interface MissingInput {
  input: 'gitlab' | 'gateway' | 'token';
  /** What is missing and where it is read from ("no GitLab token: GITLAB_TOKEN_EU is unset"). */
  reason: string;
  checks: string[];
  /** The installation, in a multi-target run. */
  target?: string;
}

/** Counts results by status, every status present. */
export function summarise(results: readonly CheckResult[]): Summary {
  const summary: Summary = { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 };
  for (const r of results) summary[r.status]++;
  return summary;
}

/**
 * The process exit code for a run: 1 when anything failed or errored, warned under `--strict`, was skipped for a
 * missing input (a run that checked nothing is not a pass), or the run was cut short; else 0.
 */
export function exitCodeFor(run: Pick<RunResult, 'summary' | 'missingInputs' | 'strict' | 'aborted'>, strict = run.strict ?? false): 0 | 1 {
  const { fail, error, warn } = run.summary;
  return fail > 0 || error > 0 || (strict && warn > 0) || (run.missingInputs?.length ?? 0) > 0 || run.aborted !== undefined ? 1 : 0;
}
