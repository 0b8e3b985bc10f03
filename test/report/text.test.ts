// The text report: rake-task layout, catalogue order of categories, colour, several targets, the diagnostic JSON.
import { describe, expect, it } from 'vitest';
import type { CheckResult, RunResult } from '../../src/model.js';
import { render } from '../../src/report/text.js';
import { multiTargetRun, sampleRun } from './sample.js';

const DIAGNOSTIC = 'DIAGNOSTIC SUMMARY (sanitize before sharing with support)\n';
const HEADINGS = ['Network', 'License', 'System exchange', 'TLS', 'JWKS', 'Runtime', 'Version'];

function headings(text: string): string[] {
  return text.split('\n').filter((l) => HEADINGS.includes(l) || l.startsWith('Target: ') || l === 'custom');
}

describe('text report', () => {
  it('puts a line per check with its mark and greppable status word, and the fix under problems only', () => {
    const text = render(sampleRun(), { color: false });
    expect(text).toMatch(/^GitLab Duo Self-Hosted Setup Verification\n/);
    expect(text).toContain('>> GitLab serves its leaf without the intermediate CA ✗ FAIL (gitlab-tls)\n   Presented: 1 certificate\n');
    expect(text).toContain('>> timed out after 10000 ms ! ERROR (system-exchange)');
    expect(text).toContain('- SKIP (token-verifies)');
    expect(text.match(/^ {3}Fix: /gm)).toHaveLength(4);
    expect(text).toContain('3 passed, 2 warnings, 2 failed, 1 skipped, 1 error in 10.1 s\n');
  });

  it('groups by category in the order results arrive (the catalogue order every format uses), checks in that order', () => {
    const run = sampleRun();
    const category = 'custom' as CheckResult['category'];
    const plugin: CheckResult = { id: 'my-check', category, status: 'pass', title: 't', summary: 'plugin ok', details: [], durationMs: 0 };
    const order = [...new Set(run.results.map((r) => r.category))];
    const text = render({ ...run, results: [...run.results, plugin] }, { color: false });
    expect(headings(text).map((h) => h.toLowerCase().replace(' ', '-'))).toEqual([...order, 'custom']);
    const reversed: RunResult = { ...run, results: [...run.results].reverse() };
    expect(headings(render(reversed, { color: false })).map((h) => h.toLowerCase().replace(' ', '-'))).toEqual([...order].reverse());
  });

  it('--quiet shows only what is not a pass, then the summary', () => {
    const run = sampleRun();
    const quiet = render(run, { color: false, quiet: true });
    for (const r of run.results) expect(quiet.includes(`(${r.id})`), r.id).toBe(r.status !== 'pass');
    expect(quiet).toContain('3 passed, 2 warnings, 2 failed, 1 skipped, 1 error in 10.1 s\n');
  });

  it('--strict: the summary line says the warnings fail the run', () => {
    const text = render({ ...sampleRun(), strict: true }, { color: false });
    expect(text).toContain('2 warnings (failing the run: --strict)');
  });

  it('names the inputs a run lacked under the summary', () => {
    const run: RunResult = {
      ...sampleRun(),
      missingInputs: [{ input: 'token', reason: 'no GitLab token given (GITLAB_TOKEN_EU is unset or empty)', checks: ['license'], target: 'eu' }],
    };
    expect(render(run, { color: false })).toMatch(
      /^NOT CHECKED \[eu\]: 1 check skipped: no GitLab token given \(GITLAB_TOKEN_EU is unset or empty\) — license$/m,
    );
  });

  it('colours marks and drops the status word when colour is on', () => {
    const text = render(sampleRun(), { color: true });
    expect(text).toContain('\u001b[31m✗\u001b[0m');
    // eslint-disable-next-line no-control-regex
    const plain = text.replace(/\u001b\[\d+m/g, '');
    expect(plain).toContain('>> GitLab serves its leaf without the intermediate CA ✗ (gitlab-tls)');
    expect(plain).not.toContain('FAIL');
  });

  it("ends with a diagnostic JSON summary derived from the RunResult alone, the rake task's keys first, then its NOTE", () => {
    const run = sampleRun();
    const [json, note] = render(run, { color: false }).split(DIAGNOSTIC)[1]!.split('\n\nNOTE: ');
    expect(note).toBe('Review the above output and remove any sensitive information\nbefore sharing with GitLab support.\n');
    const parsed = JSON.parse(json!) as Record<string, unknown>;
    // GitLab's version is unknown here: the keys of the GitLab source duo-doctor follows (18.x), in the task's order.
    expect(Object.keys(parsed).slice(0, 7)).toEqual([
      'system',
      'ai_gateway_url',
      'license',
      'ai_gateway_health',
      'self_hosted_models',
      'feature_settings',
      'request_flow',
    ]);
    expect(parsed['license']).toEqual({ status: 'WARNING', check: 'license', summary: 'License expires in 12 days (2025-01-27)' });
    expect(parsed['ai_gateway_health']).toEqual({ status: 'SKIPPED', reason: 'gateway-health did not run' });
    expect(parsed).toMatchObject({
      tool: run.tool,
      targets: run.targets,
      summary: run.summary,
      results: run.results.map(({ id, status, summary }) => ({ id, status, summary })),
    });
  });

  it('groups several installations under a heading each, naming them in the banner and the diagnostic JSON', () => {
    const run = multiTargetRun();
    const text = render(run, { color: false });
    expect(text).toContain('Targets: prod, staging\n');
    const order = headings(text);
    expect(order.filter((h) => h.startsWith('Target: '))).toEqual(['Target: prod', 'Target: staging']);
    expect(order.slice(order.indexOf('Target: staging'))).toEqual(['Target: staging', 'Network', 'TLS', 'JWKS']);
    const diagnostic = JSON.parse(text.split(DIAGNOSTIC)[1]!.split('\n\nNOTE: ')[0]!) as { results: { target?: string }[]; installations: object };
    expect(diagnostic.results.map((r) => r.target)).toEqual(run.results.map((r) => r.target));
    expect(Object.keys(diagnostic.installations)).toEqual(['prod', 'staging']);
  });

  it('has no target headings when every result belongs to one installation', () => {
    const run = sampleRun();
    const labelled = { ...run, results: run.results.map((r) => ({ ...r, target: 'prod' })) };
    expect(headings(render(labelled, { color: false }))).toEqual(HEADINGS);
  });
});
