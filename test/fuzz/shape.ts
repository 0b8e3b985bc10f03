// What the fuzz tests hold every output to: a well-formed check outcome (status, one-line summary, fix, serialisable evidence).
import { expect } from 'vitest';
import { STATUSES, type CheckOutcome } from '../../src/model.js';

/** Throws (fails the property) unless `outcome` is a check outcome a reporter can render. */
export function expectValidOutcome(outcome: CheckOutcome): void {
  expect(STATUSES).toContain(outcome.status);
  expect(typeof outcome.summary).toBe('string');
  expect(outcome.summary.trim()).not.toBe('');
  expect(outcome.summary).not.toContain('\n');
  expect(outcome.summary.length).toBeLessThan(4_000);
  for (const line of outcome.details ?? []) expect(typeof line).toBe('string');
  if (outcome.status === 'fail' || outcome.status === 'warn') expect(outcome.remediation?.trim() ?? '').not.toBe('');
  // Serialisable (no BigInt, no cycle), with no stack trace or `[object …]` in it.
  expect(JSON.stringify(outcome)).not.toMatch(/\\n\s+at |\[object \w+\]/);
}

/** How many runs each property makes: thousands by default, more with FUZZ_RUNS=n for a long soak. */
export function runs(base: number): number {
  const override = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(override) && override > 0 ? override : base;
}
