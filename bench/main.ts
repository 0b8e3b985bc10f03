// `npm run bench`: the six performance figures, each a ratio measured side by side in one run, with its goal next to it.
import os from 'node:os';
import { CHECKS } from '../checks/index.js';
import { defaultSettings } from '../src/config/settings.js';
import type { RunResult } from '../src/model.js';
import { findScenario, startStack, type Stack } from '../src/reference/scenarios.js';
import { hopsOf, longestChain, measureOwnTimes } from './floor.js';
import { startHungServer } from './hung.js';
import { directAccess, hasWrk, startBareServer, startUnauthenticatedGateway, withWrk, type LoadRun } from './load.js';
import { runCli, runNode, type ChildRun } from './proc.js';
import { formatMs, formatRatio, pairedRatios, summarise, type Summary } from './stats.js';
import { cliTarget } from './target.js';

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
/** The install guide's small deployment: 40 concurrent requests (one token per connection, as 40 IDE users hold). */
const LOAD_CONNECTIONS = 40;
const LOAD_SECONDS = quick ? 1 : 3;

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

/** The figure numbers given with `--only` (comma-separated, repeatable); undefined: all six. */
function selectedFigures(argv: readonly string[]): Set<number> | undefined {
  const values = argv.flatMap((arg, i) => (arg === '--only' ? [argv[i + 1] ?? ''] : arg.startsWith('--only=') ? [arg.slice(7)] : []));
  if (values.length === 0) return undefined;
  const figures = values.flatMap((v) => v.split(',')).map(Number);
  if (figures.some((n) => !Number.isInteger(n) || n < 1 || n > 6)) throw new Error(`bench: --only takes figure numbers 1–6, got ${values.join(' ')}`);
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
  if (!codes.includes(run.code ?? -1)) throw new Error(`bench: ${what} exited ${run.code}: ${run.stderr.slice(0, 500)}`);
  return run;
}

function parseRun(run: ChildRun): RunResult {
  return JSON.parse(run.stdout) as RunResult;
}

const baseline = async () => (await runNode(['-e', '0'])).wallMs;

