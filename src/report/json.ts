// The machine-readable report: the RunResult as the README and schema/result.schema.json describe it (schemaVersion 1), keys in order.
import { STATUSES, type CheckResult, type RunResult } from '../model.js';
import type { Render } from './index.js';

/**
 * A result with its keys in the documented order, whatever order its producer used. `remediation` (null when there is
 * nothing to fix) and `evidence` ({} when none) are always present, as the README and schema/result.schema.json say.
 */
function orderedResult(r: CheckResult): Omit<CheckResult, 'remediation'> & { remediation: string | null } {
  return {
    id: r.id,
    category: r.category,
    status: r.status,
    title: r.title,
    summary: r.summary,
    details: r.details,
    remediation: r.remediation ?? null,
    durationMs: r.durationMs,
    evidence: r.evidence ?? {},
    findings: r.findings,
    target: r.target,
  };
}

export const render: Render = (run) => {
  const ordered = {
    schemaVersion: run.schemaVersion,
    tool: { name: run.tool.name, version: run.tool.version },
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    targets: { gitlab: run.targets.gitlab, gateway: run.targets.gateway },
    installations: run.installations?.map((i) => ({ name: i.name, gitlab: i.gitlab, gateway: i.gateway })),
    summary: Object.fromEntries(STATUSES.map((s) => [s, run.summary[s]])) as RunResult['summary'],
    results: run.results.map(orderedResult),
    missingInputs: run.missingInputs?.map((m) => ({ input: m.input, reason: m.reason, checks: m.checks, target: m.target })),
    strict: run.strict,
    aborted: run.aborted,
  };
  // JSON.stringify drops the keys left undefined above, so the document holds only what the run holds.
  return JSON.stringify(ordered, null, 2) + '\n';
};
