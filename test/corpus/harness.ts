// Shared by the corpus tests: run checks through the real runner, and fail on stack traces or unhandled rejections.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { defaultSettings, type Settings } from '../../src/config/settings.js';
import type { CheckResult, RunResult } from '../../src/model.js';
import { runChecks } from '../../src/runner/run.js';

/** A control character a terminal would act on (tab and line feed aside). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
export const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** What a stack trace looks like in any output: a newline, indentation, `at `. */
export const STACK_TRACE = /(\n|\\n)\s+at /;

/**
 * Registers process-level listeners for the calling test file: any unhandled rejection or uncaught exception while a
 * test runs fails that test (vitest reports them too, but only at the end of the run and without naming the case).
 */
export function failOnUnhandled(): void {
  const seen: unknown[] = [];
  const record = (reason: unknown) => seen.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', record);
    process.on('uncaughtException', record);
  });
  afterEach(() => {
    const found = seen.splice(0);
    expect(found.map((r) => (r instanceof Error ? `${r.name}: ${r.message}` : String(r)))).toEqual([]);
  });
  afterAll(() => {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
  });
}

/** Runs the registry's checks named in `ids` (their dependencies must be listed too) with `overrides`. */
export async function runIds(ids: readonly string[], overrides: Partial<Settings>): Promise<RunResult> {
  const registry = CHECKS.filter((c) => ids.includes(c.id));
  expect(registry.map((c) => c.id).sort()).toEqual([...ids].sort());
  return runChecks(registry, defaultSettings(overrides));
}

/** One check's result out of a run. */
export function resultOf(run: RunResult, id: string): CheckResult {
  const result = run.results.find((r) => r.id === id);
  if (!result) throw new Error(`no result for ${id}`);
  return result;
}

/** Every string a result would print, evidence included. */
export function printable(result: CheckResult): string {
  return JSON.stringify(result);
}

/** The corpus contract for one result: the expected status, a summary naming the problem, no stack trace, no `[object …]`. */
export function expectJudged(result: CheckResult, status: CheckResult['status'], says: RegExp): void {
  expect({ id: result.id, status: result.status, summary: result.summary }).toMatchObject({ status, summary: expect.stringMatching(says) });
  const text = printable(result);
  expect(text).not.toMatch(STACK_TRACE);
  expect(text).not.toMatch(/\[object \w+\]|undefined undefined/);
  // Nothing a hostile server sent can drive the terminal the report is read on.
  for (const line of [result.summary, ...result.details, result.remediation ?? '']) expect(line).not.toMatch(CONTROL);
  if (status === 'fail' || status === 'warn') expect(result.remediation ?? '').not.toBe('');
}
