// `npm run bench`: the eight performance figures, each a ratio measured side by side in one run, with its goal next to it.
import os from 'node:os';
import { CHECKS } from '../checks/index.js';
import { defaultSettings } from '../src/config/settings.js';
import type { RunResult } from '../src/model.js';
import { findScenario, startStack, type Stack } from '../src/reference/scenarios.js';
import { hopsOf, longestChain, measureOwnTimes } from './floor.js';
import { startHungServer } from './hung.js';
import { fleetConfig, fleetTokens } from './fleet.js';
import { PYTHON, ROOT, runCli, runNode, type ChildRun } from './proc.js';
import type { SoakResult } from './serve-soak.js';
import { formatMs, formatRatio, pairedRatios, summarise, type Summary } from './stats.js';
import { cliTarget, directPortsClosed, targetFlags } from './target.js';
import path from 'node:path';

const quick = process.argv.includes('--quick');
/** `--only 2,5` (repeatable): run only these figures (all when absent), e.g. to re-measure or profile one. */
const only = selectedFigures(process.argv);
/** Runs per figure (the cheap startup figure gets more). `--quick` runs each once: a smoke, not a measurement. */
const RUNS = quick ? 1 : 10;
const STARTUP_RUNS = quick ? 1 : 20;
/** The latency knob of the concurrency figure, added to every response of both servers. */
const LATENCY_MS = 200;
/** The hung-gateway figure's --timeout, and the wall time it must stay within. */
const HUNG_TIMEOUT_MS = 2000;
const HUNG_GOAL_MS = 2500;
/** The fleet figure's sizes, and its rounds (each round runs every size once). */
const FLEET_SIZES = [1, 10, 50] as const;
const FLEET_ROUNDS = quick ? 1 : 3;
const FLEET_TIMEOUT_MS = 60_000;
const SUITE_TIMEOUT_MS = 30_000;
/** The serve figure: runs in all, and the run after which the baseline is taken. */
const SOAK_RUNS = quick ? 30 : 1000;
const SOAK_MARK = quick ? 10 : 100;
const SOAK_INTERVAL_MS = 10;
const FIGURES = 8;

/** One figure: its verdict on one line of the final table, its context below it. */
interface Row {
  name: string;
  what: string;
  measured: string;
  goal: string;
  /** undefined: not measured. */
  met: boolean | undefined;
  notes: string[];
}

/** The figure numbers given with `--only` (comma-separated, repeatable); undefined: all. */
function selectedFigures(argv: readonly string[]): Set<number> | undefined {
  const values = argv.flatMap((arg, i) => (arg === '--only' ? [argv[i + 1] ?? ''] : arg.startsWith('--only=') ? [arg.slice(7)] : []));
  if (values.length === 0) return undefined;
  const figures = values.flatMap((v) => v.split(',')).map(Number);
  if (figures.some((n) => !Number.isInteger(n) || n < 1 || n > FIGURES))
    throw new Error(`bench: --only takes figure numbers 1–${FIGURES}, got ${values.join(' ')}`);
  return new Set(figures);
}

const wanted = (figure: number) => !only || only.has(figure);

function healthy(latencyMs = 0): Promise<Stack> {
  return startStack(findScenario('healthy')!, { latencyMs });
}

/**
 * Runs each thunk `n` times, round by round, rotating which goes first, so drifting machine load hits all alike.
 * Returns the results per thunk, in round order: result i of each came from the same round.
 */
async function rounds<T>(n: number, thunks: readonly (() => Promise<T>)[]): Promise<T[][]> {
  const out = thunks.map(() => [] as T[]);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < thunks.length; k++) {
      const j = (i + k) % thunks.length;
      out[j]!.push(await thunks[j]!());
    }
  }
  return out;
}

/** A run that must have worked: an expected exit code. */
function expectExit(run: ChildRun, codes: readonly number[], what: string): ChildRun {
  if (!codes.includes(run.code ?? -1)) throw new Error(`bench: ${what} exited ${run.code}: ${run.stderr.slice(0, 500)}${failures(run.stdout)}`);
  return run;
}

