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
