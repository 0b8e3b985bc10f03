// The runner at its edges, without real waiting: why a check skipped (each need, where its token was looked for), the
// missing inputs collected once per need, what a result keeps of an outcome, the observer's calls, the probe memo, a
// check's timeout and the run's abort (fake timers: the grace periods are exact).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testCheck } from '../helpers/check.js';
import { type CheckDefinition, type Need } from '../../src/check.js';
import { defaultSettings, type Settings } from '../../src/config/settings.js';
import type { CheckOutcome, CheckResult } from '../../src/model.js';
import { enterStage } from '../../src/probes/stage-board.js';
import { ABORT_GRACE_MS, abortReason, hasTarget, RunAborted, runChecks, TIMEOUT_GRACE_MS } from '../../src/runner/run.js';

afterEach(() => {
  vi.useRealTimers();
});

const check = (id: string, run: CheckDefinition['run'], extra: Partial<CheckDefinition> = {}) =>
  testCheck(id, run, { title: `title ${id}`, ...extra });
const says = (o: CheckOutcome) => async () => o;
const settings = (overrides: Partial<Settings> = {}) => defaultSettings(overrides);
const GITLAB = 'https://gitlab.example.com';

describe('hasTarget', () => {
  it.each([
    ['gitlab', {}, false],
    ['gitlab', { gitlabUrl: GITLAB }, true],
    ['token', {}, false],
    ['token', { gitlabToken: 'glpat-x' }, true],
    ['gateway', {}, false],
    ['gateway', { gatewayUrl: 'http://aigw:5052' }, true],
    ['gateway', { gitlabUrl: GITLAB }, false],
    ['gateway', { gitlabToken: 'glpat-x' }, false],
    ['gateway', { gitlabUrl: GITLAB, gitlabToken: 'glpat-x' }, true],
  ] as [Need, Partial<Settings>, boolean][])('%s with %j → %s', (need, given, want) => {
    expect(hasTarget(settings(given), need)).toBe(want);
  });
});

describe('a check skipped for want of an input', () => {
  it.each([
    ['gitlab', {}, 'no GitLab URL given (--gitlab-url, DUO_DOCTOR_GITLAB_URL or gitlabUrl in the config file)'],
    ['gateway', {}, "no gateway URL given (--gateway-url, AI_GATEWAY_URL, or GitLab's own setting read with the GitLab URL and token)"],
    ['token', {}, "no GitLab token given (GITLAB_TOKEN is unset or empty; or --gitlab-token-file: an administrator's personal access token)"],
    [
      'token',
      { tokenSource: 'GITLAB_TOKEN_EU' },
      "no GitLab token given (GITLAB_TOKEN_EU is unset or empty; or --gitlab-token-file: an administrator's personal access token)",
    ],
    ['token', { tokenSource: '--gitlab-token-file /run/t' }, 'no GitLab token given (--gitlab-token-file /run/t held none)'],
  ] as [Need, Partial<Settings>, string][])('%s (%j): says where it looked', async (need, given, reason) => {
    const ran: string[] = [];
    const run = await runChecks([check('a', async () => (ran.push('a'), { status: 'pass', summary: 'ran' }), { needs: [need] })], settings(given));
    expect(run.results[0]).toMatchObject({ status: 'skip', summary: reason, durationMs: 0 });
    expect(ran).toEqual([]);
    expect(run.missingInputs).toEqual([{ input: need, reason, checks: ['a'] }]);
  });

  it('collects every check lacking one input into one entry, each input once, in the order first met', async () => {
    const run = await runChecks(
      [
        check('a', says({ status: 'pass', summary: 'ran' }), { needs: ['token'] }),
        check('b', says({ status: 'pass', summary: 'ran' }), { needs: ['gitlab', 'token'] }),
        check('c', says({ status: 'pass', summary: 'ran' }), { needs: ['token'] }),
        check('d', says({ status: 'pass', summary: 'ran' })),
      ],
      settings(),
    );
    expect(run.missingInputs?.map((m) => [m.input, m.checks])).toEqual([
      ['token', ['a', 'b', 'c']],
      ['gitlab', ['b']],
    ]);
    // A check lacking several inputs names the first it lists.
    expect(run.results[1]!.summary).toMatch(/^no GitLab URL given/);
    expect(run.results[3]!.status).toBe('pass');
  });

  it('a run lacking nothing has no missingInputs, and no aborted', async () => {
    const run = await runChecks([check('a', says({ status: 'pass', summary: 'ran' }), { needs: ['gitlab'] })], settings({ gitlabUrl: GITLAB }));
    expect(run).not.toHaveProperty('missingInputs');
    expect(run).not.toHaveProperty('aborted');
  });
});