/** The results of a JSON report that did not pass, to say why a run failed. */
function failures(stdout: string): string {
  try {
    const parsed = JSON.parse(stdout) as RunResult;
    const bad = parsed.results.filter((r) => r.status === 'fail' || r.status === 'error');
    return (
      bad
        .slice(0, 5)
        .map((r) => `\n  ${r.target ? `${r.target}/` : ''}${r.id} ${r.status}: ${r.summary}`)
        .join('') +
      (bad.length > 5 ? `\n  … ${bad.length} in all` : '') +
      (bad.length ? '' : `\n  no check failed or errored: ${JSON.stringify(parsed.summary)}${parsed.aborted ? `; aborted: ${parsed.aborted}` : ''}`)
    );
  } catch {
    return stdout ? `\n  stdout is not a JSON report: ${stdout.slice(0, 200)}` : '\n  nothing on stdout';
  }
}

function parseRun(run: ChildRun): RunResult {
  return JSON.parse(run.stdout) as RunResult;
}

const baseline = async () => (await runNode(['-e', '0'])).wallMs;

/** The healthy suite through the installed CLI; JSON on stdout, exit 0 required. */
function suiteRunner(stack: Stack, extra: readonly string[] = []) {
  const { args, env } = cliTarget(stack);
  // A generous --timeout (no exchange comes near it on an idle machine): on a loaded one a check's 10 s would end the bench.
  const argv = ['check', ...args, '--timeout', String(SUITE_TIMEOUT_MS), '--format', 'json', ...extra];
  return async (opts: { rss?: boolean } = {}) => expectExit(await runCli(argv, { env, ...opts }), [0], `the suite ${extra.join(' ')}`.trim());
}

/** 1. Startup: `duo-doctor --version` against bare Node. */
async function startup(): Promise<Row> {
  await baseline();
  await runCli(['--version']);
  const [cli, node] = await rounds(STARTUP_RUNS, [async () => expectExit(await runCli(['--version']), [0], '--version').wallMs, baseline]);
  const ratio = summarise(pairedRatios(cli!, node!));
  return {
    name: '1. startup',
    what: '`duo-doctor --version` ÷ `node -e 0`',
    measured: formatRatio(ratio),
    goal: '≤ 1.5×',
    met: ratio.median <= 1.5,
    notes: [`--version ${formatMs(summarise(cli!))}; node -e 0 ${formatMs(summarise(node!))}; n=${ratio.n} pairs`],
  };
}

/** The check that takes longest on its own (after its dependencies), and its time. */
async function slowestCheck(stack: Stack): Promise<{ id: string; ms: number }> {
  const own = await measureOwnTimes(CHECKS, defaultSettings(stack.settingsOverrides));
  const [id, ms] = [...own].reduce((a, b) => (b[1] > a[1] ? b : a));
  return { id, ms };
}

/**
 * 2 and 3. The whole suite against a running healthy stack, over its floor (bare Node plus the slowest check on its
 * own), and the suite without the paced stream over bare Node, measured in the same rounds.
 */