/** The healthy suite through the installed CLI; JSON on stdout, exit 0 required. */
function suiteRunner(stack: Stack, extra: readonly string[] = []) {
  const { args, env } = cliTarget(stack);
  return async (opts: { rss?: boolean } = {}) =>
    expectExit(await runCli(['check', ...args, '--format', 'json', ...extra], { env, ...opts }), [0], `the suite ${extra.join(' ')}`.trim());
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

/** 2. The whole suite against a running healthy stack, against bare Node and against the physical floor. */
async function suite(stack: Stack): Promise<Row> {
  const run = suiteRunner(stack);
  const first = parseRun(await run());
  const [wall, node] = await rounds(RUNS, [async () => (await run()).wallMs, baseline]);
  // In this process, so after the timed rounds: its work would otherwise slow the stack's servers beside them.
  const slowest = await slowestCheck(stack);
  const ratio = summarise(pairedRatios(wall!, node!));
  const vsFloor = summarise(wall!.map((ms, i) => ms / (node![i]! + slowest.ms)));
  const s = first.summary;
  return {
    name: '2. full suite',
    what: 'the whole suite against a running loopback stack (healthy) ÷ `node -e 0`',
    measured: formatRatio(ratio),
    goal: '≤ 3×',
    met: ratio.median <= 3,
    notes: [
      `suite ${formatMs(summarise(wall!))}; node -e 0 ${formatMs(summarise(node!))}; n=${ratio.n} pairs`,
      `${first.results.length} checks: ${s.pass} pass, ${s.warn} warn, ${s.skip} skip, ${s.fail} fail, ${s.error} error`,
      `physical floor = node -e 0 + the slowest check on its own (${slowest.id}, ${Math.round(slowest.ms)} ms): suite ÷ floor = ${formatRatio(vsFloor)}`,
    ],
  };
}

/** 3. Concurrency: with 200 ms added to every response, the suite against its dependency-chain floor and against one check at a time. */
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
      name: '3. concurrency',
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

/** 4. A gateway that accepts TCP and never answers: the run still ends within the timeout, every check reported. */
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
      name: '4. hung gateway',
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

/** 5. The reference gateway (a JWT verified per request) under 40 concurrent requests, against a bare node:http server. */
async function load(stack: Stack): Promise<Row> {
  const row = {
    name: '5. gateway under load',
    what: `the reference gateway, ${LOAD_CONNECTIONS} connections of POST /v2/code/completions with GitLab-issued JWTs ÷ a bare node:http server, req/s`,
    goal: '≥ 70%',
  };
  if (!(await hasWrk())) return { ...row, measured: 'not measured', met: undefined, notes: ['wrk is not installed: apt-get install wrk'] };
  const request = await directAccess(stack, LOAD_CONNECTIONS);
  const bare = await startBareServer(stack, request);
  const open = await startUnauthenticatedGateway(stack);
  try {
    return await withWrk(request, { connections: LOAD_CONNECTIONS, seconds: LOAD_SECONDS }, async (run) => {
      const valid = (url: string, what: string) => async (): Promise<LoadRun> => {
        const r = await run(url);
        if (r.errors > 0 || r.requests === 0) throw new Error(`bench: ${what} had ${r.errors} errors or non-2xx answers in ${r.requests} requests`);
        return r;
      };
      const servers = [valid(stack.gatewayUrl, 'the gateway'), valid(bare.url, 'the bare server'), valid(open.url, 'the gateway without auth')];
      // JIT warm-up of every server, not counted.
      if (!quick) for (const s of servers) await s();
      const [gateway, plain, noAuth] = await rounds(RUNS, servers);
      const percent = (a: LoadRun[]) => summarise(pairedRatios(a.map((r) => r.requestsPerSecond * 100), plain!.map((r) => r.requestsPerSecond)));
      const share = percent(gateway!);
      const fmt = (s: Summary, unit: string, digits = 0) =>
        s.n > 1 ? `${s.median.toFixed(digits)} ${unit} [${s.p10.toFixed(digits)}–${s.p90.toFixed(digits)}]` : `${s.median.toFixed(digits)} ${unit}`;
      const line = (label: string, rs: LoadRun[]) =>
        `${label} ${fmt(summarise(rs.map((r) => r.requestsPerSecond)), 'req/s')}, p99 ${fmt(summarise(rs.map((r) => r.p99Ms)), 'ms', 1)}`;
      return {
        ...row,
        measured: formatRatio(share, '%'),
        met: share.median >= 70,
        notes: [
          line('gateway:          ', gateway!),
          line('bare node:http:   ', plain!),
          line('gateway, no auth: ', noAuth!) + ` (AIGW_AUTH__BYPASS_EXTERNAL: no JWT) = ${formatRatio(percent(noAuth!), '%')} of bare`,
          `wrk -t1 -c${LOAD_CONNECTIONS} -d${LOAD_SECONDS}s over ${stack.gatewayUrl.split(':')[0]}, ${request.tokens.length} tokens in turn; n=${share.n} rounds`,
        ],
      };
    });
  } finally {
    await open.close();
    await bare.close();
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
  const mb = (s: Summary) => (s.n > 1 ? `${s.median.toFixed(1)} MB [${s.p10.toFixed(1)}–${s.p90.toFixed(1)}]` : `${s.median.toFixed(1)} MB`);
  return {
    name: '6. memory',
    what: 'peak RSS (ru_maxrss) of a full suite run',
    measured: mb(rss),
    goal: '≤ 80 MB',
    met: rss.median <= 80,
    notes: [`node -e 0: ${mb(summarise(nodeMb!))}; suite ÷ node -e 0 = ${formatRatio(summarise(pairedRatios(suiteMb!, nodeMb!)))}; n=${rss.n}`],
  };
}

function machine(): string[] {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return [
    `machine: ${os.availableParallelism()} CPUs (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}, ${os.platform()} ${os.release()}`,
    `load average at start: ${loadAverage()}${quick ? '; --quick: one run each (a smoke, not a measurement)' : ''}`,
  ];
}

function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

function verdict(row: Row): string {
  return row.met === undefined ? '—' : row.met ? 'met' : 'MISSED';
}

function printRow(row: Row): void {
  process.stdout.write(`\n${row.name}: ${row.what}\n  ${row.measured}   goal ${row.goal}   ${verdict(row)}\n${row.notes.map((n) => `  ${n}\n`).join('')}`);
}

/** The summary as a Markdown table (PERFORMANCE.md quotes it). */
function printTable(rows: readonly Row[]): void {
  const head = ['figure', 'measured: median [p10–p90]', 'goal', ''];
  const cells = rows.map((r) => [r.name, r.measured, r.goal, verdict(r)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`\n${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${cells.map(line).join('\n')}\n`);
}

async function main(): Promise<void> {
  process.stdout.write(`duo-doctor benchmarks\n${machine().join('\n')}\n`);
  const rows: Row[] = [];
  const add = (row: Row) => {
    rows.push(row);
    printRow(row);
  };
  if (wanted(1)) add(await startup());
  // Figures 2, 4, 5 and 6 share one healthy stack; 3 starts its own (with latency) beside it, as it always has.
  const stack = [2, 4, 5, 6].some(wanted) ? await healthy() : undefined;
  try {
    if (stack && wanted(2)) add(await suite(stack));
    if (wanted(3)) add(await concurrency());
    if (stack && wanted(4)) add(await hungGateway(stack));
    if (stack && wanted(5)) add(await load(stack));
    if (stack && wanted(6)) add(await memory(stack));
  } finally {
    await stack?.close();
  }
  printTable(rows);
  process.stdout.write(`load average at end: ${loadAverage()}\n`);
}

await main();
