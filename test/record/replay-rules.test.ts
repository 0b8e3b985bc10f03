// Replay's rules on a synthetic recording: facts judged again, no facts keeps the record, dependencies re-applied,
// facts a judge cannot read are an error saying so, a check the recording predates is skipped naming the recorder.
import { describe, expect, it } from 'vitest';
import { defineCheck, type CheckDefinition } from '../../src/check.js';
import type { CheckResult, RunResult } from '../../src/model.js';
import { RECORDING_FORMAT, type Recording } from '../../src/record/recording.js';
import { replayRecording } from '../../src/record/replay.js';

const messages = {
  ok: { status: 'pass', text: (d: { n: number }) => `${d.n} ok` },
  low: { status: 'fail', text: (d: { n: number }) => `${d.n} too low`, fix: 'Raise it.' },
} as const;

function judged(id: string, min: number, dependsOn: string[] = []): CheckDefinition {
  return defineCheck({
    id,
    title: id,
    category: 'network',
    tags: [],
    dependsOn,
    explain: { checks: '', failsWhen: '', fix: '' },
    messages,
    gather: async () => ({ n: 0 }),
    judge: (f: { n: number }) => ({ findings: [f.n >= min ? { id: 'ok' as const, data: { n: f.n } } : { id: 'low' as const, data: { n: f.n } }] }),
  });
}

function result(id: string, status: CheckResult['status'], target?: string): CheckResult {
  return { id, category: 'network', status, title: id, summary: status, details: [], durationMs: 1, ...(target ? { target } : {}) };
}

function recording(results: CheckResult[], facts: Recording['facts'], installations?: RunResult['installations']): Recording {
  return {
    format: RECORDING_FORMAT,
    formatVersion: 1,
    tool: { name: 'duo-doctor', version: '0.0.1' },
    recordedAt: '2026-01-01T00:00:00.000Z',
    settings: {},
    facts,
    result: {
      schemaVersion: 1,
      tool: { name: 'duo-doctor', version: '0.0.1' },
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 5,
      targets: {},
      ...(installations ? { installations } : {}),
      summary: { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 },
      results,
    },
  };
}

describe('replayRecording', () => {
  it.each([
    ['at the threshold', 3, 3, 'pass'],
    ['one below it', 2, 3, 'fail'],
  ] as const)('judges recorded facts again: %s', (_name, n, min, status) => {
    const rec = recording([result('a', 'pass')], [{ check: 'a', facts: { n } }]);
    const out = replayRecording([judged('a', min)], rec);
    expect(out.results[0]).toMatchObject({ id: 'a', status, findings: [{ id: status === 'pass' ? 'ok' : 'low' }] });
    expect(out.summary[status]).toBe(1);
  });

  it('keeps the recorded result of a check that never reached its judge', () => {
    const rec = recording([{ ...result('a', 'skip'), summary: 'no gateway URL given' }], []);
    expect(replayRecording([judged('a', 0)], rec).results[0]).toMatchObject({ status: 'skip', summary: 'no gateway URL given' });
  });

  it('skips a dependent whose dependency now fails, as the runner would', () => {
    const rec = recording(
      [result('a', 'pass'), result('b', 'pass')],
      [
        { check: 'a', facts: { n: 1 } },
        { check: 'b', facts: { n: 9 } },
      ],
    );
    const out = replayRecording([judged('a', 5), judged('b', 0, ['a'])], rec);
    expect(out.results.map((r) => r.status)).toEqual(['fail', 'skip']);
    expect(out.results[1]!.summary).toBe('depends on a, which failed');
  });

  it('is an error naming the versions when the facts do not fit the judge', () => {
    const rec = recording([result('a', 'pass')], [{ check: 'a', facts: null }]);
    const out = replayRecording([judged('a', 0)], rec).results[0]!;
    expect(out.status).toBe('error');
    expect(out.details.join(' ')).toContain('Recorded by duo-doctor 0.0.1');
  });

  it('skips a check the recording predates', () => {
    const out = replayRecording([judged('a', 0), judged('new', 0)], recording([result('a', 'pass')], [{ check: 'a', facts: { n: 1 } }]));
    expect(out.results[1]).toMatchObject({ id: 'new', status: 'skip' });
    expect(out.results[1]!.summary).toContain('0.0.1');
  });

  it('replays each installation of a multi-target recording with its own facts', () => {
    const rec = recording(
      [result('a', 'pass', 'prod'), result('a', 'pass', 'eu')],
      [
        { target: 'prod', check: 'a', facts: { n: 9 } },
        { target: 'eu', check: 'a', facts: { n: 1 } },
      ],
      [{ name: 'prod' }, { name: 'eu' }],
    );
    const out = replayRecording([judged('a', 5)], rec);
    expect(out.results.map((r) => [r.target, r.status])).toEqual([
      ['prod', 'pass'],
      ['eu', 'fail'],
    ]);
  });
});