async function suite(stack: Stack): Promise<Row[]> {
  const run = suiteRunner(stack);
  const withoutStream = suiteRunner(stack, ['--skip', 'proxy-streaming']);
  const first = parseRun(await run());
  await withoutStream();
  const [wall, short, node] = await rounds(RUNS, [async () => (await run()).wallMs, async () => (await withoutStream()).wallMs, baseline]);
  // In this process, so after the timed rounds: its work would otherwise slow the stack's servers beside them.
  const slowest = await slowestCheck(stack);
  const vsFloor = summarise(wall!.map((ms, i) => ms / (node![i]! + slowest.ms)));
  const shortRatio = summarise(pairedRatios(short!, node!));
  const s = first.summary;
  return [
    {
      name: '2. full suite',
      what: 'the whole suite against a running loopback stack (healthy) ÷ (`node -e 0` + the slowest check on its own)',
      measured: formatRatio(vsFloor),
      goal: '≤ 1.10×',
      met: vsFloor.median <= 1.1,
      notes: [
        `suite ${formatMs(summarise(wall!))}; node -e 0 ${formatMs(summarise(node!))}; slowest check on its own: ${slowest.id}, ${Math.round(slowest.ms)} ms; n=${vsFloor.n} rounds`,
        `${first.results.length} checks: ${s.pass} pass, ${s.warn} warn, ${s.skip} skip, ${s.fail} fail, ${s.error} error`,
        `suite ÷ node -e 0 = ${formatRatio(summarise(pairedRatios(wall!, node!)))}`,
      ],
    },
    {
      name: '3. without the stream',
      what: 'the suite with --skip proxy-streaming (no paced stream to watch) ÷ `node -e 0`',
      measured: formatRatio(shortRatio),
      goal: '≤ 6×',
      met: shortRatio.median <= 6,
      notes: [`suite --skip proxy-streaming ${formatMs(summarise(short!))}; node -e 0 ${formatMs(summarise(node!))}; n=${shortRatio.n} pairs`],
    },
  ];
}

/** 4. Concurrency: with 200 ms added to every response, the suite against its dependency-chain floor and against one check at a time. */
async function concurrency(): Promise<Row> {
  const stack = await healthy(LATENCY_MS);
  try {
    const concurrent = suiteRunner(stack);
    const sequential = suiteRunner(stack, ['--concurrency', '1']);
    await concurrent(); // warms the gateway's cache of GitLab's keys, as on a running installation
    const [wall, seq] = await rounds(RUNS, [async () => (await concurrent()).wallMs, async () => (await sequential()).wallMs]);
    // In this process, so after the timed rounds: its work would otherwise slow the stack's servers beside them.
    const perCheck = hopsOf(await measureOwnTimes(CHECKS, defaultSettings(stack.settingsOverrides)), LATENCY_MS);
    const floor = longestChain(CHECKS, perCheck, LATENCY_MS);
    const vsFloor = summarise(wall!.map((ms) => ms / floor.ms));
    const chain = floor.chain.map((h) => `${h.id} (${h.hops})`).join(' → ');
    const weighted = [...perCheck.values()].filter((h) => h.hops > 0).map((h) => `${h.id} ${h.hops}`);
    return {
      name: '4. concurrency',
      what: `the suite with +${LATENCY_MS} ms on every response ÷ its longest dependency chain`,
      measured: formatRatio(vsFloor),
      goal: '≤ 1.25×',
      met: vsFloor.median <= 1.25,
      notes: [
        `suite ${formatMs(summarise(wall!))}; floor ${floor.hops} hops × ${LATENCY_MS} ms = ${floor.ms} ms; n=${vsFloor.n}`,
        `÷ --concurrency 1 (the sequential baseline, ${formatMs(summarise(seq!))}): ${formatRatio(summarise(pairedRatios(wall!, seq!)))}`,
        `floor = the registry's heaviest dependsOn chain, each check weighted by its own sequential exchanges: its run time`,
        `  after its dependencies ÷ ${LATENCY_MS} ms, rounded (a streamed answer counts its paced chunks too): ${chain}`,
        `  hops per check: ${weighted.join(', ')}`,
      ],
    };
  } finally {
    await stack.close();
  }
}

/** Replaces a flag's value in an argv, or appends the flag. */
function withFlag(args: readonly string[], flag: string, value: string): string[] {
  const i = args.indexOf(flag);
  return i >= 0 ? [...args.slice(0, i + 1), value, ...args.slice(i + 2)] : [...args, flag, value];
}

