// Replay: the current checks' judges over a recording's facts, offline. A check whose facts were recorded is judged
// again (a changed judge gives its new verdict); one that never reached its judge (skipped, errored, no facts) keeps its
// recorded result; a check the recording predates says so.
import { renderJudgement, type CheckDefinition } from '../check.js';
import { blocksDependents, summarise, type CheckOutcome, type CheckResult, type RunResult } from '../model.js';
import { inertText } from '../redact.js';
import { errorMessage } from '../error-message.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { Recording } from './recording.js';

function key(target: string | undefined, id: string): string {
  return `${target ?? ''}\u0000${id}`;
}

/** Judges recorded facts with the check's current judge; a judge that cannot read them says what the recording lacks. */
function rejudge(check: CheckDefinition, facts: unknown, recordedBy: string): CheckOutcome {
  try {
    return renderJudgement(check.messages!, check.judge!(facts));
  } catch (error) {
    return {
      status: 'error',
      summary: `the recording's facts for ${check.id} do not fit this duo-doctor's judge: ${errorMessage(error)}`,
      details: [`Recorded by duo-doctor ${recordedBy}; replayed by ${TOOL_VERSION}. Record the installation again with this version.`],
    };
  }
}

/** The replayed result of one target's checks, in the current registry's order. */
function replayTarget(registry: readonly CheckDefinition[], recording: Recording, target: string | undefined): CheckResult[] {
  const recorded = new Map(recording.result.results.filter((r) => r.target === target).map((r) => [r.id, r]));
  const facts = new Map(recording.facts.filter((f) => f.target === target).map((f) => [key(f.target, f.check), f.facts]));
  const recordedBy = recording.tool.version;
  const results = new Map<string, CheckResult>();
  for (const check of registry) {
    const before = recorded.get(check.id);
    const base = { id: check.id, category: check.category, title: check.title, ...(target === undefined ? {} : { target }) };
    if (!before) {
      results.set(check.id, {
        ...base,
        status: 'skip',
        summary: `not in this recording: duo-doctor ${recordedBy} did not run ${check.id}`,
        details: ['Record the installation again with this version to judge it.'],
        durationMs: 0,
      });
      continue;
    }
    const dependency = (check.dependsOn ?? []).map((d) => results.get(d)).find((r) => r && blocksDependents(r.status));
    const hasFacts = facts.has(key(target, check.id));
    if (dependency && hasFacts) {
      const verb = dependency.status === 'fail' ? 'failed' : dependency.status === 'error' ? 'errored' : 'was skipped';
      results.set(check.id, { ...base, status: 'skip', summary: `depends on ${dependency.id}, which ${verb}`, details: [], durationMs: 0 });
      continue;
    }
    if (!hasFacts || !check.judge || !check.messages) {
      results.set(check.id, { ...before, ...base });
      continue;
    }
    const outcome = rejudge(check, facts.get(key(target, check.id)), recordedBy);
    results.set(check.id, {
      ...base,
      status: outcome.status,
      summary: inertText(outcome.summary),
      details: (outcome.details ?? []).map((d) => inertText(d)),
      ...(outcome.remediation ? { remediation: inertText(outcome.remediation, true) } : {}),
      durationMs: before.durationMs,
      ...(outcome.evidence ? { evidence: outcome.evidence } : {}),
      ...(outcome.findings ? { findings: outcome.findings } : {}),
    });
  }
  return registry.map((c) => results.get(c.id)!);
}

/** Replays `recording` with `registry`'s judges: one RunResult, as `check` would have produced it. */
export function replayRecording(registry: readonly CheckDefinition[], recording: Recording): RunResult {
  const installations = recording.result.installations;
  const results = installations?.length
    ? installations.flatMap((i) => replayTarget(registry, recording, i.name))
    : replayTarget(registry, recording, undefined);
  return {
    ...recording.result,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    summary: summarise(results),
    results,
  };
}