describe('replayRecording at its edges', () => {
  /** A judge saying everything a result can hold: control characters, a fix on two lines, evidence, details. */
  const talkative = defineCheck({
    id: 't',
    title: 'Talkative',
    category: 'tls',
    tags: [],
    explain: { checks: '', failsWhen: '', fix: '' },
    messages: {
      bad: { status: 'warn', text: (d: { n: number }) => `n=${d.n}\u001b[31m\nforged`, fix: 'step 1\nstep 2\u0007' },
    },
    gather: async () => ({ n: 0 }),
    judge: (f: { n: number }) => ({ findings: [{ id: 'bad' as const, data: { n: f.n } }], details: ['a\nb'], evidence: { n: f.n } }),
  });

  it('a rejudged result: its words made inert, the fix keeping its lines, evidence, findings, the recorded duration, no target', () => {
    const rec = recording([{ ...result('t', 'pass'), durationMs: 42 }], [{ check: 't', facts: { n: 7 } }]);
    expect(replayRecording([talkative], rec).results[0]).toEqual({
      id: 't',
      category: 'tls',
      title: 'Talkative',
      status: 'warn',
      summary: 'n=7\\x1b[31m forged',
      details: ['a b'],
      remediation: 'step 1\nstep 2\\x07',
      durationMs: 42,
      evidence: { n: 7 },
      findings: [{ id: 'bad', status: 'warn' }],
    });
  });

  it('a pass without fix has no remediation, evidence or findings beyond its own', () => {
    const rec = recording([result('a', 'fail')], [{ check: 'a', facts: { n: 5 } }]);
    const out = replayRecording([judged('a', 0)], rec).results[0]!;
    expect(out).toEqual({
      id: 'a',
      category: 'network',
      title: 'a',
      status: 'pass',
      summary: '5 ok',
      details: [],
      durationMs: 1,
      findings: [{ id: 'ok', status: 'pass' }],
    });
  });

  it('a check the recording predates: the words, no time spent', () => {
    const out = replayRecording([judged('new', 0)], recording([], []));
    expect(out.results[0]).toEqual({
      id: 'new',
      category: 'network',
      title: 'new',
      status: 'skip',
      summary: 'not in this recording: duo-doctor 0.0.1 did not run new',
      details: ['Record the installation again with this version to judge it.'],
      durationMs: 0,
    });
  });

  it.each([
    ['error', 'depends on a, which errored'],
    ['skip', 'depends on a, which was skipped'],
  ] as const)('a dependency that ended %s (kept from the recording) skips a dependent with facts', (status, summary) => {
    const rec = recording([result('a', status), result('b', 'pass')], [{ check: 'b', facts: { n: 9 } }]);
    expect(replayRecording([judged('a', 0), judged('b', 0, ['a'])], rec).results[1]).toEqual({
      id: 'b',
      category: 'network',
      title: 'b',
      status: 'skip',
      summary,
      details: [],
      durationMs: 0,
    });
  });

  it('a dependent without facts keeps its recorded result even when its dependency now fails', () => {
    const rec = recording([result('a', 'pass'), { ...result('b', 'skip'), summary: 'no token' }], [{ check: 'a', facts: { n: 0 } }]);
    expect(replayRecording([judged('a', 5), judged('b', 0, ['a'])], rec).results[1]).toMatchObject({ status: 'skip', summary: 'no token' });
  });

  it('a dependent of a passing dependency is judged', () => {
    const rec = recording(
      [result('a', 'fail'), result('b', 'fail')],
      [
        { check: 'a', facts: { n: 9 } },
        { check: 'b', facts: { n: 9 } },
      ],
    );
    expect(replayRecording([judged('a', 0), judged('b', 0, ['a'])], rec).results.map((r) => r.status)).toEqual(['pass', 'pass']);
  });

  it('a check without a judge keeps its recorded result, facts or not', () => {
    const runOnly = defineCheck({
      id: 'r',
      title: 'r',
      category: 'network',
      tags: [],
      explain: { checks: '', failsWhen: '', fix: '' },
      run: async () => ({ status: 'pass', summary: '' }),
    });
    const rec = recording([{ ...result('r', 'warn'), summary: 'as recorded' }], [{ check: 'r', facts: { n: 1 } }]);
    expect(replayRecording([runOnly], rec).results[0]).toMatchObject({ status: 'warn', summary: 'as recorded' });
  });

  it('facts the judge cannot read: the error names the check, the cause and both versions', () => {
    const out = replayRecording([judged('a', 0)], recording([result('a', 'pass')], [{ check: 'a', facts: null }])).results[0]!;
    expect(out.summary).toMatch(/^the recording's facts for a do not fit this duo-doctor's judge: .+/);
    expect(out.details).toEqual([
      expect.stringMatching(/^Recorded by duo-doctor 0\.0\.1; replayed by \S+\. Record the installation again with this version\.$/),
    ]);
  });

  it("the run: the registry's order, this tool, a fresh summary, the rest of the recording kept; no installations is one target", () => {
    const rec = recording([result('b', 'pass'), result('a', 'pass')], [{ check: 'a', facts: { n: 0 } }], []);
    const out = replayRecording([judged('a', 5), judged('b', 0)], rec);
    expect(out.results.map((r) => [r.id, r.status, r.target])).toEqual([
      ['a', 'fail', undefined],
      ['b', 'pass', undefined],
    ]);
    expect(out.tool.name).toBe('duo-doctor');
    expect(out.tool.version).not.toBe('0.0.1');
    expect(out.summary).toEqual({ pass: 1, warn: 0, fail: 1, skip: 0, error: 0 });
    expect(out.startedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it("each installation's results carry its name, and only its own recorded results and facts count", () => {
    const rec = recording([result('a', 'warn', 'prod')], [{ target: 'eu', check: 'a', facts: { n: 9 } }], [{ name: 'prod' }, { name: 'eu' }]);
    const out = replayRecording([judged('a', 5)], rec);
    expect(out.results.map((r) => [r.target, r.status, r.summary])).toEqual([
      ['prod', 'warn', 'warn'],
      ['eu', 'skip', 'not in this recording: duo-doctor 0.0.1 did not run a'],
    ]);
  });
});