/** 5. A gateway that accepts TCP and never answers: the run still ends within the timeout, every check reported. */
async function hungGateway(stack: Stack): Promise<Row> {
  const hung = await startHungServer();
  try {
    const { args, env } = cliTarget(stack);
    const argv = ['check', ...withFlag(args, '--gateway-url', hung.url), '--timeout', String(HUNG_TIMEOUT_MS), '--format', 'json'];
    const [runs] = await rounds(RUNS, [async () => expectExit(await runCli(argv, { env }), [0, 1], 'the suite against a hung gateway')]);
    const wall = summarise(runs!.map((r) => r.wallMs));
    const reported = runs!.every((r) => parseRun(r).results.length === CHECKS.length);
    const notPassing = parseRun(runs!.at(-1)!).results.filter((r) => r.status !== 'pass' && r.status !== 'skip');
    return {
      name: '5. hung gateway',
      what: `a gateway that accepts TCP and never answers, --timeout ${HUNG_TIMEOUT_MS}: wall time ÷ ${HUNG_GOAL_MS} ms`,
      measured: `${formatRatio(summarise(runs!.map((r) => r.wallMs / HUNG_GOAL_MS)))} (${formatMs(wall)})`,
      goal: `≤ 1× (${HUNG_GOAL_MS} ms), all ${CHECKS.length} checks reported`,
      met: wall.median <= HUNG_GOAL_MS && reported,
      notes: [
        `${reported ? 'every run reported' : 'NOT every run reported'} all ${CHECKS.length} checks; n=${wall.n}`,
        `not passing (last run): ${notPassing.map((r) => `${r.id} ${r.status} after ${r.durationMs} ms`).join(', ') || 'none'}`,
      ],
    };
  } finally {
    await hung.close();
  }
}

/** 6. Peak RSS of a full suite run (ru_maxrss of the CLI process), with bare Node's beside it. */
async function memory(stack: Stack): Promise<Row> {
  const run = suiteRunner(stack);
  const [suiteMb, nodeMb] = await rounds(RUNS, [
    async () => (await run({ rss: true })).maxRssMB!,
    async () => (await runNode(['-e', '0'], { rss: true })).maxRssMB!,
  ]);
  const rss = summarise(suiteMb!);
  return {
    name: '6. memory',
    what: 'peak RSS (ru_maxrss) of a full suite run',
    measured: mb(rss),
    goal: '≤ 80 MB',
    met: rss.median <= 80,
    notes: [`node -e 0: ${mb(summarise(nodeMb!))}; suite ÷ node -e 0 = ${formatRatio(summarise(pairedRatios(suiteMb!, nodeMb!)))}; n=${rss.n}`],
  };
}

const mb = (s: Summary) => (s.n > 1 ? `${s.median.toFixed(1)} MB [${s.p10.toFixed(1)}–${s.p90.toFixed(1)}]` : `${s.median.toFixed(1)} MB`);

