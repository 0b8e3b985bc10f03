// The check shape: a judgement renders into one outcome — the worst finding leads, every other finding follows, fixes once each.
import { describe, expect, it } from 'vitest';
import { defineCheck, renderJudgement, type Messages } from '../src/check.js';
import { makeContext } from './helpers/context.js';

const messages = {
  ok: { status: 'pass', text: (d: { n: number }) => `${d.n} fine` },
  noData: { status: 'skip', text: () => 'nothing to judge' },
  slow: { status: 'warn', text: (d: { ms: number }) => `slow: ${d.ms} ms`, fix: 'Make it faster.' },
  slower: { status: 'warn', text: () => 'slower', fix: 'Make it faster.' },
  broken: { status: 'fail', text: (d: { what: string }) => `${d.what} is broken`, fix: (d: { what: string }) => `Repair ${d.what}.` },
} satisfies Messages;

describe('renderJudgement', () => {
  it.each([
    ['one pass', [{ id: 'ok', data: { n: 2 } }], 'pass', '2 fine'],
    ['skip outranks pass', [{ id: 'ok', data: { n: 1 } }, { id: 'noData' }], 'skip', 'nothing to judge'],
    ['warn outranks skip', [{ id: 'noData' }, { id: 'slow', data: { ms: 5 } }], 'warn', 'slow: 5 ms'],
    [
      'fail outranks warn, wherever it stands',
      [
        { id: 'slow', data: { ms: 5 } },
        { id: 'broken', data: { what: 'x' } },
      ],
      'fail',
      'x is broken',
    ],
    ['the first of equals leads', [{ id: 'slower' }, { id: 'slow', data: { ms: 1 } }], 'warn', 'slower'],
  ] as const)('%s', (_name, findings, status, summary) => {
    const out = renderJudgement(messages, { findings: findings as never });
    expect(out.status).toBe(status);
    expect(out.summary).toBe(summary);
    expect(out.findings?.map((f) => f.id)).toEqual(findings.map((f) => f.id));
  });

  it("lists the other findings after the judge's own lines, and each fix once, worst first", () => {
    const out = renderJudgement(messages, {
      findings: [{ id: 'slow', data: { ms: 7 } }, { id: 'slower' }, { id: 'broken', data: { what: 'y' }, details: ['because'] }],
      details: ['measured'],
    });
    expect(out.details).toEqual(['measured', 'because', '⚠ slow: 7 ms', '⚠ slower']);
    expect(out.remediation).toBe('Repair y.\nMake it faster.');
  });

  it('has no remediation when nothing is wrong, and carries evidence', () => {
    const out = renderJudgement(messages, { findings: [{ id: 'ok', data: { n: 0 } }], evidence: { n: 0 } });
    expect(out.remediation).toBeUndefined();
    expect(out.evidence).toEqual({ n: 0 });
  });

  it.each([
    ['no finding', []],
    ['an id outside the table', [{ id: 'nope' }]],
  ])('refuses %s', (_name, findings) => {
    expect(() => renderJudgement(messages, { findings: findings as never })).toThrow();
  });

  it.each([
    ['no finding', [], /no finding/],
    ['an id outside the table, leading', [{ id: 'nope' }, { id: 'ok', data: { n: 1 } }], /finding nope/],
    ['an id outside the table, following', [{ id: 'broken', data: { what: 'x' } }, { id: 'nope' }], /finding nope/],
  ])('names what is wrong when it refuses %s', (_name, findings, error) => {
    expect(() => renderJudgement(messages, { findings: findings as never })).toThrow(error);
  });

  it('adds nothing of its own when neither the judge nor a finding has details', () => {
    expect(renderJudgement(messages, { findings: [{ id: 'ok', data: { n: 1 } }] }).details).toEqual([]);
    expect(renderJudgement(messages, { findings: [{ id: 'slower' }, { id: 'noData' }] }).details).toEqual(['– nothing to judge']);
  });

  it('marks each following finding with its own status', () => {
    const out = renderJudgement(messages, {
      findings: [{ id: 'ok', data: { n: 1 } }, { id: 'broken', data: { what: 'a' } }, { id: 'noData' }, { id: 'broken', data: { what: 'b' } }],
    });
    expect(out.status).toBe('fail');
    expect(out.details?.map((d) => d.split(' ')[0])).toEqual(['✗', '–', '✔']);
    expect(out.findings).toEqual([
      { id: 'ok', status: 'pass' },
      { id: 'broken', status: 'fail' },
      { id: 'noData', status: 'skip' },
      { id: 'broken', status: 'fail' },
    ]);
  });

  it('takes fixes only from problems: a skip or a pass with a fix adds none', () => {
    const withFixes = {
      ok: { status: 'pass', text: () => 'fine', fix: 'not a problem' },
      unset: { status: 'skip', text: () => 'not configured', fix: 'Configure it.' },
      slow: { status: 'warn', text: () => 'slow', fix: 'Make it faster.' },
    } satisfies Messages;
    expect(renderJudgement(withFixes, { findings: [{ id: 'ok' }, { id: 'unset' }] }).remediation).toBeUndefined();
    expect(renderJudgement(withFixes, { findings: [{ id: 'unset' }, { id: 'slow' }, { id: 'ok' }] }).remediation).toBe('Make it faster.');
  });

  it('skips a problem without a fix: no empty remediation, no empty line', () => {
    const partly = {
      odd: { status: 'warn', text: () => 'odd' },
      broken: { status: 'fail', text: () => 'broken', fix: 'Repair it.' },
    } satisfies Messages;
    expect(renderJudgement(partly, { findings: [{ id: 'odd' }] }).remediation).toBeUndefined();
    expect(renderJudgement(partly, { findings: [{ id: 'odd' }, { id: 'broken' }] }).remediation).toBe('Repair it.');
  });
});

describe('defineCheck', () => {
  it('composes run from gather and judge, and shows the facts to a recorder first', async () => {
    const seen: unknown[] = [];
    const check = defineCheck({
      id: 'demo',
      title: 'demo',
      category: 'network',
      tags: [],
      explain: { checks: '', failsWhen: '', fix: '' },
      messages,
      gather: async () => ({ n: 3 }),
      judge: (f) => ({ findings: [{ id: 'ok', data: { n: f.n } }] }),
    });
    const ctx = { ...makeContext(), onFacts: (id: string, facts: unknown) => seen.push([id, facts]) };
    const out = await check.run(ctx);
    expect(out).toMatchObject({ status: 'pass', summary: '3 fine', findings: [{ id: 'ok', status: 'pass' }] });
    expect(seen).toEqual([['demo', { n: 3 }]]);
  });
});
