// Folds several findings of one check into one outcome: the worst status leads, every problem is listed, every fix kept.
import type { CheckOutcome, Evidence, Status } from './model.js';

/** One thing a check found: pass, or a problem with its fix. */
export interface Finding {
  status: Extract<Status, 'pass' | 'warn' | 'fail'>;
  summary: string;
  /** The exact fix (problems only). */
  fix?: string;
}

const RANK: Record<Finding['status'], number> = { pass: 0, warn: 1, fail: 2 };

/**
 * The outcome for `findings`: status of the worst, summary of the first worst, the other problems appended to
 * `details`, and the fixes of every problem (worst first) as the remediation. All pass: `passSummary`.
 */
export function combineFindings(findings: readonly Finding[], passSummary: string, details: string[] = [], evidence?: Evidence): CheckOutcome {
  const problems = findings.filter((f) => f.status !== 'pass').sort((a, b) => RANK[b.status] - RANK[a.status]);
  const [lead, ...rest] = problems;
  const withEvidence = evidence ? { evidence } : {};
  if (!lead) return { status: 'pass', summary: passSummary, details, ...withEvidence };
  const fixes = [...new Set(problems.map((p) => p.fix).filter((f): f is string => Boolean(f)))];
  return {
    status: lead.status,
    summary: lead.summary,
    details: [...details, ...rest.map((p) => `${p.status === 'fail' ? '✗' : '⚠'} ${p.summary}`)],
    ...(fixes.length ? { remediation: fixes.join('\n') } : {}),
    ...withEvidence,
  };
}