/** 7. A fleet: one config with 1, 10 and 50 targets on a stack with +200 ms latency, each target its own GitLab token. */
async function fleet(): Promise<Row> {
  const largest = FLEET_SIZES.at(-1)!;
  const tokens = fleetTokens(largest);
  const stack = await startStack(findScenario('healthy')!, { latencyMs: LATENCY_MS, otherAdminTokens: tokens });
  const configs = await Promise.all(FLEET_SIZES.map((n) => fleetConfig(stack, tokens.slice(0, n))));
  try {
    const runners = configs.map(({ args, env }, k) => async () => {
      // A generous --timeout: the figure is the time a fleet takes, which a timeout would cut short on a loaded machine.
      const argv = ['check', ...args, '--timeout', String(FLEET_TIMEOUT_MS), '--format', 'json'];
      const run = expectExit(await runCli(argv, { env, rss: true }), [0], `the fleet of ${FLEET_SIZES[k]}`);
      const results = parseRun(run).results.length;
      if (results !== FLEET_SIZES[k]! * CHECKS.length) throw new Error(`bench: the fleet of ${FLEET_SIZES[k]} reported ${results} results`);
      return run;
    });
    await runners[0]!(); // warms the gateway's cache of GitLab's keys, as on a running installation
    const runs = await rounds(FLEET_ROUNDS, runners);
    const walls = runs.map((r) => r.map((x) => x.wallMs));
    const rss = runs.map((r) => r.map((x) => x.maxRssMB!));
    const ratio = summarise(pairedRatios(walls.at(-1)!, walls[0]!));
    const peak = summarise(rss.at(-1)!);
    const perTarget = summarise(rss.at(-1)!.map((m, i) => (m - rss[0]![i]!) / (largest - 1)));
    return {
      name: '7. fleet',
      what: `one config with ${FLEET_SIZES.join(', ')} targets (+${LATENCY_MS} ms latency, each its own GitLab token): ${largest} targets' wall time ÷ 1 target's`,
      measured: `${formatRatio(ratio)}, peak RSS ${mb(peak)}`,
      goal: `≤ 3×, peak RSS ≤ 150 MB`,
      met: ratio.median <= 3 && peak.median <= 150,
      notes: [
        ...FLEET_SIZES.map(
          (n, k) => `${String(n).padStart(2)} target(s): wall ${formatMs(summarise(walls[k]!))}, peak RSS ${mb(summarise(rss[k]!))}`,
        ),
        `growth per target: ${perTarget.median.toFixed(2)} MB [${perTarget.p10.toFixed(2)}–${perTarget.p90.toFixed(2)}] of peak RSS; n=${ratio.n} rounds; --timeout ${FLEET_TIMEOUT_MS}`,
      ],
    };
  } finally {
    await Promise.all(configs.map((c) => c.remove()));
    await stack.close();
  }
}

/** Runs the serve soak (bench/serve-soak.ts, bundled beside this file) against `stack` in a process of its own. */
async function soak(stack: Stack, extraFlags: Record<string, unknown>): Promise<SoakResult> {
  const { flags, env } = targetFlags(stack);
  const program = path.join(ROOT, '.tmp/bench/serve-soak.mjs');
  // The soak sets the CLI's V8 flags itself (tuneV8, src/cli/process-setup.ts), as the CLI's entry does.
  const argv = [program, String(SOAK_RUNS), String(SOAK_MARK), String(SOAK_INTERVAL_MS), JSON.stringify({ ...flags, ...extraFlags })];
  const run = await runNode(argv, { env });
  expectExit(run, [0], 'the serve soak');
  return JSON.parse(run.stdout) as SoakResult;
}

/** The active resources of a process, counted by type ("Timeout ×2, TCPSocketWrap"). */
/**
 * What is active after stop beyond what was before start, counted by type: a request the process had in flight at start
 * (a CloseReq of a file it read) may be gone by then, and is not something serve left.
 */
function leftOver(before: readonly string[], after: readonly string[]): string[] {
  const rest = [...before];
  return after.filter((r) => {
    const at = rest.indexOf(r);
    if (at >= 0) rest.splice(at, 1);
    return at < 0;
  });
}

function resources(list: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const r of list) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => (n > 1 ? `${r} ×${n}` : r)).join(', ') || 'none';
}

/** 8. A monitor that runs for months: serve with a short interval, RSS and file descriptors after 100 runs and after 1,000. */
async function monitor(stack: Stack): Promise<Row> {
  const r = await soak(stack, { skip: ['proxy-streaming'] });
  const growth = r.rssAtEndMB - r.rssAtMarkMB;
  const leftBehind = leftOver(r.resourcesBefore, r.resourcesAfter);
  return {
    name: '8. serve',
    what: `serve every ${SOAK_INTERVAL_MS} ms for ${r.runs} runs: RSS after ${r.runs} runs − after ${r.mark}`,
    measured: `${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB`,
    goal: '≤ 10 MB, fds constant, nothing left after stop',
    met: growth <= 10 && r.fdsAtEnd === r.fdsAtMark && leftBehind.length === 0 && r.failedRuns === 0,
    notes: [
      `RSS ${r.rssAtMarkMB.toFixed(1)} MB after ${r.mark} runs, ${r.rssAtEndMB.toFixed(1)} MB after ${r.runs}; open fds ${r.fdsAtMark} → ${r.fdsAtEnd}; ${r.failedRuns} runs with a failure; ${Math.round(r.msPerRun)} ms per run`,
      `active resources before start: ${resources(r.resourcesBefore)}; after stop: ${resources(r.resourcesAfter)}; left behind: ${resources(leftBehind)}`,
      `the suite with --skip proxy-streaming (its paced stream holds each run ~0.8 s), in a process of its own (bench/serve-soak.ts: the CLI's serve, its interval shortened)`,
    ],
  };
}

