// The machine-readable report: the RunResult exactly as DESIGN.md shapes it (schemaVersion 1), keys in its order.
import { STATUSES, type CheckResult, type RunResult } from '../model.js';
import type { Render } from './index.js';

/** A result with its keys in DESIGN.md's order, whatever order its producer used; absent optional keys stay absent. */
function orderedResult(r: CheckResult): CheckResult {
  return {
    id: r.id,
    category: r.category,
    status: r.status,
    title: r.title,
    summary: r.summary,
    details: r.details,
    remediation: r.remediation,
    durationMs: r.durationMs,
    evidence: r.evidence,
    findings: r.findings,
    target: r.target,
  };
}

export const render: Render = (run) => {
  const ordered: RunResult = {
    schemaVersion: run.schemaVersion,
    tool: { name: run.tool.name, version: run.tool.version },
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    targets: { gitlab: run.targets.gitlab, gateway: run.targets.gateway },
    installations: run.installations?.map((i) => ({ name: i.name, gitlab: i.gitlab, gateway: i.gateway })),
    summary: Object.fromEntries(STATUSES.map((s) => [s, run.summary[s]])) as RunResult['summary'],
    results: run.results.map(orderedResult),
  };
  // JSON.stringify drops the keys left undefined above, so the document holds only what the run holds.
  return JSON.stringify(ordered, null, 2) + '\n';
};
