// The JSON report: DESIGN.md's RunResult, round-tripping, keys in DESIGN.md's order.
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/model.js';
import { render } from '../../src/report/json.js';
import { multiTargetRun, sampleRun } from './sample.js';

const RUN_KEYS = ['schemaVersion', 'tool', 'startedAt', 'durationMs', 'targets', 'summary', 'results'];
const RESULT_KEYS = ['id', 'category', 'status', 'title', 'summary', 'details', 'remediation', 'durationMs', 'evidence', 'target'];

describe('json report', () => {
  it.each([
    ['one installation', sampleRun],
    ['several installations', multiTargetRun],
  ])('round-trips to the same RunResult (%s)', (_, run) => {
    const text = render(run(), { color: false });
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(run());
  });

  it("writes keys in DESIGN.md's order even when the RunResult was built in another", () => {
    const run = sampleRun();
    const scrambled = Object.fromEntries(Object.entries(run).reverse()) as typeof run;
    scrambled.results = run.results.map((r) => Object.fromEntries(Object.entries({ ...r, target: 'x' }).reverse()) as unknown as CheckResult);
    const parsed = JSON.parse(render(scrambled, { color: false })) as Record<string, unknown> & { results: Record<string, unknown>[] };
    expect(Object.keys(parsed)).toEqual(RUN_KEYS);
    expect(Object.keys(parsed['summary'] as object)).toEqual(['pass', 'warn', 'fail', 'skip', 'error']);
    const failing = parsed.results.find((r) => r['id'] === 'gitlab-tls')!;
    expect(Object.keys(failing)).toEqual(RESULT_KEYS);
    // Optional keys a result lacks stay absent rather than appearing as null.
    expect(Object.keys(parsed.results.find((r) => r['id'] === 'token-verifies')!)).toEqual(
      RESULT_KEYS.filter((k) => k !== 'remediation' && k !== 'evidence'),
    );
  });
});
