// The JSON report: the README's RunResult, round-tripping, keys in the documented order.
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
    // What a result lacks is spelled out: remediation null, evidence {} (the README and the schema promise both keys).
    const expected = run();
    expect(JSON.parse(text)).toEqual({
      ...expected,
      results: expected.results.map((r) => ({ ...r, remediation: r.remediation ?? null, evidence: r.evidence ?? {} })),
    });
  });

  it('writes keys in the documented order even when the RunResult was built in another', () => {
    const run = sampleRun();
    const scrambled = Object.fromEntries(Object.entries(run).reverse()) as typeof run;
    scrambled.results = run.results.map((r) => Object.fromEntries(Object.entries({ ...r, target: 'x' }).reverse()) as unknown as CheckResult);
    const parsed = JSON.parse(render(scrambled, { color: false })) as Record<string, unknown> & { results: Record<string, unknown>[] };
    expect(Object.keys(parsed)).toEqual(RUN_KEYS);
    expect(Object.keys(parsed['summary'] as object)).toEqual(['pass', 'warn', 'fail', 'skip', 'error']);
    const failing = parsed.results.find((r) => r['id'] === 'gitlab-tls')!;
    expect(Object.keys(failing)).toEqual(RESULT_KEYS);
    // remediation and evidence are always there (null and {} when empty); only `target` and `findings` are optional.
    expect(Object.keys(parsed.results.find((r) => r['id'] === 'token-verifies')!)).toEqual(RESULT_KEYS);
    expect(parsed.results.find((r) => r['id'] === 'token-verifies')).toMatchObject({ remediation: null, evidence: {} });
  });
});
