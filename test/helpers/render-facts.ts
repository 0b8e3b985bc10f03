// Renders a judged check's verdict on synthetic facts, as its run would (the judge's findings through its message table).
import { renderJudgement, type JudgedCheck, type Judgement, type Messages } from '../../src/check.js';
import type { CheckOutcome } from '../../src/model.js';

export function renderFacts<F, M extends Messages>(check: JudgedCheck<F, M>, facts: F): CheckOutcome & { details: string[] } {
  const outcome = renderJudgement(check.messages, check.judge(facts) as unknown as Judgement<Messages>);
  return { ...outcome, details: outcome.details ?? [] };
}