function machine(): string[] {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return [
    `machine: ${os.availableParallelism()} CPUs (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}, ${os.platform()} ${os.release()}`,
    `python3: ${PYTHON ? `${PYTHON.executable}${PYTHON.shim ? ` (PATH finds the launcher ${PYTHON.shim}: the runs' PATH puts the interpreter's directory first)` : ''}` : 'not found (the runtime checks that run Python report it)'}`,
    `load average at start: ${loadAverage()}${quick ? '; --quick: one run each (a smoke, not a measurement)' : ''}`,
  ];
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

function verdict(row: Row): string {
  return row.met === undefined ? '—' : row.met ? 'met' : 'MISSED';
}

function printRow(row: Row): void {
  process.stdout.write(
    `\n${row.name}: ${row.what}\n  ${row.measured}   goal ${row.goal}   ${verdict(row)}\n${row.notes.map((n) => `  ${n}\n`).join('')}`,
  );
}

/** The summary as a Markdown table (PERFORMANCE.md quotes it). */
function printTable(rows: readonly Row[]): void {
  const head = ['figure', 'measured: median [p10–p90]', 'goal', ''];
  const cells = rows.map((r) => [r.name, r.measured, r.goal, verdict(r)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`\n${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${cells.map(line).join('\n')}\n`);
}

/** A figure that could not be measured (a run it needs failed): a row saying why, so the figures after it still run. */
function notMeasured(name: string, error: unknown): Row {
  const message = error instanceof Error ? error.message : String(error);
  return { name, what: 'not measured', measured: 'failed', goal: '—', met: undefined, notes: message.split('\n') };
}

async function main(): Promise<void> {
  process.stdout.write(`duo-doctor benchmarks\n${machine().join('\n')}\n`);
  await directPortsClosed();
  const rows: Row[] = [];
  const add = (row: Row) => {
    rows.push(row);
    printRow(row);
  };
  /** Runs figure(s) `numbers` when wanted; a failure is reported in their rows and the bench goes on. */
  const figure = async (numbers: readonly number[], names: readonly string[], measure: () => Promise<Row | Row[]>) => {
    if (!numbers.some(wanted)) return;
    try {
      const measured = await measure();
      for (const row of Array.isArray(measured) ? measured : [measured]) if (wanted(Number(row.name.split('.')[0]))) add(row);
    } catch (error) {
      process.exitCode = 1;
      names.forEach((name, i) => wanted(numbers[i]!) && add(notMeasured(name, error)));
    }
  };
  await figure([1], ['1. startup'], startup);
  // Figures 2, 3, 5, 6 and 8 share one healthy stack; 4 and 7 start their own (with latency) beside it.
  const stack = [2, 3, 5, 6, 8].some(wanted) ? await healthy() : undefined;
  try {
    if (stack) {
      await figure([2, 3], ['2. full suite', '3. without the stream'], () => suite(stack));
      await figure([4], ['4. concurrency'], concurrency);
      await figure([5], ['5. hung gateway'], () => hungGateway(stack));
      await figure([6], ['6. memory'], () => memory(stack));
      await figure([7], ['7. fleet'], fleet);
      await figure([8], ['8. serve'], () => monitor(stack));
    } else {
      await figure([4], ['4. concurrency'], concurrency);
      await figure([7], ['7. fleet'], fleet);
    }
  } finally {
    await stack?.close();
  }
  printTable(rows);
  process.stdout.write(`load average at end: ${loadAverage()}\n`);
}

await main();