describe('what a result keeps of an outcome', () => {
  it('everything the check said, control characters made inert (the fix keeps its lines), and its identity', async () => {
    const outcome: CheckOutcome = {
      status: 'warn',
      summary: 'title \u001b[31mred\nforged',
      details: ['one\ntwo', 'b\u202ec'],
      remediation: 'step 1\nstep 2 \u0007',
      evidence: { a: 1 },
      findings: [{ id: 'x', status: 'warn' }],
    };
    const run = await runChecks([check('a', says(outcome), { category: 'tls' })], settings());
    const { durationMs, ...rest } = run.results[0]!;
    expect(rest).toEqual({
      id: 'a',
      category: 'tls',
      status: 'warn',
      title: 'title a',
      summary: 'title \\x1b[31mred forged',
      details: ['one two', 'b\\u202ec'],
      remediation: 'step 1\nstep 2 \\x07',
      evidence: { a: 1 },
      findings: [{ id: 'x', status: 'warn' }],
    });
    expect(durationMs).toBeGreaterThanOrEqual(0);
  });

  it('nothing it did not say: no details is an empty list, no fix, evidence or findings keys', async () => {
    const run = await runChecks([check('a', says({ status: 'pass', summary: 'ok', remediation: '' }))], settings());
    const result: CheckResult = run.results[0]!;
    expect(result.details).toEqual([]);
    expect(Object.keys(result).sort()).toEqual(['category', 'details', 'durationMs', 'id', 'status', 'summary', 'title']);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'pass'],
    ['an unknown status', { status: 'great', summary: 'x' }],
    ['no summary', { status: 'pass' }],
    ['a summary that is not text', { status: 'pass', summary: 3 }],
  ])('a check returning %s is an error naming it', async (_name, value) => {
    const run = await runChecks([check('odd', async () => value as unknown as CheckOutcome)], settings());
    expect(run.results[0]).toMatchObject({ status: 'error', summary: 'check odd returned no valid result' });
  });

  it('a crash with something not an Error still says what was thrown', async () => {
    const run = await runChecks(
      [
        check('boom', async () => {
          throw 'plain text';
        }),
      ],
      settings(),
    );
    expect(run.results[0]).toMatchObject({ status: 'error', summary: 'check crashed: plain text' });
  });
});

