// The TAP report: version 14, a plan that matches, not ok for fail/error, SKIP directives, YAML diagnostics that parse.
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { render } from '../../src/report/tap.js';
import { multiTargetRun, sampleRun } from './sample.js';

const POINT = /^(not ok|ok) (\d+) - (.*)$/;

describe('tap report', () => {
  it('declares version 14 and a plan matching its numbered test points', () => {
    const run = sampleRun();
    const lines = render(run, { color: false }).split('\n');
    expect(lines.slice(0, 2)).toEqual(['TAP version 14', `1..${run.results.length}`]);
    const points = lines.filter((l) => POINT.test(l));
    expect(points.map((l) => Number(POINT.exec(l)![2]))).toEqual(run.results.map((_, i) => i + 1));
    expect(points.filter((l) => l.startsWith('not ok')).length).toBe(run.summary.fail + run.summary.error);
    expect(points[6]).toBe(
      "ok 7 - token-verifies # SKIP no GitLab token given (GITLAB_TOKEN or --gitlab-token-file, an administrator's personal access token)",
    );
  });

  it('keeps descriptions on one line with # and \\ escaped', () => {
    const run = sampleRun();
    run.results[0]!.summary = 'has # hash, \\ backslash\nand a second line';
    expect(render(run, { color: false })).toContain('ok 1 - gateway-url: has \\# hash, \\\\ backslash and a second line\n');
  });

  it('attaches a YAML block with severity, details and fix to every warn, fail and error', () => {
    const run = sampleRun();
    const text = render(run, { color: false });
    const blocks = [...text.matchAll(/^ {2}---\n([\s\S]*?)^ {2}\.\.\.$/gm)].map(
      (m) => parse(m[1]!.replace(/^ {2}/gm, '')) as Record<string, unknown>,
    );
    const problems = run.results.filter((r) => ['warn', 'fail', 'error'].includes(r.status));
    expect(blocks).toEqual(
      problems.map((r) => ({
        message: r.summary,
        severity: r.status,
        ...(r.details.length ? { details: r.details } : {}),
        ...(r.remediation ? { fix: r.remediation } : {}),
      })),
    );
  });

  it('names the target of each test point when results carry one', () => {
    expect(render(multiTargetRun(), { color: false })).toContain('ok 10 - gateway-url [staging]: AI Gateway URL configured');
  });
});
