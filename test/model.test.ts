// The exit code and the summary counts: every status and input that fails a run, at zero and at one.
import { describe, expect, it } from 'vitest';
import { exitCodeFor, reportedEvidence, summarise, type CheckResult, type Evidence, type MissingInput, type RunResult } from '../src/model.js';

type Run = Pick<RunResult, 'summary' | 'missingInputs' | 'strict' | 'aborted'>;
const NONE = { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 };
const run = (over: Partial<Run['summary']>, extra: Omit<Partial<Run>, 'summary'> = {}): Run => ({ summary: { ...NONE, ...over }, ...extra });
const MISSING: MissingInput = { input: 'token', reason: 'no GitLab token', checks: ['token-verifies'] };

describe('exitCodeFor', () => {
  it.each([
    ['nothing ran', run({}), 0],
    ['everything passed', run({ pass: 3 }), 0],
    ['only skips', run({ skip: 2 }), 0],
    ['one failure', run({ pass: 5, fail: 1 }), 1],
    ['one crashed check (error), nothing failed', run({ pass: 5, error: 1 }), 1],
    ['a warning, not strict', run({ warn: 1 }), 0],
    ['a warning under a strict run', run({ warn: 1 }, { strict: true }), 1],
    ['strict with no warning', run({ pass: 1 }, { strict: true }), 0],
    ['a run marked strict: false', run({ warn: 2 }, { strict: false }), 0],
    ['no missing input (an empty list)', run({ pass: 1 }, { missingInputs: [] }), 0],
    ['one missing input', run({ pass: 1 }, { missingInputs: [MISSING] }), 1],
    ['cut short', run({ pass: 1 }, { aborted: 'deadline' }), 1],
    ['cut short, with an empty reason', run({ pass: 1 }, { aborted: '' }), 1],
  ] as const)('%s → %d', (_name, r, code) => {
    expect(exitCodeFor(r)).toBe(code);
  });

  it.each([
    ['--strict given, run not marked', run({ warn: 1 }), true, 1],
    ['not strict given, run marked strict', run({ warn: 1 }, { strict: true }), false, 0],
    ['--strict given, no warning', run({ pass: 1 }), true, 0],
  ] as const)('an explicit strict overrides the run: %s', (_name, r, strict, code) => {
    expect(exitCodeFor(r, strict)).toBe(code);
  });
});

describe('summarise', () => {
  it('counts every status, each at zero when absent', () => {
    expect(summarise([])).toEqual(NONE);
    const results = (['pass', 'pass', 'warn', 'error'] as const).map((status, i) => ({ id: `c${i}`, status }) as CheckResult);
    expect(summarise(results)).toEqual({ pass: 2, warn: 1, fail: 0, skip: 0, error: 1 });
  });
});

describe('reportedEvidence (evidence from a plugin or a JSON file, checked at run time)', () => {
  const cert = { subject: 'CN=a', notAfter: '2027-01-01', fingerprint256: 'AB' };
  it.each([
    ['no evidence', undefined, {}],
    ['evidence without reported fields', { other: 1 }, {}],
    ['a well-formed chain and key count', { chain: [cert], keyCount: 2 }, { chain: [cert], keyCount: 2 }],
    ['a key count of zero', { keyCount: 0 }, { keyCount: 0 }],
    ['a key count that is a string', { keyCount: '2' }, {}],
    ['a chain that is not a list', { chain: 'CN=a' }, {}],
    ['an empty chain', { chain: [] }, { chain: [] }],
    ['chain entries that are not objects, and null', { chain: [null, 'CN=a', 3, cert] }, { chain: [cert] }],
    ['an entry with fields missing or not text', { chain: [{ subject: 5 }] }, { chain: [{ subject: '', notAfter: '', fingerprint256: '' }] }],
  ])('%s', (_name, evidence, want) => {
    expect(reportedEvidence(evidence as Evidence | undefined)).toEqual(want);
  });
});