describe('the run around the results', () => {
  it('tells the observer the plan, each start and each finish; a skipped check finishes without starting', async () => {
    const calls: string[] = [];
    await runChecks(
      [check('a', says({ status: 'fail', summary: 'no' })), check('b', says({ status: 'pass', summary: 'ok' }), { dependsOn: ['a'] })],
      settings(),
      {
        observer: {
          onPlan: (n) => calls.push(`plan ${n}`),
          onStart: (c) => calls.push(`start ${c.id}`),
          onFinish: (r) => calls.push(`finish ${r.id} ${r.status}`),
        },
      },
    );
    expect(calls).toEqual(['plan 2', 'start a', 'finish a fail', 'finish b skip']);
  });

  it("names both targets, credentials redacted, and neither when none was given; the tool's name and times", async () => {
    const run = await runChecks([], settings({ gitlabUrl: 'https://u:pw@gitlab.example.com', gatewayUrl: 'http://k:pw@aigw.example.com:5052' }));
    expect(run.targets).toEqual({
      gitlab: 'https://REDACTED:REDACTED@gitlab.example.com/',
      gateway: 'http://REDACTED:REDACTED@aigw.example.com:5052/',
    });
    expect(run.tool.name).toBe('duo-doctor');
    expect(Date.parse(run.startedAt)).not.toBeNaN();
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect((await runChecks([], settings())).targets).toEqual({});
  });

  it('gives each check the settings, the earlier results, and onFacts only when the caller listens', async () => {
    const seen: unknown[] = [];
    const facts: unknown[] = [];
    const registry = [
      check('a', says({ status: 'warn', summary: 'first' })),
      check(
        'b',
        async (ctx) => {
          seen.push(ctx.resultOf('a')?.summary, ctx.resultOf('nope'), ctx.settings.gitlabUrl, typeof ctx.onFacts);
          ctx.onFacts?.('b', { x: 1 });
          return { status: 'pass', summary: 'ok' };
        },
        { dependsOn: ['a'] },
      ),
    ];
    await runChecks(registry, settings({ gitlabUrl: GITLAB }), { onFacts: (id, f, target) => facts.push([id, f, target]) });
    expect(seen).toEqual(['first', undefined, GITLAB, 'function']);
    expect(facts).toEqual([['b', { x: 1 }, undefined]]);
    seen.length = 0;
    await runChecks(registry, settings());
    expect(seen[3]).toBe('undefined');
  });

  it('memoises by key: one gather per key, another key gathers again; a memo passed in is shared across runs', async () => {
    const gathered: string[] = [];
    const memoCheck = (id: string, key: string) =>
      check(id, async (ctx) => ({ status: 'pass', summary: await ctx.memo(key, async () => (gathered.push(key), `value of ${key}`)) }));
    const memo = new Map<string, Promise<unknown>>();
    const run = await runChecks([memoCheck('a', 'k1'), memoCheck('b', 'k1'), memoCheck('c', 'k2')], settings(), { memo });
    expect(gathered).toEqual(['k1', 'k2']);
    expect(run.results.map((r) => r.summary)).toEqual(['value of k1', 'value of k1', 'value of k2']);
    await runChecks([memoCheck('d', 'k1')], settings(), { memo });
    expect(gathered).toEqual(['k1', 'k2']);
  });

  it.each([
    ['an Error', new Error('the deadline passed'), 'the deadline passed'],
    ['anything else', 'stop', 'the run was aborted'],
  ])('abortReason of %s', (_name, reason, want) => {
    const c = new AbortController();
    c.abort(reason);
    expect(abortReason(c.signal)).toBe(want);
  });
});

/** A check that never settles and opens a stage, as a probe waiting for an answer does. */
const hangsIn = (id: string, stage: string | undefined, extra: Partial<CheckDefinition> = {}) =>
  check(
    id,
    () => {
      if (stage) enterStage(() => stage);
      return new Promise<never>(() => undefined);
    },
    extra,
  );

describe('timeouts and aborts (fake timers)', () => {
  it.each([
    [
      'names the stage its probes were in',
      'waiting for the response headers from https://g',
      'timed out after 100 ms, waiting for the response headers from https://g',
    ],
    ['says no stage when none was open', undefined, 'timed out after 100 ms'],
  ])('a check that outlives its timeout plus the grace %s', async (_name, stage, summary) => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const registry = [
      check('hung', (ctx) => {
        signal = ctx.signal;
        if (stage) enterStage(() => stage);
        return new Promise<never>(() => undefined);
      }),
    ];
    let done: CheckResult[] | undefined;
    void runChecks(registry, settings({ timeoutMs: 100 })).then((r) => (done = r.results));
    await vi.advanceTimersByTimeAsync(100 + TIMEOUT_GRACE_MS - 1);
    expect(done).toBeUndefined();
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(signal?.aborted).toBe(true);
    expect(done?.[0]).toMatchObject({ status: 'error', summary, details: ['The check was abandoned; the others went on.'] });
  });

  it("uses a check's own timeout over --timeout", async () => {
    vi.useFakeTimers();
    let done: CheckResult[] | undefined;
    void runChecks([hangsIn('own', undefined, { timeoutMs: () => 10 })], settings({ timeoutMs: 60_000 })).then((r) => (done = r.results));
    await vi.advanceTimersByTimeAsync(10 + TIMEOUT_GRACE_MS);
    expect(done?.[0]).toMatchObject({ status: 'error', summary: 'timed out after 10 ms' });
  });

  it('a run aborted while a deaf check runs: it is abandoned exactly after the abort grace, naming its stage', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    let done: CheckResult[] | undefined;
    void runChecks([hangsIn('deaf', 'connecting to g:443')], settings({ timeoutMs: 60_000 }), { signal: controller.signal }).then(
      (r) => (done = r.results),
    );
    await vi.advanceTimersByTimeAsync(40);
    controller.abort(new RunAborted('the deadline passed'));
    await vi.advanceTimersByTimeAsync(ABORT_GRACE_MS - 1);
    expect(done).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(done?.[0]).toMatchObject({
      status: 'error',
      summary: 'the deadline passed while deaf was running (after 40 ms): connecting to g:443',
      details: ['The check was abandoned; every report was still written.'],
    });
  });

  it('a run aborted with a reason that is no RunAborted: "the run was aborted", no stage when none was open', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    let done: CheckResult[] | undefined;
    void runChecks([hangsIn('deaf', undefined)], settings({ timeoutMs: 60_000 }), { signal: controller.signal }).then((r) => (done = r.results));
    await vi.advanceTimersByTimeAsync(5);
    controller.abort('bye');
    await vi.advanceTimersByTimeAsync(ABORT_GRACE_MS);
    expect(done?.[0]).toMatchObject({ status: 'error', summary: 'the run was aborted while deaf was running (after 5 ms)' });
  });

  it('a check that answers its aborted signal: its words name the stage, its details are kept, its verdict is not', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const answers = check(
      'answers',
      (ctx) =>
        new Promise((resolve) =>
          ctx.signal.addEventListener('abort', () =>
            resolve({ status: 'fail', summary: 'no answer during the TLS handshake', details: ['sent SNI g'] }),
          ),
        ),
    );
    let done: CheckResult[] | undefined;
    void runChecks([answers], settings({ timeoutMs: 60_000 }), { signal: controller.signal }).then((r) => (done = r.results));
    await vi.advanceTimersByTimeAsync(7);
    controller.abort(new RunAborted('serve is shutting down'));
    await vi.advanceTimersByTimeAsync(0);
    expect(done?.[0]).toMatchObject({
      status: 'error',
      summary: 'serve is shutting down while answers was running (after 7 ms): no answer during the TLS handshake',
      details: ['sent SNI g', 'The check was abandoned; every report was still written.'],
    });
  });

  it('a run aborted before a queued check starts: it never starts, and the run says it was aborted', async () => {
    const controller = new AbortController();
    controller.abort(new RunAborted('the deadline passed'));
    const ran: string[] = [];
    const run = await runChecks([check('late', async () => (ran.push('late'), { status: 'pass', summary: 'ran' }))], settings(), {
      signal: controller.signal,
    });
    expect(ran).toEqual([]);
    expect(run.results[0]).toMatchObject({ status: 'error', summary: 'the deadline passed before late started', durationMs: 0 });
    expect(run.aborted).toBe('the deadline passed');
  });

  it('an abort with no RunAborted before a queued check: "the run was aborted before"', async () => {
    const controller = new AbortController();
    controller.abort();
    const run = await runChecks([check('late', says({ status: 'pass', summary: 'ran' }))], settings(), { signal: controller.signal });
    expect(run.results[0]!.summary).toBe('the run was aborted before late started');
  });
});
